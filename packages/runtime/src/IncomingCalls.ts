import type { Identifier } from '@switchboard/core'
import { Context, Effect, Layer, Option } from 'effect'

/**
 * Incoming calls waiting for the application: the simulated world places them (and sends the
 * Event Grid IncomingCall event); answer, reject and redirect resolve the opaque
 * `incomingCallContext` the app passes back.
 */
export interface IncomingCall {
  readonly incomingCallContext: string
  readonly from: Identifier.Identifier
  readonly to: Identifier.Identifier
  readonly serverCallId: string
  readonly correlationId: string
  readonly at: number
}

export interface IncomingCallsService {
  readonly register: (call: IncomingCall) => Effect.Effect<void>
  /** The waiting call with this context, if it is still waiting. */
  readonly resolve: (incomingCallContext: string) => Effect.Effect<Option.Option<IncomingCall>>
  /** Answered, rejected or redirected: the context can no longer be used. */
  readonly settle: (incomingCallContext: string) => Effect.Effect<void>
}

export class IncomingCalls extends Context.Tag('@switchboard/runtime/IncomingCalls')<
  IncomingCalls,
  IncomingCallsService
>() {}

/** In memory (contexts do not survive a restart, as a ringing call would not). */
export const memory: Layer.Layer<IncomingCalls> = Layer.sync(IncomingCalls, () => {
  const waiting = new Map<string, IncomingCall>()
  return {
    register: (call) => Effect.sync(() => void waiting.set(call.incomingCallContext, call)),
    resolve: (context) => Effect.sync(() => Option.fromNullable(waiting.get(context))),
    settle: (context) => Effect.sync(() => void waiting.delete(context)),
  }
})
