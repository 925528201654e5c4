/**
 * Speech in the simulated world: how long text takes to say (a reading-rate estimate), where each
 * word falls, and a simple synthetic voice to carry it as audio (a buzz at a speaking pitch shaped
 * by two formants per vowel, one syllable envelope per vowel group). It is not intelligible; it is
 * speech-like audio with the right timing, level and spectrum for streaming and for talk-off.
 */

/** One word of an utterance, placed in time from its start (ms). */
export interface Word {
  readonly text: string
  readonly offsetMs: number
  readonly durationMs: number
}

export interface Utterance {
  readonly text: string
  readonly words: ReadonlyArray<Word>
  readonly durationMs: number
}

/** A word takes a base plus a per-letter time: a five-letter word lasts 400 ms (150 words/min). */
export const WORD_BASE_MS = 100
export const LETTER_MS = 60
/** Pauses after punctuation and between words. */
export const COMMA_PAUSE_MS = 150
export const SENTENCE_PAUSE_MS = 300
export const WORD_GAP_MS = 40

const letters = (word: string): number => word.replace(/[^\p{L}\p{N}]/gu, '').length

/** Splits text into words and places them at a steady reading rate. */
export const utterance = (text: string, extraPausesMs: ReadonlyMap<number, number> = new Map()) => {
  const tokens = text.split(/\s+/).filter((t) => t.length > 0)
  const words: Array<Word> = []
  let at = 0
  tokens.forEach((token, index) => {
    const n = letters(token)
    const pause = extraPausesMs.get(index) ?? 0
    at += pause
    if (n === 0) return
    const durationMs = WORD_BASE_MS + LETTER_MS * n
    words.push({
      text: token.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''),
      offsetMs: at,
      durationMs,
    })
    at += durationMs
    if (/[.!?]$/.test(token)) at += SENTENCE_PAUSE_MS
    else if (/[,;:]$/.test(token)) at += COMMA_PAUSE_MS
    else at += WORD_GAP_MS
  })
  const last = words.at(-1)
  const durationMs = last === undefined ? 0 : Math.max(at, last.offsetMs + last.durationMs)
  return { text, words, durationMs } satisfies Utterance
}

const breakTime = (attributes: string): number => {
  const time = /time\s*=\s*["']([\d.]+)\s*(ms|s)["']/i.exec(attributes)
  if (time !== null) return Number(time[1]) * (time[2]!.toLowerCase() === 's' ? 1000 : 1)
  const strength = /strength\s*=\s*["'](\w+)["']/i.exec(attributes)?.[1]?.toLowerCase()
  switch (strength) {
    case 'none':
      return 0
    case 'x-weak':
      return 100
    case 'weak':
      return 200
    case 'strong':
      return 750
    case 'x-strong':
      return 1200
    default:
      return 500
  }
}

/**
 * The spoken text of SSML and its explicit pauses: tags are dropped, `<break>` elements add their
 * time (or strength) before the next word, entities are decoded.
 */
export const fromSsml = (ssml: string): Utterance => {
  const pauses = new Map<number, number>()
  const parts: Array<string> = []
  let wordCount = 0
  const re = /<\s*break\b([^>]*)\/?>|<[^>]*>|([^<]+)/gi
  for (let m = re.exec(ssml); m !== null; m = re.exec(ssml)) {
    if (m[1] !== undefined) pauses.set(wordCount, (pauses.get(wordCount) ?? 0) + breakTime(m[1]))
    else if (m[2] !== undefined) {
      const text = m[2]
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&apos;/g, "'")
        .replace(/&amp;/g, '&')
      parts.push(text)
      wordCount += text.split(/\s+/).filter((t) => t.length > 0).length
    }
  }
  const spoken = parts.join(' ').replace(/\s+/g, ' ').trim()
  const u = utterance(spoken, pauses)
  // a break after the last word still takes its time
  const trailing = pauses.get(wordCount) ?? 0
  return { ...u, durationMs: u.durationMs + trailing }
}

// ------------------------------------------------------------------ the synthetic voice

/** F1/F2 (Hz) of a few vowels; a syllable takes the formants of its vowel letter. */
const FORMANTS: Readonly<Record<string, readonly [number, number]>> = {
  a: [730, 1090],
  e: [530, 1840],
  i: [270, 2290],
  o: [570, 840],
  u: [300, 870],
  y: [400, 2000],
}
const DEFAULT_FORMANTS: readonly [number, number] = [500, 1500]

const syllables = (word: string): ReadonlyArray<readonly [number, number]> => {
  const groups = word.toLowerCase().match(/[aeiouy]+/g) ?? []
  if (groups.length === 0) return [DEFAULT_FORMANTS]
  return groups.map((g) => FORMANTS[g[0]!] ?? DEFAULT_FORMANTS)
}

/** Resonance gain of a harmonic at `hz` near a formant at `f` (bandwidth ~ 100 Hz). */
const resonance = (hz: number, f: number): number => 1 / (1 + ((hz - f) / 100) ** 2)

/** One period of the voice's waveform is tabulated (per syllable) and read at the pitch. */
const TABLE = 1024

/** One period of a harmonic series weighted by the formants `f1`, `f2` (peak-normalized sum). */
const period = (f1: number, f2: number, pitchHz: number, sampleRate: number): Float32Array => {
  const table = new Float32Array(TABLE)
  let norm = 0
  for (let h = 1; h * pitchHz < Math.min(3800, sampleRate / 2 - 200); h++) {
    const hz = h * pitchHz
    const g = resonance(hz, f1) + 0.6 * resonance(hz, f2) + 0.02 / h
    norm += g
    for (let i = 0; i < TABLE; i++)
      table[i] = table[i]! + g * Math.sin((2 * Math.PI * h * i) / TABLE)
  }
  if (norm > 0) for (let i = 0; i < TABLE; i++) table[i] = table[i]! / norm
  return table
}

/**
 * Renders an utterance at `sampleRate` (peak about -12 dBFS): for each word, its syllables in turn,
 * each a harmonic series at a gently falling pitch (with a slow vibrato) weighted by its vowel's
 * two formants, under a syllable envelope.
 */
export const render = (u: Utterance, sampleRate: number, pitchHz = 120): Float32Array => {
  const out = new Float32Array(Math.ceil((u.durationMs * sampleRate) / 1000))
  for (const word of u.words) {
    const parts = syllables(word.text)
    const start = Math.round((word.offsetMs * sampleRate) / 1000)
    const length = Math.round((word.durationMs * sampleRate) / 1000)
    const per = Math.max(1, Math.floor(length / parts.length))
    parts.forEach(([f1, f2], s) => {
      const offset = start + s * per
      const table = period(f1, f2, pitchHz, sampleRate)
      let phase = 0
      for (let n = 0; n < per && offset + n < out.length; n++) {
        const t = n / sampleRate
        const f0 = pitchHz * (1 - (0.1 * n) / per) * (1 + 0.01 * Math.sin(2 * Math.PI * 5 * t))
        phase += f0 / sampleRate
        phase -= Math.floor(phase)
        const envelope = Math.sqrt(Math.sin((Math.PI * n) / per))
        out[offset + n] = 0.25 * envelope * table[Math.floor(phase * TABLE) & (TABLE - 1)]!
      }
    })
  }
  return out
}
