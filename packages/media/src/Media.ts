import type { MediaPlane } from '@switchboard/runtime'
import { Layer } from 'effect'
import * as Plane from './Plane.js'
import * as Simulator from './Simulator.js'
import type * as Sources from './Sources.js'
import * as World from './World.js'

/**
 * The simulated world as layers: `layer(options)` provides the `MediaPlane` the runtime's
 * pipeline drives and the `World` the simulator routes act on (one world shared by both).
 */

export interface Options {
  /** 1 = real time (default); 10 = the world runs ten times faster (ringing, audio, frames). */
  readonly timeScale?: number
  /** How long a phone nobody configured takes to answer (ms, default 300). */
  readonly defaultAnswerDelayMs?: number
  /** How long a phone rings before it counts as not answering (ms, default 60,000). */
  readonly ringTimeoutMs?: number
  /** Tone and gap of the DTMF the service sends (ms, default 100/100). */
  readonly serviceToneMs?: number
  readonly serviceGapMs?: number
  /** Text and SSML: `auto` (default) speaks with espeak-ng when installed, else estimates. */
  readonly textToSpeech?: Sources.TextToSpeech
  /**
   * File sources on other hosts than loopback: assumed to last `durationMs` (default 3000), or
   * fetched, or failed with fileDownload.
   */
  readonly remoteFiles?: Sources.RemoteFiles
  /** Where IncomingCall events go (the app's Event Grid webhook). */
  readonly eventGrid?: World.EventGridOptions
}

/** The world's configuration from options (throws a RangeError on nonsense). */
export const config = (options: Options = {}): World.Config => {
  const timeScale = options.timeScale ?? 1
  if (!(timeScale > 0 && timeScale <= 1000)) throw new RangeError('timeScale must be in (0, 1000]')
  const nonNegative = (v: number | undefined, name: string, fallback: number) => {
    if (v === undefined) return fallback
    if (!(Number.isFinite(v) && v >= 0)) throw new RangeError(`${name} must be a number >= 0`)
    return v
  }
  return {
    ...World.defaults,
    timeScale,
    defaultAnswerDelayMs: nonNegative(options.defaultAnswerDelayMs, 'defaultAnswerDelayMs', 300),
    ringTimeoutMs: nonNegative(options.ringTimeoutMs, 'ringTimeoutMs', 60_000),
    serviceToneMs: nonNegative(options.serviceToneMs, 'serviceToneMs', 100),
    serviceGapMs: nonNegative(options.serviceGapMs, 'serviceGapMs', 100),
    sources: {
      ...World.defaults.sources,
      ...(options.textToSpeech !== undefined ? { textToSpeech: options.textToSpeech } : {}),
      ...(options.remoteFiles !== undefined ? { remoteFiles: options.remoteFiles } : {}),
    },
    ...(options.eventGrid !== undefined ? { eventGrid: options.eventGrid } : {}),
  }
}

/**
 * The media plane and the world. Reads each call's correlation id from the `EventStore` when one
 * is in the context (for the streaming and transcription headers and metadata).
 */
export const layer = (options: Options = {}): Layer.Layer<MediaPlane.MediaPlane | World.World> =>
  Layer.provideMerge(Plane.layer, World.layer(config(options)))

/**
 * The world as a `switchboard serve` plugin (structurally `@switchboard/server`'s `Plugin`): the
 * media plane (and `World`) plus the simulator routes.
 */
export const plugin = (options: Options = {}) => ({
  name: 'media',
  mediaPlane: layer(options),
  routes: Simulator.routes,
  banner: [
    `simulated world: time scale ${options.timeScale ?? 1}; simulator API under /simulator` +
      (options.eventGrid !== undefined
        ? `; IncomingCall events to ${options.eventGrid.webhookUrl}`
        : '; no Event Grid webhook configured'),
  ],
})
