import { describe, expect, it } from 'vitest'
import { Dtmf, DtmfSynth, Goertzel, Level } from '../src/index.js'

describe('DtmfSynth', () => {
  it('maps the 16 keys to their row and column frequencies', () => {
    expect(Dtmf.KEYS.join('')).toBe('123A456B789C*0#D')
    expect(Dtmf.frequencies('1')).toEqual({ rowHz: 697, columnHz: 1209 })
    expect(Dtmf.frequencies('0')).toEqual({ rowHz: 941, columnHz: 1336 })
    expect(Dtmf.frequencies('D')).toEqual({ rowHz: 941, columnHz: 1633 })
    expect(Dtmf.frequencies('#')).toEqual({ rowHz: 941, columnHz: 1477 })
    expect(() => Dtmf.parseKeys('12x')).toThrow(RangeError)
    expect(Dtmf.parseKeys('a*d')).toEqual(['A', '*', 'D'])
  })

  it('lays out tones and gaps', () => {
    const s = DtmfSynth.render('12', {
      sampleRate: 16000,
      toneMs: 50,
      gapMs: 30,
      leadMs: 10,
      tailMs: 20,
    })
    expect(s.samples.length).toBe(16 * (10 + 50 + 30 + 50 + 20))
    expect(s.placements).toEqual([
      { key: '1', start: 160, end: 960 },
      { key: '2', start: 1440, end: 2240 },
    ])
  })

  it('puts each tone at its level, frequency and twist', () => {
    const rate = 8000
    const x = DtmfSynth.tone('5', { sampleRate: rate, toneMs: 500, levelDbfs: -20, twistDb: 4 })
    const row = Level.sineLevel(Goertzel.amplitude(x, 770, rate, 0, 4000))
    const col = Level.sineLevel(Goertzel.amplitude(x, 1336, rate, 0, 4000))
    expect(row).toBeCloseTo(-22, 1)
    expect(col).toBeCloseTo(-18, 1)
    const off = DtmfSynth.toneSpec('5', { frequencyOffset: 0.015 })
    expect(off.rowHz).toBeCloseTo(770 * 1.015, 6)
    expect(off.columnHz).toBeCloseTo(1336 * 1.015, 6)
  })

  it('refuses a level that would clip', () => {
    expect(() => DtmfSynth.tone('1', { levelDbfs: 0 })).toThrow(RangeError)
  })
})
