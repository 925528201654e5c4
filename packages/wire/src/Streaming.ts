import type { Either } from 'fp-ts/lib/Either.js'
import { isLeft, left, right } from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import * as Failure from './Failure.js'
import { Base64, Finite, Integer, IsoDateTime, NonNegativeInt } from './Shapes.js'

/**
 * The WebSocket messages of reference section 7: what ACS (here: Switchboard) sends to the app's
 * `transportUrl` (audio metadata and frames, DTMF, transcription metadata and results), and what
 * the app sends back with bidirectional streaming (outbound audio, stop audio).
 */

// ------------------------------------------------------------------ service → app

export const AudioMetadata = t.type(
  {
    kind: t.literal('AudioMetadata'),
    audioMetadata: t.type({
      subscriptionId: t.string,
      encoding: t.string,
      sampleRate: NonNegativeInt,
      channels: NonNegativeInt,
      length: NonNegativeInt,
    }),
  },
  'AudioMetadataMessage',
)

export const AudioData = t.type(
  {
    kind: t.literal('AudioData'),
    audioData: t.intersection([
      t.type({ timestamp: IsoDateTime, data: Base64, silent: t.boolean }),
      t.partial({ participantRawID: t.string }),
    ]),
  },
  'AudioDataMessage',
)

export const DtmfData = t.type(
  { kind: t.literal('DtmfData'), dtmfData: t.type({ data: t.string }) },
  'DtmfDataMessage',
)

export const TranscriptionMetadata = t.type(
  {
    kind: t.literal('TranscriptionMetadata'),
    transcriptionMetadata: t.intersection([
      t.type({
        subscriptionId: t.string,
        locale: t.string,
        callConnectionId: t.string,
        correlationId: t.string,
      }),
      t.partial({ speechRecognitionModelEndpointId: t.string }),
    ]),
  },
  'TranscriptionMetadataMessage',
)

export const Word = t.type({ text: t.string, offset: Integer, duration: Integer }, 'Word')

export const TranscriptionData = t.type(
  {
    kind: t.literal('TranscriptionData'),
    transcriptionData: t.type({
      text: t.string,
      format: t.string,
      confidence: Finite,
      /** 100-ns ticks. */
      offset: Integer,
      duration: Integer,
      words: t.array(Word),
      participantRawID: t.string,
      resultStatus: t.keyof({ Final: null, Intermediate: null }, 'ResultStatus'),
    }),
  },
  'TranscriptionDataMessage',
)

const serverByKind = {
  AudioMetadata,
  AudioData,
  DtmfData,
  TranscriptionMetadata,
  TranscriptionData,
} as const

/** Every message the service sends on a media or transcription WebSocket. */
export const ServerMessage = t.union(
  [AudioMetadata, AudioData, DtmfData, TranscriptionMetadata, TranscriptionData],
  'ServerMessage',
)
export type ServerMessage = t.TypeOf<typeof ServerMessage>

// ------------------------------------------------------------------ app → service (bidirectional)

export const OutboundAudio = t.type(
  {
    kind: t.literal('audioData'),
    audioData: t.intersection([t.type({ data: Base64 }), t.partial({ isSilent: t.boolean })]),
  },
  'OutboundAudioMessage',
)
export const StopAudio = t.type(
  { kind: t.literal('stopAudio'), stopAudio: t.type({}) },
  'StopAudioMessage',
)
/** What the app sends with `enableBidirectional` (canonical spelling). */
export const AppMessage = t.union([OutboundAudio, StopAudio], 'AppMessage')
export type AppMessage = t.TypeOf<typeof AppMessage>

export interface StreamingError {
  readonly _tag: 'StreamingError'
  readonly message: string
}
const fail = (message: string): Either<StreamingError, never> =>
  left({ _tag: 'StreamingError', message })

const parse = (text: string): Either<StreamingError, unknown> => {
  try {
    return right(JSON.parse(text) as unknown)
  } catch {
    return fail('the message is not JSON')
  }
}

const isObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

/** Lower-cases the first letter of every key, recursively, and the `kind` value (`Kind`/`AudioData` → `kind`/`audioData`). */
const camel = (s: string): string => (s.length === 0 ? s : s[0]!.toLowerCase() + s.slice(1))
const canonicalKeys: Readonly<Record<string, string>> = {
  kind: 'kind',
  audiodata: 'audioData',
  stopaudio: 'stopAudio',
  data: 'data',
  issilent: 'isSilent',
  timestamp: 'timestamp',
  participantrawid: 'participantRawID',
}
const normalize = (u: unknown): unknown => {
  if (!isObject(u)) return u
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(u)) {
    const key = canonicalKeys[k.toLowerCase()] ?? camel(k)
    if (key === '__proto__') continue
    out[key] =
      key === 'kind' && typeof v === 'string' ? (canonicalKeys[v.toLowerCase()] ?? v) : normalize(v)
  }
  return out
}

