/**
 * Decoding the recording of an ACS media-streaming session: the text messages the service sent
 * on the WebSocket, one JSON message per line (`AudioMetadata`, then `AudioData`), as
 * `@switchboard/wire`'s `Streaming.decodeServer` reads them. Other kinds (`DtmfData`,
 * transcription) are skipped.
 *
 * Mixed audio (no `participantRawID`) is one stream. Unmixed audio is one stream per
 * `participantRawID`, each with its own detector; a stream's times are counted from the first
 * `AudioData` of the session, its start placed by the `timestamp` of its own first frame.
 */
import { Base64, DtmfDetector } from '@switchboard/dsp'
import { Streaming } from '@switchboard/wire'
import type { Decoded, Decoder } from './Decode.js'
import { DecodeError } from './DecodeError.js'
import * as Report from './Report.js'

/** Longest line accepted (a 20 ms frame at 48 kHz is under 3 KiB of base64). */
export const MAX_LINE_BYTES = 4 * 1024 * 1024

interface Stream {
  readonly rawId: string | undefined
  readonly detector: DtmfDetector.Detector
  readonly offsetMs: number
  samples: number
  readonly tones: Report.Tone[]
}

const NEWLINE = 0x0a

class JsonlDecoder implements Decoder {
  readonly #text = new TextDecoder('utf-8', { fatal: false })
  /** Pieces of the line being read. */
  #pieces: Uint8Array[] = []
  #pieceBytes = 0
  #line = 0
  #bytes = 0
  #sampleRate: number | undefined
  #firstTimestamp: number | undefined
  readonly #streams = new Map<string | undefined, Stream>()

  push(chunk: Uint8Array): void {
    this.#bytes += chunk.length
    let from = 0
    for (;;) {
      const nl = chunk.indexOf(NEWLINE, from)
      if (nl < 0) {
        if (from < chunk.length) {
          this.#pieces.push(chunk.slice(from))
          this.#pieceBytes += chunk.length - from
          if (this.#pieceBytes > MAX_LINE_BYTES)
            throw new DecodeError(
              'not a media-streaming session',
              `line ${this.#line + 1} is longer than ${MAX_LINE_BYTES} bytes`,
            )
        }
        return
      }
      this.#pieces.push(chunk.subarray(from, nl))
      this.#pieceBytes += nl - from
      this.#endLine()
      from = nl + 1
    }
  }

  #endLine(): void {
    this.#line++
    const pieces = this.#pieces
    let bytes: Uint8Array
    if (pieces.length === 1) bytes = pieces[0]!
    else {
      bytes = new Uint8Array(this.#pieceBytes)
      let o = 0
      for (const p of pieces) {
        bytes.set(p, o)
        o += p.length
      }
    }
    this.#pieces = []
    this.#pieceBytes = 0
    const text = this.#text.decode(bytes).trim()
    if (text.length > 0) this.#message(text)
  }

  #fail(reason: DecodeError['reason'], detail: string): never {
    throw new DecodeError(reason, `line ${this.#line}: ${detail}`)
  }

  #message(text: string): void {
    const decoded = Streaming.decodeServer(text)
    if (decoded._tag === 'Left') this.#fail('not a media-streaming session', decoded.left.message)
    const m = decoded.right
    switch (m.kind) {
      case 'AudioMetadata': {
        const { encoding, sampleRate, channels } = m.audioMetadata
        if (encoding.toUpperCase() !== 'PCM' || channels !== 1)
          this.#fail(
            'unsupported encoding',
            `AudioMetadata says ${encoding}, ${channels} channel(s); PCM mono is supported`,
          )
        if (sampleRate < DtmfDetector.MIN_SAMPLE_RATE || sampleRate > DtmfDetector.MAX_SAMPLE_RATE)
          this.#fail(
            'unsupported sample rate',
            `${sampleRate} Hz (${DtmfDetector.MIN_SAMPLE_RATE}–${DtmfDetector.MAX_SAMPLE_RATE} Hz)`,
          )
        if (this.#sampleRate !== undefined && this.#sampleRate !== sampleRate)
          this.#fail(
            'unsupported sample rate',
            `AudioMetadata changes the rate from ${this.#sampleRate} to ${sampleRate} Hz`,
          )
        this.#sampleRate = sampleRate
        return
      }
      case 'AudioData': {
        const rate = this.#sampleRate
        if (rate === undefined)
          return this.#fail('not a media-streaming session', 'AudioData before AudioMetadata')
        const { data, timestamp, participantRawID } = m.audioData
        let pcm: Uint8Array
        try {
          pcm = Base64.decode(data)
        } catch (e) {
          return this.#fail('not a media-streaming session', `bad base64: ${(e as Error).message}`)
        }
        if (pcm.length % 2 !== 0)
          this.#fail('truncated', 'AudioData holds an odd number of bytes (16-bit samples)')
        const at = Date.parse(timestamp)
        this.#firstTimestamp ??= at
        let stream = this.#streams.get(participantRawID)
        if (stream === undefined) {
          const offset = at - this.#firstTimestamp
          stream = {
            rawId: participantRawID,
            detector: DtmfDetector.create(rate),
            offsetMs: Number.isFinite(offset) && offset > 0 ? offset : 0,
            samples: 0,
            tones: [],
          }
          this.#streams.set(participantRawID, stream)
        }
        const samples = new Float32Array(pcm.length / 2)
        for (let i = 0, j = 0; i < samples.length; i++, j += 2)
          samples[i] = (((pcm[j]! | (pcm[j + 1]! << 8)) << 16) >> 16) / 32768
        stream.samples += samples.length
        this.#collect(stream, stream.detector.push(samples))
        return
      }
      default:
        return
    }
  }

  #collect(stream: Stream, detections: ReadonlyArray<DtmfDetector.Detection>): void {
    for (const d of detections) stream.tones.push(Report.tone(d, stream.offsetMs, stream.rawId))
  }

  end(): Decoded {
    if (this.#pieceBytes > 0 || this.#pieces.length > 0) this.#endLine()
    if (this.#bytes === 0) throw new DecodeError('empty', 'the file is empty (0 bytes)')
    const rate = this.#sampleRate
    if (rate === undefined)
      throw new DecodeError('not a media-streaming session', 'no AudioMetadata message')
    if (this.#streams.size === 0) throw new DecodeError('empty', 'no AudioData message')
    let durationMs = 0
    const tones: Report.Tone[] = []
    for (const s of this.#streams.values()) {
      this.#collect(s, s.detector.flush())
      tones.push(...s.tones)
      durationMs = Math.max(durationMs, s.offsetMs + (s.samples * 1000) / rate)
    }
    tones.sort((a, b) => a.startMs - b.startMs)
    const unmixed = [...this.#streams.values()].filter((s) => s.rawId !== undefined)
    return {
      sampleRate: rate,
      durationMs: Report.tenth(durationMs),
      tones,
      ...(unmixed.length === 0
        ? {}
        : {
            participants: unmixed.map((s) => ({
              participantRawID: s.rawId!,
              digits: s.tones.map((t) => t.key).join(''),
            })),
          }),
    }
  }
}

/** A decoder of a media-streaming session's JSON lines, fed block by block. */
export const decoder = (): Decoder => new JsonlDecoder()
