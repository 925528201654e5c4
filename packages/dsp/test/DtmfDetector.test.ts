import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Dtmf, DtmfDetector, DtmfSynth } from '../src/index.js'
import * as Signals from './support/Signals.js'

const ALL = Dtmf.KEYS.join('')
const decode = (x: Float32Array, rate = 8000): string => DtmfDetector.decode(x, rate)
const synth = (keys: string, options: DtmfSynth.Options = {}): Float32Array =>
  DtmfSynth.synthesize(keys, { leadMs: 100, tailMs: 100, levelDbfs: -15, ...options })
const noisy = (x: Float32Array, snrDb: number, seed: number): Float32Array =>
  Signals.addNoise(x, Signals.activePower(x), snrDb, seed)

describe('DtmfDetector: frequency tolerance (Q.24: accept 1.5%, reject 3.5%)', () => {
  for (const offset of [-0.015, 0.015])
    it(`accepts all keys ${offset * 100}% off nominal`, () => {
      expect(decode(synth(ALL, { frequencyOffset: offset }))).toBe(ALL)
      expect(decode(synth(ALL, { rowOffset: offset, columnOffset: -offset }))).toBe(ALL)
    })

  for (const offset of [-0.035, 0.035])
    it(`rejects all keys ${offset * 100}% off nominal, on either tone`, () => {
      expect(decode(synth(ALL, { frequencyOffset: offset }))).toBe('')
      expect(decode(synth(ALL, { rowOffset: offset }))).toBe('')
      expect(decode(synth(ALL, { columnOffset: offset }))).toBe('')
    })

  it('reports levels, twist and timing', () => {
    const d = DtmfDetector.detectAll(synth('9', { toneMs: 200, levelDbfs: -23, twistDb: 3 }), 8000)
    expect(d).toHaveLength(1)
    expect(d[0]!.key).toBe('9')
    expect(d[0]!.levelDbfs).toBeCloseTo(-23, 0)
    expect(d[0]!.twistDb).toBeCloseTo(3, 0)
    expect(Math.abs(d[0]!.startMs - 100)).toBeLessThan(3)
    expect(Math.abs(d[0]!.endMs - 300)).toBeLessThan(3)
  })
})

describe('DtmfDetector: level', () => {
  it('accepts tones down to -35 dBFS and ignores them at -45 dBFS', () => {
    expect(decode(synth(ALL, { levelDbfs: -35 }))).toBe(ALL)
    expect(decode(synth(ALL, { levelDbfs: -45 }))).toBe('')
  })

  it('is not thrown by a DC offset (as from 8-bit or badly biased sources)', () => {
    const x = synth(ALL, { levelDbfs: -20 })
    for (let i = 0; i < x.length; i++) x[i] = x[i]! + 0.3
    expect(decode(x)).toBe(ALL)
  })

  it('accepts full-scale tones', () => {
    expect(decode(synth(ALL, { levelDbfs: -6.1 }))).toBe(ALL)
  })
})

describe('DtmfDetector: twist', () => {
  for (const twist of [-8, 8])
    it(`accepts ${twist} dB of twist, also at the frequency limits and at 20 dB SNR`, () => {
      expect(decode(synth(ALL, { twistDb: twist }))).toBe(ALL)
      expect(decode(synth(ALL, { twistDb: twist, frequencyOffset: 0.015 }))).toBe(ALL)
      expect(decode(synth(ALL, { twistDb: twist, frequencyOffset: -0.015 }))).toBe(ALL)
      expect(decode(noisy(synth(ALL, { twistDb: twist }), 20, 11))).toBe(ALL)
    })

  for (const twist of [-14, 14, -16, 16])
    it(`rejects ${twist} dB of twist`, () => {
      expect(decode(synth(ALL, { twistDb: twist, levelDbfs: -12 }))).toBe('')
    })
})

describe('DtmfDetector: timing', () => {
  it('accepts 40 ms tones with 40 ms gaps', () => {
    const keys = ALL + ALL.split('').reverse().join('')
    expect(decode(synth(keys, { toneMs: 40, gapMs: 40 }))).toBe(keys)
  })

  for (const toneMs of [20, 25, 30])
    it(`rejects ${toneMs} ms tones`, () => {
      expect(decode(synth(ALL, { toneMs, gapMs: 60 }))).toBe('')
    })

  it('reports one detection for one long press (2 s)', () => {
    for (const key of ['5', 'D', '*']) {
      const d = DtmfDetector.detectAll(synth(key, { toneMs: 2000 }), 8000)
      expect(d.map((x) => x.key)).toEqual([key])
      expect(d[0]!.endMs - d[0]!.startMs).toBeGreaterThan(1990)
    }
  })

  it('reports one detection for a long press through noise at 10 dB SNR', () => {
    expect(decode(noisy(synth('7', { toneMs: 2000 }), 10, 3))).toBe('7')
  })

  it('bridges a 10 ms dropout inside one press', () => {
    const a = synth('3', { toneMs: 300, leadMs: 100, tailMs: 0 })
    const b = synth('3', { toneMs: 300, leadMs: 10, tailMs: 100 })
    const x = new Float32Array(a.length + b.length)
    x.set(a)
    x.set(b, a.length)
    expect(decode(x)).toBe('3')
  })

  it('tells repeated presses of the same key apart by 40 ms gaps', () => {
    for (const key of Dtmf.KEYS) {
      const keys = key.repeat(5)
      expect(decode(synth(keys, { toneMs: 60, gapMs: 40 }))).toBe(keys)
      expect(decode(synth(keys, { toneMs: 40, gapMs: 40 }))).toBe(keys)
    }
  })

  it('emits each press once the key is released, with positions in ms from the stream start', () => {
    const rate = 16000
    const x = synth('12', { sampleRate: rate, toneMs: 100, gapMs: 100 })
    const detector = DtmfDetector.create(rate)
    const seen: Array<{ key: string; at: number }> = []
    for (let i = 0; i < x.length; i += 320)
      for (const d of detector.push(x.subarray(i, i + 320)))
        seen.push({ key: d.key, at: (i + 320) / 16 })
    for (const d of detector.flush()) seen.push({ key: d.key, at: x.length / 16 })
    expect(seen.map((s) => s.key)).toEqual(['1', '2'])
    expect(seen[0]!.at).toBeGreaterThan(200)
    expect(seen[0]!.at).toBeLessThan(260)
  })
})

