import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Goertzel, Resampler } from '../src/index.js'

const sine = (hz: number, rate: number, seconds: number, amplitude = 0.5): Float32Array =>
  Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, n) => amplitude * Math.sin((2 * Math.PI * hz * n) / rate),
  )

/** Amplitude of `hz` over the middle of `x` (away from the edges). */
const amplitudeOf = (x: Float32Array, hz: number, rate: number): number =>
  Goertzel.amplitude(x, hz, rate, Math.floor(x.length / 4), Math.floor(x.length / 2))

describe('Resampler', () => {
  const pairs: Array<[number, number]> = [
    [8000, 16000],
    [16000, 8000],
    [8000, 24000],
    [24000, 8000],
    [44100, 8000],
    [48000, 8000],
    [8000, 44100],
    [22050, 16000],
    [11025, 8000],
    [8000, 47999],
  ]

  for (const [from, to] of pairs)
    it(`keeps a 1 kHz tone's amplitude and length from ${from} to ${to} Hz`, () => {
      const x = sine(1000, from, 0.5)
      const y = Resampler.resample(x, from, to)
      expect(y.length).toBe(Math.ceil((x.length * to) / from))
      expect(amplitudeOf(y, 1000, to)).toBeCloseTo(0.5, 2)
    })

  it('keeps the timing: output sample n is the input at time n / rate', () => {
    const x = sine(440, 48000, 0.2)
    const y = Resampler.resample(x, 48000, 8000)
    const expected = sine(440, 8000, 0.2)
    for (let n = 200; n < 1400; n++) expect(Math.abs(y[n]! - expected[n]!)).toBeLessThan(2e-3)
  })

  for (const from of [16000, 24000, 44100, 48000])
    it(`filters out what would alias when going from ${from} to 8000 Hz`, () => {
      const y = Resampler.resample(sine(5000, from, 0.5), from, 8000)
      // 5 kHz would fold to 3 kHz.
      expect(amplitudeOf(y, 3000, 8000)).toBeLessThan(0.5 * 1e-3)
    })

  it('gives the same output whatever the block sizes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<[number, number]>(
          [8000, 16000],
          [44100, 8000],
          [48000, 8000],
          [16000, 24000],
          [8000, 11025],
        ),
        fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 10 }),
        ([from, to], sizes) => {
          const x = sine(700, from, 0.1)
          const whole = Resampler.resample(x, from, to)
          const r = Resampler.create(from, to)
          const parts: number[] = []
          let offset = 0
          for (let i = 0; offset < x.length; i++) {
            const size = sizes[i % sizes.length]! || 1
            parts.push(...r.process(x.subarray(offset, offset + size)))
            offset += size
          }
          parts.push(...r.flush())
          expect(parts.length).toBe(whole.length)
          for (let i = 0; i < whole.length; i++) expect(parts[i]).toBeCloseTo(whole[i]!, 5)
        },
      ),
      { numRuns: 30 },
    )
  })

  it('refuses rates it does not handle', () => {
    expect(() => Resampler.create(1000, 8000)).toThrow(RangeError)
    expect(() => Resampler.create(8000, 8000.5)).toThrow(RangeError)
  })
})
