import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { WavFormat, WavReader, WavWriter } from '../src/index.js'

/** Quantization step of each encoding, for comparing round-tripped samples. */
const STEP: Record<WavFormat.Encoding, number> = {
  u8: 1 / 128,
  s16: 1 / 32768,
  s24: 1 / 8388608,
  s32: 1 / 2147483648,
  f32: 0,
}

const ramp = (n: number, phase = 0): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => 0.9 * Math.sin(i * 0.07 + phase))

const le32 = (n: number): number[] => [
  n & 0xff,
  (n >> 8) & 0xff,
  (n >> 16) & 0xff,
  (n >>> 24) & 0xff,
]
const ascii = (s: string): number[] => Array.from(s, (c) => c.charCodeAt(0))
const chunk = (id: string, body: number[]): number[] => [
  ...ascii(id),
  ...le32(body.length),
  ...body,
  ...(body.length & 1 ? [0] : []),
]

/** Feeds `bytes` to a reader in pieces of the given sizes (cycled), then ends it. */
const readInPieces = (
  bytes: Uint8Array,
  sizes: ReadonlyArray<number>,
  options: WavReader.Options = {},
) => {
  const reader = WavReader.create(options)
  const parts: number[] = []
  let offset = 0
  for (let i = 0; offset < bytes.length; i++) {
    const size = sizes[i % sizes.length]!
    parts.push(...reader.push(bytes.subarray(offset, offset + size)))
    offset += size
  }
  reader.end()
  return { format: reader.format, samples: Float32Array.from(parts) }
}

describe('WAV round trip', () => {
  for (const encoding of WavFormat.ENCODINGS)
    for (const extensible of [false, true])
      it(`writes and reads ${encoding}${extensible ? ' (extensible)' : ''}`, () => {
        const x = ramp(1000)
        const bytes = WavWriter.write(x, { sampleRate: 16000, encoding, extensible })
        const { format, samples } = WavReader.read(bytes)
        expect(format).toEqual({ sampleRate: 16000, channels: 1, encoding })
        expect(samples.length).toBe(x.length)
        for (let i = 0; i < x.length; i++)
          expect(Math.abs(samples[i]! - x[i]!)).toBeLessThanOrEqual(STEP[encoding] / 2 + 1e-9)
      })

  it('reads the same samples whatever the chunking, for every format and channel count', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...WavFormat.ENCODINGS),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 300 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (encoding, channels, length, sizes, extensible) => {
          const chans = Array.from({ length: channels }, (_, c) => ramp(length, c))
          const bytes = WavWriter.write(chans, { sampleRate: 8000, encoding, extensible })
          const whole = WavReader.read(bytes)
          const pieces = readInPieces(bytes, sizes)
          expect(pieces.samples).toEqual(whole.samples)
          expect(whole.samples.length).toBe(length)
          const picked = readInPieces(bytes, sizes, { channel: channels - 1 })
          for (let i = 0; i < length; i++)
            expect(Math.abs(picked.samples[i]! - chans[channels - 1]![i]!)).toBeLessThanOrEqual(
              STEP[encoding] / 2 + 1e-7,
            )
        },
      ),
      { numRuns: 60 },
    )
  })

  it('mixes stereo down to the mean of the channels', () => {
    const left = Float32Array.from([0.5, 0.25, -1])
    const right = Float32Array.from([-0.5, 0.25, 0])
    const bytes = WavWriter.write([left, right], { sampleRate: 8000, encoding: 'f32' })
    expect(Array.from(WavReader.read(bytes).samples)).toEqual([0, 0.25, -0.5])
    expect(Array.from(WavReader.read(bytes, { channel: 1 }).samples)).toEqual([-0.5, 0.25, 0])
  })
})

