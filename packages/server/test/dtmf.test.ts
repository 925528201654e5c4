import { describe, expect, it } from 'vitest'
import { isRight } from 'fp-ts/lib/Either.js'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { WavFormat } from '@switchboard/dsp'
import { Base64, Dtmf, DtmfSynth, Pcm, WavWriter } from '@switchboard/dsp'
import { Streaming } from '@switchboard/wire'
import * as Decode from '../src/dtmf/Decode.js'
import { DecodeError } from '../src/dtmf/DecodeError.js'
import * as DtmfCli from '../src/dtmf/DtmfCli.js'
import * as Report from '../src/dtmf/Report.js'
import * as Synth from '../src/dtmf/Synth.js'

const ALL = Dtmf.KEYS.join('')
const RATES = [8000, 16000, 24000, 44100, 48000] as const
const ENCODINGS: ReadonlyArray<WavFormat.Encoding> = ['u8', 's16', 's24', 's32', 'f32']

/** Feeds `bytes` to a decoder in blocks of `size`. */
const inBlocks = (bytes: Uint8Array, input: Decode.Input, size: number): Decode.Decoded => {
  const d = Decode.decoder(input)
  for (let o = 0; o < bytes.length; o += size) d.push(bytes.subarray(o, o + size))
  return d.end()
}

const digits = (d: Decode.Decoded): string => d.tones.map((t) => t.key).join('')

/** An Io that keeps what the CLI prints. */
const capture = (stdin: ReadonlyArray<Uint8Array> = []) => {
  const out: string[] = []
  const err: string[] = []
  const bytes: Uint8Array[] = []
  const io: DtmfCli.Io = {
    out: (l) => void out.push(l),
    err: (l) => void err.push(l),
    outBytes: (b) => void bytes.push(b),
    stdin: async function* () {
      yield* stdin
    },
  }
  return { io, out, err, bytes }
}

