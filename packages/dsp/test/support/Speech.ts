/** Speech from espeak-ng, when it is installed (CI installs it), read with our WAV reader. */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WavReader } from '../../src/index.js'

export const espeakAvailable = (): boolean =>
  spawnSync('sh', ['-c', 'command -v espeak-ng'], { encoding: 'utf8' }).status === 0

export interface Utterance {
  readonly voice: string
  readonly pitch: number
  readonly text: string
}

export const SENTENCES: ReadonlyArray<string> = [
  'Welcome to the automated attendant. For billing inquiries press one.',
  'Sing a song of sixpence, a pocket full of rye. Four and twenty blackbirds baked in a pie.',
  "Oh say can you see, by the dawn's early light, what so proudly we hailed.",
  'Please hold while we connect your call. Your call is important to us.',
  'Nine, eight, seven, six, five, four, three, two, one, zero, star and pound.',
]

export const VOICES: ReadonlyArray<string> = ['en', 'en-us', 'en+f3', 'en+m3', 'en+m7', 'de', 'fr']

/** Synthesizes each utterance to a WAV file in a temporary folder and reads it back. */
export const speak = (
  utterances: ReadonlyArray<Utterance>,
): ReadonlyArray<{
  readonly utterance: Utterance
  readonly sampleRate: number
  readonly samples: Float32Array
}> => {
  const dir = mkdtempSync(join(tmpdir(), 'dsp-speech-'))
  try {
    return utterances.map((utterance, i) => {
      const file = join(dir, `u${i}.wav`)
      execFileSync(
        'espeak-ng',
        ['-v', utterance.voice, '-p', String(utterance.pitch), '-w', file, utterance.text],
        {
          stdio: 'ignore',
        },
      )
      const wav = WavReader.read(new Uint8Array(readFileSync(file)))
      return { utterance, sampleRate: wav.format.sampleRate, samples: wav.samples }
    })
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
