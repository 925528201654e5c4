import type { Ids, Instruction, Signal } from '@switchboard/core'
import { Context, Effect, Layer } from 'effect'

/**
 * The media plane: carries out the core's media instructions (ring a phone, play audio, send
 * tones...) and reports what happens as signals through `report`. The simulated telephony world
 * (`@switchboard/media`) is one; a test may script its own.
 */
export interface MediaPlaneService {
  readonly execute: (
    callId: Ids.CallConnectionId,
    instruction: Instruction.MediaInstruction,
    report: (signal: Signal.Signal) => void,
  ) => Effect.Effect<void>
}

export class MediaPlane extends Context.Tag('@switchboard/runtime/MediaPlane')<
  MediaPlane,
  MediaPlaneService
>() {}

/** A media plane that does nothing: no party ever answers. */
export const silent: Layer.Layer<MediaPlane> = Layer.succeed(MediaPlane, {
  execute: () => Effect.void,
})
