import type { Signal } from '@switchboard/core'
import { Identifier } from '@switchboard/core'
import { Clock, Context, Duration, Effect, FiberMap, Layer } from 'effect'
import type * as Phone from './Phone.js'
import * as Sources from './Sources.js'

/**
 * The simulated telephony world: phones and users by raw id, calls by call connection id, the
 * parties (legs) of each call, the audio each party is making, and the fibers that carry out what
 * is under way (ringing, playing, sending tones, streaming). Time is Effect's `Clock`, scaled by
 * `timeScale`: an audio length of `ms` passes in `ms / timeScale` of clock time.
 */

export interface EventGridOptions {
  /** Where Event Grid delivers `Microsoft.Communication.IncomingCall` (the app's webhook). */
  readonly webhookUrl: string
  /** The `topic` of the events (the ACS resource's id). */
  readonly topic?: string
}

export interface Config {
  /** 1 = real time; 10 = ten times faster. */
  readonly timeScale: number
  /** Answer delay of a phone nobody configured (ms). */
  readonly defaultAnswerDelayMs: number
  /** How long a phone rings before it counts as not answering (ms, audio time). */
  readonly ringTimeoutMs: number
  /** How SendDtmfTones sounds. */
  readonly serviceToneMs: number
  readonly serviceGapMs: number
  readonly sources: Sources.Options
  readonly eventGrid?: EventGridOptions
  /** Most parties an unmixed stream carries per frame (ACS: the 4 dominant speakers). */
  readonly maxUnmixedSpeakers: number
}

export const defaults: Config = {
  timeScale: 1,
  defaultAnswerDelayMs: 300,
  ringTimeoutMs: 60_000,
  serviceToneMs: 100,
  serviceGapMs: 100,
  sources: Sources.defaults,
  maxUnmixedSpeakers: 4,
}

/** Audio a party makes, placed on the world's audio timeline (ms of audio time). */
export interface Segment {
  readonly startAudioMs: number
  readonly durationMs: number
  readonly kind: 'tones' | 'speech'
  /** The samples at a rate (rendered once per rate). */
  readonly render: (sampleRate: number) => Float32Array
}

export type LegStatus = 'ringing' | 'connected' | 'left' | 'declined' | 'canceled' | 'transferred'

export interface Leg {
  readonly phone: Phone.Phone
  status: LegStatus
  onHold: boolean
  muted: boolean
  readonly since: string
  /** What answering a ringing leg does (report the signal); null once settled. */
  onAnswer: (() => void) | null
  pressId: number
  speechId: number
  readonly segments: Array<Segment>
}

/** What the call's media stream session offers the rest of the world. */
export interface StreamHandle {
  readonly enableDtmfTones: boolean
  readonly sendDtmf: (key: string) => void
}

export interface TranscriptionHandle {
  locale: string
  readonly enableIntermediateResults: boolean
  /** Where the session started on the audio timeline: offsets are counted from here. */
  readonly startAudioMs: number
  /** Sends a message on the transcription socket (dropped once it is closed). */
  readonly send: (text: string) => void
}

export interface CallRecord {
  readonly id: string
  readonly legs: Map<string, Leg>
  ended: boolean
  stream: StreamHandle | null
  transcription: TranscriptionHandle | null
  /** The last `report` the media plane was given for this call. */
  report: ((signal: Signal.Signal) => void) | null
}

export interface WorldService {
  readonly config: Config
  readonly phones: Map<string, Phone.Phone>
  readonly calls: Map<string, CallRecord>
  /** The phone with this raw id (created with the default behavior if new). */
  readonly phone: (identifier: Identifier.Identifier) => Phone.Phone
  readonly call: (callId: string) => CallRecord
  /** Runs `effect` in a fiber of its own under `key`, interrupting the previous one. */
  readonly fork: (key: string, effect: Effect.Effect<void>) => Effect.Effect<void>
  /** Interrupts the fiber under `key`, if any. */
  readonly stop: (key: string) => Effect.Effect<void>
  /** Interrupts every fiber whose key starts with `prefix`. */
  readonly stopAll: (prefix: string) => Effect.Effect<void>
}

/** Calls remembered; beyond this, the oldest ended calls are forgotten. */
export const MAX_CALLS = 10_000
/** Calls listed per phone (the oldest are dropped). */
export const MAX_CALLS_PER_PHONE = 1_000

/** Adds a call to a phone's list. */
export const joined = (phone: Phone.Phone, callId: string): void => {
  phone.calls.delete(callId)
  phone.calls.add(callId)
  if (phone.calls.size > MAX_CALLS_PER_PHONE) {
    const oldest = phone.calls.values().next()
    if (oldest.done !== true) phone.calls.delete(oldest.value)
  }
}

export class World extends Context.Tag('@switchboard/media/World')<World, WorldService>() {}

// ------------------------------------------------------------------ time

