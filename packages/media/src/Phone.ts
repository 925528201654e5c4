import type { Identifier, Tone } from '@switchboard/core'

/**
 * A simulated phone (a PSTN number) or ACS user, by raw id: how it answers, and its log of what
 * it heard (DTMF digits found in the audio sent to it) and what was played to it.
 */

export const answers = ['auto', 'manual', 'busy', 'noAnswer', 'reject'] as const
export type Answer = (typeof answers)[number]

export const isAnswer = (u: unknown): u is Answer =>
  typeof u === 'string' && (answers as ReadonlyArray<string>).includes(u)

export interface Behavior {
  /**
   * `auto`: answers after `answerDelayMs`; `manual`: rings until told to answer (simulator API);
   * `busy` / `reject`: declines after `answerDelayMs` (busy, declined); `noAnswer`: rings until
   * the ring timeout.
   */
  readonly answer: Answer
  readonly answerDelayMs: number
}

/** A digit the phone's DTMF detector found in the audio sent to it. */
export interface HeardDigit {
  readonly callConnectionId: string
  readonly tone: Tone.Tone
  readonly key: string
  /** When the tone ended (ISO-8601, world clock). */
  readonly at: string
}

export type PlayedKind = 'play' | 'holdMusic' | 'streamAudio'

/** Something the phone heard played: a play (PlayTo / PlayToAll / recognize prompt), hold music, streamed audio. */
export interface Played {
  readonly callConnectionId: string
  readonly kind: PlayedKind
  readonly operationId?: string
  readonly sources: ReadonlyArray<string>
  /** The audio's length; null while it loops (hold music, a play with `loop`). */
  durationMs: number | null
  readonly loop: boolean
  readonly startedAt: string
  endedAt?: string
  status: 'playing' | 'finished' | 'stopped'
}

export interface IncomingCallRecord {
  readonly incomingCallContext: string
  readonly to: string
  readonly serverCallId: string
  readonly at: string
}

export interface Phone {
  readonly rawId: Identifier.RawId
  readonly identifier: Identifier.Identifier
  behavior: Behavior
  readonly heard: Array<HeardDigit>
  readonly played: Array<Played>
  /** Calls this phone placed to the app that were not answered yet. */
  readonly incoming: Array<IncomingCallRecord>
  /** The calls it took part in, by call connection id. */
  readonly calls: Set<string>
}

/** Most log entries kept per phone (the oldest are dropped). */
export const MAX_LOG = 10_000

export const push = <A>(log: Array<A>, item: A): void => {
  log.push(item)
  if (log.length > MAX_LOG) log.splice(0, log.length - MAX_LOG)
}
