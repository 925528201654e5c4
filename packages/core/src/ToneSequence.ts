import type { Tone } from './Tone.js'
import { toKey } from './Tone.js'

/**
 * Rebuilds the keys a party pressed from ContinuousDtmfRecognitionToneReceived events that may
 * arrive in any order, more than once, or not at all.
 */
export interface Received {
  readonly sequenceId: number
  readonly tone: Tone
}

export interface Rebuilt {
  /** The tones in `sequenceId` order, each id once (the first tone seen for an id wins). */
  readonly tones: ReadonlyArray<Tone>
  /** The same as keypad characters: `12#`. */
  readonly keys: string
  /** Sequence ids between 1 and the highest id seen that never arrived. */
  readonly missing: ReadonlyArray<number>
  /** The highest sequence id seen (0 when none). */
  readonly last: number
}

export const rebuild = (received: Iterable<Received>): Rebuilt => {
  const byId = new Map<number, Tone>()
  for (const r of received) {
    if (!Number.isSafeInteger(r.sequenceId) || r.sequenceId < 1) continue
    if (!byId.has(r.sequenceId)) byId.set(r.sequenceId, r.tone)
  }
  const ids = [...byId.keys()].sort((a, b) => a - b)
  const last = ids.length === 0 ? 0 : ids[ids.length - 1]!
  const missing: Array<number> = []
  let expected = 1
  for (const id of ids) {
    for (; expected < id; expected++) missing.push(expected)
    expected = id + 1
  }
  const tones = ids.map((id) => byId.get(id)!)
  return { tones, keys: tones.map(toKey).join(''), missing, last }
}