/**
 * Waits `ms` of audio time (`ms / timeScale` of clock time, rounded to whole ms: the clock the
 * store records stays in whole milliseconds, also on a test clock).
 */
export const sleep = (config: Config, ms: number): Effect.Effect<void> =>
  Effect.sleep(Duration.millis(Math.max(0, Math.round(ms / config.timeScale))))

/** Now, in clock ms. */
export const now: Effect.Effect<number> = Clock.currentTimeMillis

/** Now on the audio timeline (clock ms × timeScale). */
export const audioNow = (config: Config): Effect.Effect<number> =>
  Effect.map(Clock.currentTimeMillis, (t) => t * config.timeScale)

const isoOf = (ms: number): string => {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? '1970-01-01T00:00:00.000Z' : d.toISOString()
}

/** Now as ISO-8601 (world clock). */
export const iso: Effect.Effect<string> = Effect.map(Clock.currentTimeMillis, isoOf)

// ------------------------------------------------------------------ keys of fibers

export const keys = {
  call: (callId: string) => `${callId}|`,
  ring: (callId: string, raw: string) => `${callId}|ring|${raw}`,
  play: (callId: string, operationId: string) => `${callId}|play|${operationId}`,
  tones: (callId: string, operationId: string) => `${callId}|tones|${operationId}`,
  hold: (callId: string, raw: string) => `${callId}|hold|${raw}`,
  transfer: (callId: string, operationId: string) => `${callId}|transfer|${operationId}`,
  stream: (callId: string) => `${callId}|stream`,
  transcription: (callId: string) => `${callId}|transcription`,
  party: (callId: string, raw: string) => `${callId}|party|${raw}|`,
  press: (callId: string, raw: string, n: number) => `${callId}|party|${raw}|press|${n}`,
  speech: (callId: string, raw: string, n: number) => `${callId}|party|${raw}|speech|${n}`,
}

// ------------------------------------------------------------------ the service

/** A phone as nobody configured it. */
export const fresh = (config: Config, identifier: Identifier.Identifier): Phone.Phone => ({
  rawId: Identifier.rawId(identifier),
  identifier,
  behavior: { answer: 'auto', answerDelayMs: config.defaultAnswerDelayMs },
  heard: [],
  played: [],
  incoming: [],
  calls: new Set(),
})

export const make = (config: Config) =>
  Effect.gen(function* () {
    const fibers = yield* FiberMap.make<string>()
    const phones = new Map<string, Phone.Phone>()
    const calls = new Map<string, CallRecord>()
    const phone = (identifier: Identifier.Identifier): Phone.Phone => {
      const rawId = Identifier.rawId(identifier)
      let p = phones.get(rawId)
      if (p === undefined) {
        p = fresh(config, identifier)
        phones.set(rawId, p)
      }
      return p
    }
    const call = (callId: string): CallRecord => {
      let c = calls.get(callId)
      if (c === undefined) {
        if (calls.size >= MAX_CALLS)
          for (const [id, old] of calls) {
            if (calls.size < MAX_CALLS * 0.9) break
            if (old.ended) calls.delete(id)
          }
        c = {
          id: callId,
          legs: new Map(),
          ended: false,
          stream: null,
          transcription: null,
          report: null,
        }
        calls.set(callId, c)
      }
      return c
    }
    const fork = (key: string, effect: Effect.Effect<void>) =>
      Effect.asVoid(
        FiberMap.run(
          fibers,
          key,
        )(
          effect.pipe(
            Effect.catchAllCause((cause) =>
              Effect.logWarning(`simulated world: ${key} failed`, cause),
            ),
          ),
        ),
      )
    const stop = (key: string) => FiberMap.remove(fibers, key)
    const stopAll = (prefix: string) =>
      Effect.forEach(
        Array.from(fibers, ([k]) => k).filter((k) => k.startsWith(prefix)),
        (k) => FiberMap.remove(fibers, k),
        { discard: true },
      )
    return World.of({ config, phones, calls, phone, call, fork, stop, stopAll })
  })

export const layer = (config: Config): Layer.Layer<World> => Layer.scoped(World, make(config))

// ------------------------------------------------------------------ helpers on the state

/** Parties of the call that hear what is played to everyone: connected and not on hold. */
export const listeners = (call: CallRecord): ReadonlyArray<Leg> =>
  Array.from(call.legs.values()).filter((l) => l.status === 'connected' && !l.onHold)

export const connected = (call: CallRecord): ReadonlyArray<[string, Leg]> =>
  Array.from(call.legs.entries()).filter(([, l]) => l.status === 'connected')

/** Drops audio segments that ended long ago. */
export const prune = (leg: Leg, audioMs: number): void => {
  let drop = 0
  for (const s of leg.segments) {
    if (s.startAudioMs + s.durationMs < audioMs - 10_000) drop++
    else break
  }
  if (drop > 0) leg.segments.splice(0, drop)
}
