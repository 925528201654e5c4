import * as t from 'io-ts'
import { Tone as CoreTone } from '@switchboard/core'

/**
 * The shared shapes of the ACS Call Automation wire (reference section 3): tones, play sources,
 * recognize options, streaming and transcription options, participants, call connection
 * properties, result information. Plain io-ts codecs: `decode` checks JSON, `encode` writes it,
 * and `Arbitrary` derives generators from the same definitions.
 *
 * Every object codec is `t.type`/`t.partial` (never `t.exact`/`t.strict`): unknown extra fields
 * are tolerated and passed through untouched.
 */

// ------------------------------------------------------------------ scalars

const toneKeys = Object.fromEntries(CoreTone.all.map((k) => [k, null])) as {
  readonly [K in CoreTone.Tone]: null
}

/** A DTMF tone by its wire name (`zero`..`nine`, `a`..`d`, `pound`, `asterisk`), case-sensitive. */
export const Tone = t.keyof(toneKeys, 'Tone')
export type Tone = t.TypeOf<typeof Tone>

/**
 * A refinement that keeps the base type (no brand), so values are built as plain literals.
 * Still a `t.RefinementType`, so arbitraries derive from it (by name, or by filtering the base).
 */
export const refine = <C extends t.Any>(
  base: C,
  predicate: (a: t.TypeOf<C>) => boolean,
  name: string,
): t.RefinementC<C> =>
  new t.RefinementType(
    name,
    (u): u is t.TypeOf<C> => base.is(u) && predicate(u),
    (u, c) => {
      const r = base.validate(u, c)
      if (r._tag === 'Left') return r
      return predicate(r.right) ? r : t.failure(u, c)
    },
    base.encode,
    base,
    predicate,
  )

/** A non-negative integer. */
export const NonNegativeInt = refine(
  t.number,
  (n) => Number.isSafeInteger(n) && n >= 0,
  'NonNegativeInt',
)

/**
 * A finite JSON number. io-ts' `t.number` lets `NaN` and `Infinity` through, which JSON cannot
 * carry; every number field of the wire uses this one instead.
 */
export const Finite = refine(t.number, (n) => Number.isFinite(n), 'Finite')

/** A JSON integer (any sign). */
export const Integer = refine(t.number, (n) => Number.isSafeInteger(n), 'Integer')

/** A non-empty string. */
export const NonEmptyString = refine(t.string, (s) => s.length > 0, 'NonEmptyString')

const isoPattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/
/** An ISO-8601 date-time that `Date.parse` understands (`2024-11-15T19:16:12.925Z`). */
export const IsoDateTime = refine(
  t.string,
  (s) => isoPattern.test(s) && !Number.isNaN(Date.parse(s)),
  'IsoDateTime',
)

const base64Pattern = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/
/** Standard base64 (RFC 4648, with padding): the audio payloads of the WebSocket messages. */
export const Base64 = refine(t.string, (s) => base64Pattern.test(s), 'Base64')

/**
 * A string value matched case-insensitively (`pcm24KMono` / `Pcm24KMono`), decoded to the
 * canonical spelling. Its structure is a `t.KeyofType` of the canonical spellings, so the derived
 * arbitrary produces canonical values.
 */
export const caseInsensitiveKeyof = <K extends string>(
  keys: ReadonlyArray<K>,
  name: string,
): t.KeyofC<{ [P in K]: null }> => {
  const record = Object.fromEntries(keys.map((k) => [k, null])) as { [P in K]: null }
  const byLower = new Map(keys.map((k) => [k.toLowerCase(), k] as const))
  const base = t.keyof(record, name)
  return new t.KeyofType(
    name,
    base.is,
    (u, c) => {
      if (typeof u === 'string') {
        const k = byLower.get(u.toLowerCase())
        if (k !== undefined) return t.success(k)
      }
      return t.failure(u, c)
    },
    t.identity,
    record,
  ) as t.KeyofC<{ [P in K]: null }>
}

// ------------------------------------------------------------------ play sources

export const TextSourceDetails = t.intersection(
  [
    t.type({ text: t.string }),
    t.partial({
      sourceLocale: t.string,
      voiceKind: t.keyof({ male: null, female: null }, 'VoiceKind'),
      voiceName: t.string,
      customVoiceEndpointId: t.string,
    }),
  ],
  'TextSourceDetails',
)

export const SsmlSourceDetails = t.intersection(
  [t.type({ ssmlText: t.string }), t.partial({ customVoiceEndpointId: t.string })],
  'SsmlSourceDetails',
)

const cacheId = t.partial({ playSourceCacheId: t.string })

export const PlaySourceFile = t.intersection(
  [t.type({ kind: t.literal('file'), file: t.type({ uri: t.string }) }), cacheId],
  'PlaySourceFile',
)
export const PlaySourceText = t.intersection(
  [t.type({ kind: t.literal('text'), text: TextSourceDetails }), cacheId],
  'PlaySourceText',
)
export const PlaySourceSsml = t.intersection(
  [t.type({ kind: t.literal('ssml'), ssml: SsmlSourceDetails }), cacheId],
  'PlaySourceSsml',
)

/**
 * A union that picks its member by a discriminating property instead of trying each member in
 * turn: errors then point at the member the value meant to be (`playSources[0].file.uri`), and
 * decoding costs one member, not all of them. Still a `t.UnionType`, so arbitraries derive from it.
 */
