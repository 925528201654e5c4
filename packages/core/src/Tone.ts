/**
 * The sixteen DTMF tones, by their ACS wire names, with the key each one stands for.
 */
export const all = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
  'a',
  'b',
  'c',
  'd',
  'pound',
  'asterisk',
] as const

export type Tone = (typeof all)[number]

const keys: { readonly [T in Tone]: string } = {
  zero: '0',
  one: '1',
  two: '2',
  three: '3',
  four: '4',
  five: '5',
  six: '6',
  seven: '7',
  eight: '8',
  nine: '9',
  a: 'A',
  b: 'B',
  c: 'C',
  d: 'D',
  pound: '#',
  asterisk: '*',
}

const byKey: ReadonlyMap<string, Tone> = new Map(all.map((t) => [keys[t], t] as const))
const names: ReadonlySet<string> = new Set(all)

/** The wire name is case-sensitive on ACS (`pound`, not `Pound`). */
export const isTone = (u: unknown): u is Tone => typeof u === 'string' && names.has(u)

/** The keypad character: `pound` → `#`, `asterisk` → `*`, `a` → `A`. */
export const toKey = (tone: Tone): string => keys[tone]

/** The tone of a keypad character (case-insensitive for A–D); null when it is not a DTMF key. */
export const fromKey = (key: string): Tone | null => byKey.get(key.toUpperCase()) ?? null

/** `['one','two','pound']` → `12#`. */
export const toKeys = (tones: ReadonlyArray<Tone>): string => tones.map(toKey).join('')

/** The largest number of tones one SendDtmfTones request may carry. */
export const maxTonesPerRequest = 18
