import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Goertzel, Level } from '../src/index.js'

describe('Goertzel', () => {
  it('equals the direct DFT at any frequency', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 200 }),
        fc.double({ min: 10, max: 3990, noNaN: true }),
        (xs, hz) => {
          const w = (2 * Math.PI * hz) / 8000
          let re = 0
          let im = 0
          xs.forEach((x, n) => {
            re += x * Math.cos(w * n)
            im -= x * Math.sin(w * n)
          })
          const bin = Goertzel.dft(xs, hz, 8000)
          expect(bin.re).toBeCloseTo(re, 6)
          expect(bin.im).toBeCloseTo(im, 6)
          expect(Goertzel.power(xs, hz, 8000)).toBeCloseTo(re * re + im * im, 5)
        },
      ),
    )
  })

  it('measures a sine amplitude, and the window gain off-bin', () => {
    const x = Float32Array.from(
      { length: 800 },
      (_, n) => 0.25 * Math.sin((2 * Math.PI * 1000 * n) / 8000),
    )
    expect(Goertzel.amplitude(x, 1000, 8000)).toBeCloseTo(0.25, 4)
    expect(Level.sineLevel(Goertzel.amplitude(x, 1000, 8000))).toBeCloseTo(-12.04, 1)
    const y = Float32Array.from({ length: 128 }, (_, n) =>
      Math.sin((2 * Math.PI * 1020 * n) / 8000),
    )
    expect(Goertzel.amplitude(y, 1000, 8000)).toBeCloseTo(
      Goertzel.rectangularGain(20, 128, 8000),
      2,
    )
    expect(Goertzel.rectangularGain(0, 128, 8000)).toBe(1)
    expect(Goertzel.rectangularGain(62.5, 128, 8000)).toBeLessThan(1e-9)
  })
})