/**
 * Decodes a message the app sends to Switchboard (bidirectional streaming). Property names and
 * `kind` values are matched case-insensitively (the .NET SDK writes `Kind`/`AudioData`, the JS SDK
 * `kind`/`audioData`); the JS SDK's extra `stopAudio: {}` next to `audioData` is ignored. Never throws.
 */
export const decodeInbound = (text: string): Either<StreamingError, AppMessage> => {
  const j = parse(text)
  if (isLeft(j)) return j
  const r = AppMessage.decode(normalize(j.right))
  return isLeft(r) ? fail(Failure.toMessage(r.left)) : right(r.right)
}

/** Decodes a message the service sends (what an app, or a test, receives). Never throws. */
export const decodeServer = (text: string): Either<StreamingError, ServerMessage> => {
  const j = parse(text)
  if (isLeft(j)) return j
  const u = j.right
  const kind = isObject(u) ? u['kind'] : undefined
  const codec =
    typeof kind === 'string' && kind in serverByKind
      ? serverByKind[kind as keyof typeof serverByKind]
      : undefined
  if (codec === undefined) return fail(`unknown message kind ${JSON.stringify(kind ?? null)}`)
  const r = (codec as t.Decoder<unknown, ServerMessage>).decode(u)
  return isLeft(r) ? fail(Failure.toMessage(r.left)) : right(r.right)
}

/** The text frame of a service message. */
export const encode = (message: ServerMessage): string =>
  JSON.stringify(ServerMessage.encode(message))

/** The text frame of an app message, exactly as the JS SDK helpers write it. */
export const encodeOutbound = (message: AppMessage): string =>
  JSON.stringify(message.kind === 'audioData' ? { ...message, stopAudio: {} } : message)

// ------------------------------------------------------------------ builders

export const audioMetadata = (
  subscriptionId: string,
  sampleRate: 16000 | 24000,
): t.TypeOf<typeof AudioMetadata> => ({
  kind: 'AudioMetadata',
  audioMetadata: {
    subscriptionId,
    encoding: 'PCM',
    sampleRate,
    channels: 1,
    length: (sampleRate / 50) * 2,
  },
})

export const audioData = (
  timestamp: string,
  data: string,
  silent: boolean,
  participantRawID?: string,
): t.TypeOf<typeof AudioData> => ({
  kind: 'AudioData',
  audioData: {
    timestamp,
    data,
    silent,
    ...(participantRawID !== undefined ? { participantRawID } : {}),
  },
})

export const dtmfData = (key: string): t.TypeOf<typeof DtmfData> => ({
  kind: 'DtmfData',
  dtmfData: { data: key },
})

export const transcriptionMetadata = (
  subscriptionId: string,
  locale: string,
  callConnectionId: string,
  correlationId: string,
): t.TypeOf<typeof TranscriptionMetadata> => ({
  kind: 'TranscriptionMetadata',
  transcriptionMetadata: { subscriptionId, locale, callConnectionId, correlationId },
})

/** 100-ns ticks per millisecond (`offset`/`duration` of transcription results). */
export const ticksPerMs = 10_000

export const transcriptionData = (p: {
  readonly text: string
  readonly confidence: number
  readonly offsetMs: number
  readonly durationMs: number
  readonly participantRawID: string
  readonly final: boolean
  readonly words?: ReadonlyArray<{
    readonly text: string
    readonly offsetMs: number
    readonly durationMs: number
  }>
}): t.TypeOf<typeof TranscriptionData> => ({
  kind: 'TranscriptionData',
  transcriptionData: {
    text: p.text,
    format: 'display',
    confidence: p.confidence,
    offset: Math.round(p.offsetMs * ticksPerMs),
    duration: Math.round(p.durationMs * ticksPerMs),
    words: (p.words ?? []).map((w) => ({
      text: w.text,
      offset: Math.round(w.offsetMs * ticksPerMs),
      duration: Math.round(w.durationMs * ticksPerMs),
    })),
    participantRawID: p.participantRawID,
    resultStatus: p.final ? 'Final' : 'Intermediate',
  },
})