describe('WAV reader', () => {
  const fmt = (tag: number, channels: number, rate: number, bits: number): number[] => [
    tag & 0xff,
    tag >> 8,
    channels,
    0,
    ...le32(rate),
    ...le32((rate * channels * bits) / 8),
    (channels * bits) / 8,
    0,
    bits,
    0,
  ]
  const riff = (...chunks: number[][]): Uint8Array => {
    const body = [...ascii('WAVE'), ...chunks.flat()]
    return Uint8Array.from([...ascii('RIFF'), ...le32(body.length), ...body])
  }
  const pcm16 = (values: number[]): number[] => values.flatMap((v) => [v & 0xff, (v >> 8) & 0xff])

  it('skips unknown chunks, odd-sized ones included, before and after the audio', () => {
    const bytes = riff(
      chunk('LIST', [1, 2, 3]),
      chunk('fmt ', fmt(1, 1, 8000, 16)),
      chunk('fact', [9, 9, 9, 9, 9]),
      chunk('data', pcm16([16384, -16384, 0])),
      chunk('id3 ', [7]),
    )
    for (const sizes of [[bytes.length], [1], [3, 5], [7]])
      expect(Array.from(readInPieces(bytes, sizes).samples)).toEqual([0.5, -0.5, 0])
  })

  it('reads to the end when the data size is a streaming placeholder', () => {
    const body = [
      ...ascii('WAVE'),
      ...chunk('fmt ', fmt(1, 1, 8000, 16)),
      ...ascii('data'),
      ...le32(0xffffffff),
      ...pcm16([100, 200]),
    ]
    const bytes = Uint8Array.from([...ascii('RIFF'), ...le32(0xffffffff), ...body])
    expect(WavReader.read(bytes).samples.length).toBe(2)
  })

  const fails = (
    bytes: Uint8Array,
    error: new (...args: never[]) => WavFormat.WavError,
    options = {},
  ) => expect(() => WavReader.read(bytes, options)).toThrow(error)

  it('refuses what is not audio', () => {
    fails(
      new TextEncoder().encode('hello world, this is not a wave file'),
      WavFormat.WavNotAudioError,
    )
    fails(
      Uint8Array.from([...ascii('RIFF'), ...le32(4), ...ascii('AVI ')]),
      WavFormat.WavNotAudioError,
    )
    fails(riff(chunk('data', [0, 0])), WavFormat.WavNotAudioError)
    // Fails on the first bytes, without waiting for the rest.
    expect(() => WavReader.create().push(Uint8Array.from([0x49, 0x44]))).toThrow(
      WavFormat.WavNotAudioError,
    )
  })

  it('refuses truncated files', () => {
    const good = WavWriter.write(ramp(100), { sampleRate: 8000 })
    for (const cut of [4, 20, 40, 44, 100, good.length - 1])
      fails(good.subarray(0, cut), WavFormat.WavTruncatedError)
  })

  it('refuses unsupported encodings', () => {
    fails(
      riff(chunk('fmt ', fmt(6, 1, 8000, 8)), chunk('data', [1, 2])),
      WavFormat.WavUnsupportedEncodingError,
    ) // A-law
    fails(
      riff(chunk('fmt ', fmt(3, 1, 8000, 64)), chunk('data', [])),
      WavFormat.WavUnsupportedEncodingError,
    ) // float64
    fails(
      riff(chunk('fmt ', fmt(1, 1, 8000, 12)), chunk('data', [])),
      WavFormat.WavUnsupportedEncodingError,
    )
    fails(
      riff(chunk('fmt ', fmt(2, 1, 8000, 4)), chunk('data', [])),
      WavFormat.WavUnsupportedEncodingError,
    ) // ADPCM
  })

  it('refuses sample rates outside 8000–48000 Hz', () => {
    for (const rate of [4000, 7999, 48001, 96000])
      fails(
        riff(chunk('fmt ', fmt(1, 1, rate, 16)), chunk('data', [0, 0])),
        WavFormat.WavUnsupportedRateError,
      )
    for (const rate of [8000, 11025, 44100, 48000])
      expect(
        WavReader.read(riff(chunk('fmt ', fmt(1, 1, rate, 16)), chunk('data', [0, 0]))).format
          .sampleRate,
      ).toBe(rate)
  })

  it('refuses empty input and files without samples', () => {
    fails(new Uint8Array(0), WavFormat.WavEmptyError)
    fails(riff(chunk('fmt ', fmt(1, 1, 8000, 16)), chunk('data', [])), WavFormat.WavEmptyError)
    fails(riff(chunk('fmt ', fmt(1, 1, 8000, 16))), WavFormat.WavEmptyError)
  })

  it('refuses a channel the file does not have', () => {
    const stereo = WavWriter.write([ramp(10), ramp(10)], { sampleRate: 8000 })
    fails(stereo, WavFormat.WavChannelError, { channel: 2 })
  })

  it('keeps bounded memory: output per chunk stays proportional to the chunk', () => {
    const bytes = WavWriter.write(ramp(200000), { sampleRate: 8000 })
    const reader = WavReader.create()
    let total = 0
    for (let o = 0; o < bytes.length; o += 4096) {
      const out = reader.push(bytes.subarray(o, o + 4096))
      expect(out.length).toBeLessThanOrEqual(2049)
      total += out.length
    }
    reader.end()
    expect(total).toBe(200000)
  })
})