describe('DtmfDetector: noise', () => {
  // White noise over the whole band; SNR is the tones' power over the noise power.
  // Expected to work: 20, 10 and 6 dB (at zero twist). Not expected: below about 5 dB.
  for (const snr of [20, 10, 6])
    it(`decodes every key in white noise at ${snr} dB SNR`, () => {
      for (const seed of [1, 2, 3]) {
        expect(decode(noisy(synth(ALL, { toneMs: 60, gapMs: 60 }), snr, seed))).toBe(ALL)
        expect(decode(noisy(synth(ALL, { toneMs: 40, gapMs: 40 }), snr, seed + 10))).toBe(ALL)
      }
    })

  it('decodes at 10 dB SNR with 1.5% frequency offsets', () => {
    expect(decode(noisy(synth(ALL, { frequencyOffset: 0.015 }), 10, 4))).toBe(ALL)
    expect(decode(noisy(synth(ALL, { frequencyOffset: -0.015 }), 10, 5))).toBe(ALL)
  })

  it('decodes at 10 dB SNR with 8 dB of twist and 1.5% offsets, 40 ms tones included', () => {
    let seed = 20
    for (const twistDb of [-8, 8])
      for (const frequencyOffset of [-0.015, 0.015])
        for (const toneMs of [40, 100]) {
          const x = synth(ALL, { twistDb, frequencyOffset, toneMs, gapMs: 40 })
          expect(
            decode(noisy(x, 10, seed++)),
            `${twistDb} dB, ${frequencyOffset}, ${toneMs} ms`,
          ).toBe(ALL)
        }
  })

  it('detects nothing in noise alone', () => {
    for (const seed of [1, 2, 3]) {
      const n = Signals.gaussian(8000 * 10, seed)
      for (let i = 0; i < n.length; i++) n[i]! *= 0.1
      expect(DtmfDetector.detectAll(n, 8000)).toEqual([])
    }
  })
})

describe('DtmfDetector: sample rates', () => {
  for (const rate of [8000, 11025, 16000, 22050, 24000, 32000, 44100, 48000])
    it(`decodes 40/40 ms sequences at ${rate} Hz`, () => {
      expect(decode(synth(ALL, { sampleRate: rate, toneMs: 40, gapMs: 40 }), rate)).toBe(ALL)
    })

  it('places presses to within 3 ms at 44100 Hz too', () => {
    const rate = 44100
    const s = DtmfSynth.render('5#9', { sampleRate: rate, toneMs: 70, gapMs: 55, leadMs: 33 })
    const d = DtmfDetector.detectAll(s.samples, rate)
    expect(d.map((x) => x.key)).toEqual(['5', '#', '9'])
    d.forEach((x, i) => {
      expect(Math.abs(x.startMs - (s.placements[i]!.start * 1000) / rate)).toBeLessThan(3)
      expect(Math.abs(x.endMs - (s.placements[i]!.end * 1000) / rate)).toBeLessThan(3)
    })
  })

  it('refuses rates outside 8000–48000 Hz', () => {
    expect(() => DtmfDetector.create(7999)).toThrow(RangeError)
    expect(() => DtmfDetector.create(96000)).toThrow(RangeError)
  })

  it('gives the same detections whatever the block sizes', () => {
    const x = noisy(synth('147*2580369#ABCD', { sampleRate: 16000, toneMs: 45, gapMs: 45 }), 15, 9)
    const whole = DtmfDetector.detectAll(x, 16000)
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 6 }),
        (sizes) => {
          const d = DtmfDetector.create(16000)
          const got: DtmfDetector.Detection[] = []
          let offset = 0
          for (let i = 0; offset < x.length; i++) {
            const size = sizes[i % sizes.length]!
            got.push(...d.push(x.subarray(offset, offset + size)))
            offset += size
          }
          got.push(...d.flush())
          expect(got).toEqual(whole)
        },
      ),
      { numRuns: 15 },
    )
  })
})

describe('DtmfDetector: property', () => {
  it('decodes any key string synthesized within spec at any rate', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...Dtmf.KEYS), { minLength: 1, maxLength: 12 }),
        fc.oneof(
          fc.constantFrom(8000, 16000, 24000, 44100, 48000),
          fc.integer({ min: 8000, max: 48000 }),
        ),
        fc.double({ min: -30, max: -10, noNaN: true }),
        fc.double({ min: -6, max: 6, noNaN: true }),
        fc.double({ min: -0.012, max: 0.012, noNaN: true }),
        fc.integer({ min: 40, max: 150 }),
        fc.integer({ min: 40, max: 150 }),
        (keys, rate, levelDbfs, twistDb, frequencyOffset, toneMs, gapMs) => {
          const x = DtmfSynth.synthesize(keys, {
            sampleRate: rate,
            levelDbfs,
            twistDb,
            frequencyOffset,
            toneMs,
            gapMs,
            leadMs: 50,
            tailMs: 50,
          })
          expect(DtmfDetector.decode(x, rate)).toBe(keys.join(''))
        },
      ),
      { numRuns: 60 },
    )
  }, 60_000)
})