const withDir = async <A>(f: (dir: string) => Promise<A>): Promise<A> => {
  const dir = mkdtempSync(join(tmpdir(), 'dtmf-test-'))
  try {
    return await f(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const decodeReport = (line: string): Report.Report => {
  const r = Report.Report.decode(JSON.parse(line))
  if (!isRight(r)) throw new Error(`not a report: ${line}`)
  return r.right
}

describe('synth then decode', () => {
  for (const rate of RATES)
    for (const encoding of ENCODINGS)
      it(`gives back every key at ${rate} Hz, ${encoding}`, () => {
        const wav = Synth.wav(ALL, { ...Synth.defaults, sampleRate: rate, encoding })
        const whole = Decode.bytes(wav, { _tag: 'Wav' })
        expect(digits(whole)).toBe(ALL)
        expect(whole.sampleRate).toBe(rate)
        expect(whole.durationMs).toBe(16 * 100 + 15 * 100)
        // read in odd-sized blocks, as from a stream: the same detections
        expect(inBlocks(wav, { _tag: 'Wav' }, 4099)).toEqual(whole)
      })

  it('places each tone and measures its level', () => {
    const wav = Synth.wav('159#', { ...Synth.defaults, sampleRate: 16000, levelDbfs: -20 })
    const { tones } = Decode.bytes(wav, { _tag: 'Wav' })
    expect(tones.map((t) => t.key)).toEqual(['1', '5', '9', '#'])
    tones.forEach((t, i) => {
      expect(Math.abs(t.startMs - 200 * i)).toBeLessThanOrEqual(3)
      expect(Math.abs(t.endMs - (200 * i + 100))).toBeLessThanOrEqual(3)
      expect(Math.abs(t.levelDbfs + 20)).toBeLessThanOrEqual(0.5)
    })
  })

  it('honours tone and gap lengths, twist and level', () => {
    const opts = { ...Synth.defaults, toneMs: 45, gapMs: 45, twistDb: 6, levelDbfs: -25 }
    expect(digits(Decode.bytes(Synth.wav('0123456789*#ABCD', opts), { _tag: 'Wav' }))).toBe(
      '0123456789*#ABCD',
    )
  })

  it('refuses options that cannot make a file', () => {
    const bad: Array<[string, Partial<Synth.Options>]> = [
      ['12x', {}],
      ['', {}],
      ['1', { sampleRate: 96000 }],
      ['1', { sampleRate: 7999 }],
      ['1', { toneMs: 0 }],
      ['1', { gapMs: -1 }],
      ['1', { levelDbfs: 0 }],
      ['1', { levelDbfs: NaN }],
      ['1', { encoding: 'alaw' as WavFormat.Encoding }],
    ]
    for (const [keys, o] of bad)
      expect(() => Synth.wav(keys, { ...Synth.defaults, ...o })).toThrow(Synth.SynthOptionError)
  })
})

describe('stereo and channels', () => {
  // left: 1 2 3 in the first, third and fifth slots; right: 4 5 6 in between
  const slots = (keys: string, first: boolean) => {
    const out = new Float32Array(16000 * 1.2)
    ;[...keys].forEach((k, i) => {
      const tone = DtmfSynth.tone(k as Dtmf.Key, { sampleRate: 16000, toneMs: 80 })
      out.set(tone, (first ? 0 : 1600) + i * 3200)
    })
    return out
  }
  const wav = WavWriter.write([slots('123', true), slots('456', false)], {
    sampleRate: 16000,
    encoding: 's24',
  })

  it('mixes the channels down by default', () => {
    expect(digits(Decode.bytes(wav, { _tag: 'Wav' }))).toBe('142536')
  })
  it('decodes one channel with channel N (1 is the first)', () => {
    expect(digits(Decode.bytes(wav, { _tag: 'Wav', channel: 1 }))).toBe('123')
    expect(digits(Decode.bytes(wav, { _tag: 'Wav', channel: 2 }))).toBe('456')
  })
  it('refuses a channel the file does not have', () => {
    expect(() => Decode.bytes(wav, { _tag: 'Wav', channel: 3 })).toThrow(
      /no such channel: channel 3 asked for, the file has 2/,
    )
  })
})

describe('raw 16-bit PCM', () => {
  it('decodes at any rate, whatever the block size (odd blocks split samples)', () => {
    for (const rate of RATES) {
      const pcm = Pcm.float32ToBytes(DtmfSynth.synthesize(ALL, { sampleRate: rate }))
      const d = inBlocks(pcm, { _tag: 'Raw', sampleRate: rate }, 333)
      expect(digits(d)).toBe(ALL)
      expect(d).toEqual(Decode.bytes(pcm, { _tag: 'Raw', sampleRate: rate }))
    }
  })
  it('refuses an odd number of bytes, no bytes, and rates out of range', () => {
    const pcm = Pcm.float32ToBytes(DtmfSynth.synthesize('1', { sampleRate: 8000 }))
    expect(() => Decode.bytes(pcm.subarray(1), { _tag: 'Raw', sampleRate: 8000 })).toThrow(
      /^truncated/,
    )
    expect(() => Decode.bytes(new Uint8Array(0), { _tag: 'Raw', sampleRate: 8000 })).toThrow(
      /^empty/,
    )
    expect(() => Decode.decoder({ _tag: 'Raw', sampleRate: 96000 })).toThrow(
      /^unsupported sample rate/,
    )
  })
})

describe('bad WAV input gives a typed reason', () => {
  const good = Synth.wav('12', Synth.defaults)
  const withFormat = (tag: number, bits: number): Uint8Array => {
    const b = good.slice()
    const v = new DataView(b.buffer)
    v.setUint16(20, tag, true)
    v.setUint16(34, bits, true)
    v.setUint16(32, bits / 8, true)
    v.setUint32(28, 8000 * (bits / 8), true)
    return b
  }
  const cases: Array<[string, Uint8Array, Decode.Input, DecodeError['reason']]> = [
    ['text', new TextEncoder().encode('hello, this is not audio\n'), { _tag: 'Wav' }, 'not audio'],
    ['a truncated header', good.subarray(0, 30), { _tag: 'Wav' }, 'truncated'],
    ['truncated audio', good.subarray(0, good.length - 101), { _tag: 'Wav' }, 'truncated'],
    ['A-law', withFormat(6, 8), { _tag: 'Wav' }, 'unsupported encoding'],
    ['64-bit float', withFormat(3, 64), { _tag: 'Wav' }, 'unsupported encoding'],
    [
      'a 96 kHz file',
      WavWriter.write(new Float32Array(960), { sampleRate: 96000 }),
      { _tag: 'Wav' },
      'unsupported sample rate',
    ],
    [
      'a 6 kHz file',
      WavWriter.write(new Float32Array(960), { sampleRate: 6000 }),
      { _tag: 'Wav' },
      'unsupported sample rate',
    ],
    ['an empty file', new Uint8Array(0), { _tag: 'Wav' }, 'empty'],
    [
      'a WAV with no samples',
      WavWriter.write(new Float32Array(0), { sampleRate: 8000 }),
      { _tag: 'Wav' },
      'empty',
    ],
  ]
  for (const [what, bytes, input, reason] of cases)
    it(`${what}: ${reason}`, () => {
      let error: unknown
      try {
        inBlocks(bytes, input, 7)
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(DecodeError)
      expect((error as DecodeError).reason).toBe(reason)
    })
})

// ---------------------------------------------------------------- media-streaming sessions

/** A session as the service frames it: 20 ms frames of 16-bit PCM, base64, one JSON per line. */
const session = (
  rate: 16000 | 24000,
  parties: ReadonlyArray<{ rawId?: string; keys: string; leadMs: number; startMs?: number }>,
  extra: ReadonlyArray<string> = [],
): string => {
  const lines = [Streaming.encode(Streaming.audioMetadata('sub-1', rate)), ...extra]
  const start = Date.parse('2026-11-25T10:00:00.000Z')
  const streams = parties.map((p) => {
    const keys = DtmfSynth.synthesize(p.keys, { sampleRate: rate, leadMs: p.leadMs, tailMs: 200 })
    return { ...p, frames: Pcm.toFrames(Pcm.float32ToBytes(keys), rate, true) }
  })
  const frames = Math.max(...streams.map((s) => s.frames.length + (s.startMs ?? 0) / 20))
  for (let f = 0; f < frames; f++)
    for (const s of streams) {
      const i = f - (s.startMs ?? 0) / 20
      const frame = s.frames[i]
      if (frame === undefined) continue
      const at = new Date(start + f * 20).toISOString()
      lines.push(
        Streaming.encode(
          Streaming.audioData(
            at,
            Base64.encode(frame),
            frame.every((b) => b === 0),
            s.rawId,
          ),
        ),
      )
      if (f === 10) lines.push(Streaming.encode(Streaming.dtmfData('1')))
    }
  return lines.join('\n') + '\n'
}

const jsonl = (text: string) => new TextEncoder().encode(text)

describe('--streaming-jsonl', () => {
  it('mixed audio at 16 kHz: the keys, placed from the start of the session', () => {
    const d = inBlocks(
      jsonl(session(16000, [{ keys: '42#', leadMs: 500 }])),
      { _tag: 'StreamingJsonl' },
      1000,
    )
    expect(digits(d)).toBe('42#')
    expect(d.participants).toBeUndefined()
    expect(d.sampleRate).toBe(16000)
    expect(Math.abs(d.tones[0]!.startMs - 500)).toBeLessThanOrEqual(3)
  })

  it('unmixed audio at 24 kHz: keys per participantRawID, times on the session clock', () => {
    const text = session(24000, [
      { rawId: '4:+14255550101', keys: '', leadMs: 300 },
      { rawId: '4:+14255550102', keys: '78', leadMs: 100, startMs: 400 },
    ])
    const d = inBlocks(jsonl(text), { _tag: 'StreamingJsonl' }, 65536)
    expect(d.participants).toEqual([
      { participantRawID: '4:+14255550101', digits: '' },
      { participantRawID: '4:+14255550102', digits: '78' },
    ])
    expect(d.tones.every((t) => t.participantRawID === '4:+14255550102')).toBe(true)
    // bob's stream started 400 ms into the session, his first tone 100 ms into his stream
    expect(Math.abs(d.tones[0]!.startMs - 500)).toBeLessThanOrEqual(3)
    const report = Decode.report('s.jsonl', d)
    expect(Report.text(report)).toEqual([
      's.jsonl [4:+14255550101]: ',
      's.jsonl [4:+14255550102]: 78',
    ])
    expect(decodeReport(Report.json(report))).toEqual(report)
  })

  it('skips blank lines and other kinds; CRLF line ends are fine', () => {
    const text = session(16000, [{ keys: '9', leadMs: 100 }]).replace(/\n/g, '\r\n\n')
    expect(digits(Decode.bytes(jsonl(text), { _tag: 'StreamingJsonl' }))).toBe('9')
  })

  it('refuses what is not a session, naming the line', () => {
    const good = session(16000, [{ keys: '9', leadMs: 100 }]).split('\n')
    const bad: Array<[string, DecodeError['reason'], RegExp]> = [
      ['RIFF....WAVE', 'not a media-streaming session', /line 1: the message is not JSON/],
      [
        good.slice(1).join('\n'),
        'not a media-streaming session',
        /line 1: AudioData before AudioMetadata/,
      ],
      [
        [good[0], '{"kind":"Nope"}'].join('\n'),
        'not a media-streaming session',
        /line 2: unknown message kind/,
      ],
      [good[0]!, 'empty', /no AudioData/],
      ['', 'empty', /0 bytes/],
      [
        good[0]!.replace('"PCM"', '"OPUS"'),
        'unsupported encoding',
        /line 1: AudioMetadata says OPUS/,
      ],
      [good[0]!.replace('16000', '96000'), 'unsupported sample rate', /line 1: 96000 Hz/],
    ]
    for (const [text, reason, message] of bad) {
      let error: unknown
      try {
        Decode.bytes(jsonl(text), { _tag: 'StreamingJsonl' })
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(DecodeError)
      expect((error as DecodeError).reason).toBe(reason)
      expect((error as DecodeError).message).toMatch(message)
    }
  })
})

// ---------------------------------------------------------------- the CLI, in process

describe('switchboard dtmf decode (in process)', () => {
  it('--json: one line per file, each valid against the codec', async () => {
    await withDir(async (dir) => {
      const a = join(dir, 'a.wav')
      const b = join(dir, 'b.wav')
      const s = join(dir, 's.jsonl')
      writeFileSync(a, Synth.wav('123#', { ...Synth.defaults, sampleRate: 44100, encoding: 'f32' }))
      writeFileSync(b, WavWriter.write(new Float32Array(8000), { sampleRate: 8000 }))
      writeFileSync(
        s,
        session(16000, [
          { rawId: '8:acs:alice', keys: 'A', leadMs: 100 },
          { rawId: '8:acs:bob', keys: 'B', leadMs: 300 },
        ]),
      )
      const c = capture()
      expect(await DtmfCli.decode(['--json', a, b], c.io)).toBe(0)
      expect(c.out).toHaveLength(2)
      const [ra, rb] = c.out.map(decodeReport)
      expect(ra).toMatchObject({ file: a, sampleRate: 44100, durationMs: 700, digits: '123#' })
      expect(ra!.tones).toHaveLength(4)
      expect(Object.keys(ra!.tones[0]!).sort()).toEqual(['endMs', 'key', 'levelDbfs', 'startMs'])
      expect(rb).toEqual({ file: b, sampleRate: 8000, durationMs: 1000, digits: '', tones: [] })
      const j = capture()
      expect(await DtmfCli.decode(['--streaming-jsonl', '--json', s], j.io)).toBe(0)
      const rs = decodeReport(j.out[0]!)
      expect(rs.digits).toBe('AB')
      expect(rs.participants).toEqual([
        { participantRawID: '8:acs:alice', digits: 'A' },
        { participantRawID: '8:acs:bob', digits: 'B' },
      ])
    })
  })

  it('text: FILE: keys, and FILE: with nothing after the colon when there are none', async () => {
    await withDir(async (dir) => {
      const a = join(dir, 'a.wav')
      const b = join(dir, 'b.wav')
      writeFileSync(a, Synth.wav('*0#', Synth.defaults))
      writeFileSync(b, WavWriter.write(new Float32Array(800), { sampleRate: 8000 }))
      const c = capture()
      expect(await DtmfCli.decode([a, b], c.io)).toBe(0)
      expect(c.out).toEqual([`${a}: *0#`, `${b}: `])
      expect(c.err).toEqual([])
    })
  })

  it('reads standard input for -, raw included', async () => {
    const wav = Synth.wav('55', Synth.defaults)
    const c = capture([wav.subarray(0, 100), wav.subarray(100)])
    expect(await DtmfCli.decode(['-'], c.io)).toBe(0)
    expect(c.out).toEqual(['-: 55'])
    const raw = Pcm.float32ToBytes(DtmfSynth.synthesize('66', { sampleRate: 24000 }))
    const r = capture([raw])
    expect(await DtmfCli.decode(['--raw', '--rate', '24000', '-'], r.io)).toBe(0)
    expect(r.out).toEqual(['-: 66'])
  })

  it('refuses wrong command lines with status 2', async () => {
    const wrong = [
      [],
      ['--raw', 'x'],
      ['--rate', '8000', 'x'],
      ['--raw', '--rate', '96000', 'x'],
      ['--raw', '--rate', '8000', '--streaming-jsonl', 'x'],
      ['--channel', '0', 'x'],
      ['--channel', '1', '--raw', '--rate', '8000', 'x'],
      ['--loosen', 'x'],
      ['-', '-'],
    ]
    for (const args of wrong) {
      const c = capture()
      expect(await DtmfCli.decode(args, c.io)).toBe(2)
      expect(c.err[0]).toMatch(/^switchboard dtmf: /)
      expect(c.out).toEqual([])
    }
  })
})

describe('switchboard dtmf synth (in process)', () => {
  it('writes the file with the options given (negative numbers as separate arguments)', async () => {
    await withDir(async (dir) => {
      const out = join(dir, 'k.wav')
      const c = capture()
      const args = ['1A*', '-o', out, '--rate', '48000', '--tone-ms', '60', '--gap-ms', '50']
      const more = ['--level-dbfs', '-20', '--twist-db', '-4', '--encoding', 's24']
      expect(DtmfCli.synth([...args, ...more], c.io)).toBe(0)
      const r = capture()
      expect(await DtmfCli.decode(['--json', out], r.io)).toBe(0)
      const report = decodeReport(r.out[0]!)
      expect(report).toMatchObject({ sampleRate: 48000, durationMs: 280, digits: '1A*' })
      expect(Math.abs(report.tones[0]!.levelDbfs + 20)).toBeLessThanOrEqual(0.5)
    })
  })
  it('-o - writes the WAV to standard output', () => {
    const c = capture()
    expect(DtmfCli.synth(['7', '-o', '-'], c.io)).toBe(0)
    expect(digits(Decode.bytes(c.bytes[0]!, { _tag: 'Wav' }))).toBe('7')
  })
  it('refuses bad keys and options with status 2', () => {
    for (const args of [
      ['12x', '-o', '-'],
      ['12'],
      ['12', '-o', '-', '--rate', 'fast'],
      ['12', '-o', '-', '--level-dbfs', '3'],
      ['12', '-o', '-', '--encoding', 'mp3'],
      ['12', '-o', '/nonexistent-dir/x.wav'],
    ]) {
      const c = capture()
      expect(DtmfCli.synth(args, c.io)).toBe(2)
      expect(c.err[0]).toMatch(/^switchboard dtmf: /)
    }
  })
})