export const taggedUnion = <Cs extends [t.Mixed, t.Mixed, ...Array<t.Mixed>]>(
  tag: string,
  byTag: Readonly<Record<string, t.Mixed>>,
  members: Cs,
  name: string,
): t.UnionC<Cs> => {
  const tags = Object.keys(byTag)
  const union = t.union(members, name)
  return new t.UnionType(
    name,
    union.is,
    (u, c) => {
      if (typeof u !== 'object' || u === null || Array.isArray(u)) return t.failure(u, c)
      const k = (u as Record<string, unknown>)[tag]
      const member = typeof k === 'string' && tags.includes(k) ? byTag[k] : undefined
      if (member === undefined)
        return t.failure(
          k,
          t.appendContext(c, tag, t.keyof(Object.fromEntries(tags.map((x) => [x, null]))), k),
        )
      return member.validate(u, c)
    },
    union.encode,
    members,
  ) as t.UnionC<Cs>
}

/** `PlaySource` on the wire: `{kind:"file"|"text"|"ssml", file|text|ssml: {...}, playSourceCacheId?}`. */
export const PlaySource = taggedUnion(
  'kind',
  { file: PlaySourceFile, text: PlaySourceText, ssml: PlaySourceSsml },
  [PlaySourceFile, PlaySourceText, PlaySourceSsml],
  'PlaySource',
)
export type PlaySource = t.TypeOf<typeof PlaySource>

export const PlayOptions = t.type({ loop: t.boolean }, 'PlayOptions')

// ------------------------------------------------------------------ recognize

export const RecognizeInputType = t.keyof(
  { dtmf: null, speech: null, speechOrDtmf: null, choices: null },
  'RecognizeInputType',
)

export const DtmfOptions = t.partial(
  {
    interToneTimeoutInSeconds: Finite,
    maxTonesToCollect: Finite,
    stopTones: t.array(Tone),
  },
  'DtmfOptions',
)

export const Choice = t.intersection(
  [t.type({ label: t.string, phrases: t.array(t.string) }), t.partial({ tone: Tone })],
  'Choice',
)

export const SpeechOptions = t.partial({ endSilenceTimeoutInMs: Finite }, 'SpeechOptions')

// ------------------------------------------------------------------ streaming / transcription options

export const AudioChannelType = caseInsensitiveKeyof(
  ['mixed', 'unmixed'] as const,
  'AudioChannelType',
)
export const AudioFormat = caseInsensitiveKeyof(
  ['pcm16KMono', 'pcm24KMono'] as const,
  'AudioFormat',
)

export const MediaStreamingOptions = t.intersection(
  [
    t.type({
      transportType: caseInsensitiveKeyof(['websocket'] as const, 'TransportType'),
      audioChannelType: AudioChannelType,
    }),
    t.partial({
      transportUrl: t.string,
      contentType: caseInsensitiveKeyof(['audio'] as const, 'MediaStreamingContentType'),
      startMediaStreaming: t.boolean,
      enableBidirectional: t.boolean,
      audioFormat: AudioFormat,
      enableDtmfTones: t.boolean,
    }),
  ],
  'MediaStreamingOptions',
)
export type MediaStreamingOptions = t.TypeOf<typeof MediaStreamingOptions>

export const TranscriptionOptions = t.intersection(
  [
    t.type({
      transportType: caseInsensitiveKeyof(['websocket'] as const, 'TransportType'),
      locale: t.string,
    }),
    t.partial({
      transportUrl: t.string,
      speechModelEndpointId: t.string,
      startTranscription: t.boolean,
      enableIntermediateResults: t.boolean,
    }),
  ],
  'TranscriptionOptions',
)
export type TranscriptionOptions = t.TypeOf<typeof TranscriptionOptions>

export const CallIntelligenceOptions = t.partial(
  { cognitiveServicesEndpoint: t.string },
  'CallIntelligenceOptions',
)

export const CustomCallingContext = t.partial(
  {
    voipHeaders: t.record(t.string, t.string),
    sipHeaders: t.record(t.string, t.string),
    teamsPhoneCallDetails: t.unknown,
  },
  'CustomCallingContext',
)

// ------------------------------------------------------------------ results

export const ResultInformation = t.intersection(
  [
    t.type({ code: Integer, subCode: Integer, message: t.string }),
    t.partial({
      sipDetails: t.partial({ code: Integer, message: t.string }),
      q850Details: t.partial({ code: Integer, message: t.string }),
    }),
  ],
  'ResultInformation',
)
export type ResultInformation = t.TypeOf<typeof ResultInformation>

export const CallConnectionState = t.keyof(
  {
    unknown: null,
    connecting: null,
    connected: null,
    transferring: null,
    transferAccepted: null,
    disconnecting: null,
    disconnected: null,
  },
  'CallConnectionState',
)
export type CallConnectionState = t.TypeOf<typeof CallConnectionState>

export const SubscriptionState = t.keyof(
  { disabled: null, inactive: null, active: null },
  'SubscriptionState',
)

export const CallRejectReason = t.keyof(
  { none: null, busy: null, forbidden: null },
  'CallRejectReason',
)

export const MediaStreamingStatus = t.keyof(
  {
    mediaStreamingStarted: null,
    mediaStreamingFailed: null,
    mediaStreamingStopped: null,
    unspecifiedError: null,
  },
  'MediaStreamingStatus',
)

export const TranscriptionStatus = t.keyof(
  {
    transcriptionStarted: null,
    transcriptionFailed: null,
    transcriptionResumed: null,
    transcriptionUpdated: null,
    transcriptionStopped: null,
    unspecifiedError: null,
  },
  'TranscriptionStatus',
)
