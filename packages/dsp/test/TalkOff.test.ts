import { describe, expect, it } from 'vitest'
import { DtmfDetector } from '../src/index.js'
import * as Signals from './support/Signals.js'
import * as Speech from './support/Speech.js'

describe('talk-off: no digits in speech or music', () => {
  it('detects nothing in synthesized speech (espeak-ng)', () => {
    if (!Speech.espeakAvailable()) {
      // CI installs espeak-ng; elsewhere say so instead of passing silently.
      console.warn('notice: espeak-ng is not installed; the speech talk-off test did not run')
      expect(process.env.CI).not.toBe('true')
      return
    }
    const utterances = Speech.VOICES.flatMap((voice, v) =>
      Speech.SENTENCES.map((text, s) => ({ voice, text, pitch: [20, 50, 80, 99][(v + s) % 4]! })),
    )
    const spoken = Speech.speak(utterances)
    expect(spoken.length).toBe(utterances.length)
    let seconds = 0
    for (const { utterance, sampleRate, samples } of spoken) {
      seconds += samples.length / sampleRate
      expect(DtmfDetector.detectAll(samples, sampleRate), JSON.stringify(utterance)).toEqual([])
    }
    expect(seconds).toBeGreaterThan(60)
  }, 60_000)

  it('detects nothing in harmonic chords and melodies', () => {
    const rate = 16000
    // Every chord of three notes from a two-octave scale around the DTMF band, played with
    // six harmonics, one after another, with vibrato on every other chord.
    const notes: Signals.Note[] = []
    let t = 0
    for (let root = 55; root < 80; root += 2)
      for (const shape of [
        [0, 4, 7],
        [0, 3, 7],
        [0, 5, 9],
        [0, 7, 12],
      ]) {
        for (const step of shape)
          notes.push({ hz: Signals.midiHz(root + step), startS: t, lengthS: 0.4 })
        t += 0.25
      }
    for (const vibratoDepth of [0, 0.004]) {
      const x = Signals.renderNotes(notes, rate, { harmonics: 6, level: 0.15, vibratoDepth })
      expect(DtmfDetector.detectAll(x, rate)).toEqual([])
    }
  }, 60_000)

  it('detects nothing in sweeps and a sweep over a held chord', () => {
    const rate = 8000
    for (const harmonics of [1, 3]) {
      expect(
        DtmfDetector.detectAll(Signals.sweep(300, 3500, 4, rate, 0.3, harmonics), rate),
      ).toEqual([])
      expect(
        DtmfDetector.detectAll(Signals.sweep(2000, 500, 2, rate, 0.3, harmonics), rate),
      ).toEqual([])
    }
    const chord = Signals.renderNotes(
      [60, 64, 67].map((m) => ({ hz: Signals.midiHz(m), startS: 0, lengthS: 3 })),
      rate,
      { harmonics: 5, level: 0.15 },
    )
    const s = Signals.sweep(600, 1800, 3, rate, 0.1)
    for (let i = 0; i < s.length; i++) chord[i]! += s[i]!
    expect(DtmfDetector.detectAll(chord, rate)).toEqual([])
  })
})
