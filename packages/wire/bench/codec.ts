/**
 * `pnpm bench`: decode of a mixed stream of SDK 1.6.0 request bodies (JSON text → core command)
 * and encode of a mixed stream of callback events (core NotifyCallback → CloudEvent JSON text),
 * against the bare JSON work on the same bytes (`JSON.parse` + `JSON.stringify`) as baseline.
 * Target: codec cost ≤ 3× the baseline cost.
 */
import * as fc from 'fast-check'
import { Identifier, Ids } from '@switchboard/core'
import * as Arbitrary from '../src/Arbitrary.js'
import { Callbacks, ToCommand } from '../src/index.js'

const PN = '{"rawId":"4:+14255550123","phoneNumber":{"value":"+14255550123","isAnonymous":false}}'
const USER = '{"kind":"communicationUser","rawId":"8:acs:t1","communicationUser":{"id":"8:acs:t1"}}'

/** Request bodies exactly as SDK 1.6.0 sends them (reference 1.4). */
const bodies: ReadonlyArray<readonly [ToCommand.OperationName, string]> = [
  [
    'createCall',
    `{"targets":[${USER}],"operationContext":"ctx-create","callbackUri":"https://cb.example/cb"}`,
  ],
  [
    'answerCall',
    '{"incomingCallContext":"incoming-ctx-xyz","callbackUri":"https://cb.example/cb","operationContext":"ctx-answer"}',
  ],
  [
    'sendDtmfTones',
    `{"tones":["one","two","pound"],"targetParticipant":${PN},"operationContext":"ctx-dtmf"}`,
  ],
  ['startContinuousDtmfRecognition', `{"targetParticipant":${PN},"operationContext":"ctx-cdtmf"}`],
  [
    'hold',
    `{"targetParticipant":${PN},"playSourceInfo":{"kind":"file","file":{"uri":"https://media.example/hold.wav"}},"operationContext":"ctx-hold"}`,
  ],
  ['unhold', `{"targetParticipant":${PN},"operationContext":"ctx-unhold"}`],
  [
    'play',
    '{"playSources":[{"kind":"file","file":{"uri":"https://media.example/a.wav"}}],"playTo":[],"playOptions":{"loop":false},"operationContext":"ctx-play"}',
  ],
  [
    'play',
    '{"playSources":[{"kind":"text","text":{"text":"Hello","voiceName":"en-US-NancyNeural"}}],"playTo":[],"interruptCallMediaOperation":true,"playOptions":{"loop":false},"operationContext":"6f1c1f7e-2b8a-4c1e-9b7a-0d2f4e5a6b7c"}',
  ],
  [
    'play',
    `{"playSources":[{"kind":"ssml","ssml":{"ssmlText":"<speak/>"}}],"playTo":[${PN}],"playOptions":{"loop":false},"operationContext":"ctx-play2"}`,
  ],
  [
    'recognize',
    `{"recognizeInputType":"dtmf","playPrompt":{"kind":"text","text":{"text":"Enter PIN","voiceName":"en-US-NancyNeural"}},"recognizeOptions":{"interruptPrompt":true,"initialSilenceTimeoutInSeconds":10,"targetParticipant":${PN},"dtmfOptions":{"interToneTimeoutInSeconds":3,"maxTonesToCollect":4,"stopTones":["pound"]}},"operationContext":"ctx-rec"}`,
  ],
  [
    'recognize',
    `{"recognizeInputType":"choices","playPrompt":{"kind":"file","file":{"uri":"https://media.example/q.wav"}},"recognizeOptions":{"initialSilenceTimeoutInSeconds":5,"targetParticipant":${PN},"choices":[{"label":"yes","phrases":["yes","yeah"],"tone":"one"}]},"operationContext":"u-2"}`,
  ],
  ['startMediaStreaming', '{"operationContext":"ctx-ms"}'],
  ['startTranscription', '{"locale":"en-US","operationContext":"ctx-tx"}'],
  [
    'addParticipant',
    '{"sourceCallerIdNumber":{"value":"+18005550100","isAnonymous":false},"participantToAdd":{"kind":"phoneNumber","rawId":"4:+14255550199","phoneNumber":{"value":"+14255550199","isAnonymous":false}},"invitationTimeoutInSeconds":30,"operationContext":"ctx-add","customCallingContext":{"voipHeaders":{},"sipHeaders":{}}}',
  ],
  ['removeParticipant', `{"participantToRemove":${PN},"operationContext":"ctx-rm"}`],
  ['muteParticipant', `{"targetParticipants":[${USER}]}`],
  [
    'transferToParticipant',
    `{"targetParticipant":${PN},"operationContext":"u-5","transferee":${USER},"customCallingContext":{"voipHeaders":{},"sipHeaders":{}}}`,
  ],
]

const extras: ToCommand.Extras = {
  callConnectionId: Ids.unsafe.callConnectionId('cc-123'),
  serverCallId: Ids.unsafe.serverCallId('srv-1'),
  correlationId: Ids.unsafe.correlationId('corr-1'),
  invitationId: Ids.unsafe.invitationId('inv-1'),
  app: Identifier.communicationUser('8:acs:bot'),
  caller: Identifier.phoneNumber('+14255550123'),
}

/** A fixed, seeded mix of callback events of every type. */
const notifies = fc.sample(Arbitrary.notify(), { numRuns: 2000, seed: 42 })
const metas = notifies.map((_, i) => ({
  id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
}))
const eventTexts = notifies.map((n, i) =>
  Callbacks.encodeBatch([Callbacks.toCloudEvent(n, metas[i]!)]),
)

let sink = 0

/** Runs `body` over a stream of `n` items repeatedly for ~`ms`; returns items per second. */
const measure = (n: number, body: () => void, ms = 400): number => {
  let items = 0
  const start = performance.now()
  let now = start
  while (now - start < ms) {
    body()
    items += n
    now = performance.now()
  }
  return (items * 1000) / (now - start)
}

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]!
}

const decodeStream = () => {
  for (const [op, text] of bodies) {
    const r = ToCommand.decode(op, JSON.parse(text), extras)
    if (r._tag === 'Left') throw new Error(`bench body refused: ${op}: ${r.left.message}`)
    sink += 1
  }
}
const decodeBaseline = () => {
  for (const [, text] of bodies) sink += JSON.stringify(JSON.parse(text)).length
}
const encodeStream = () => {
  for (let i = 0; i < notifies.length; i++)
    sink += Callbacks.encodeBatch([Callbacks.toCloudEvent(notifies[i]!, metas[i]!)]).length
}
const encodeBaseline = () => {
  for (const text of eventTexts) sink += JSON.stringify(JSON.parse(text)).length
}

const rounds = 7
const runs = {
  decode: [] as number[],
  decodeJson: [] as number[],
  encode: [] as number[],
  encodeJson: [] as number[],
}
for (let r = 0; r < rounds + 1; r++) {
  const d = measure(bodies.length, decodeStream)
  const dj = measure(bodies.length, decodeBaseline)
  const e = measure(notifies.length, encodeStream)
  const ej = measure(notifies.length, encodeBaseline)
  if (r === 0) continue // warm-up
  runs.decode.push(d)
  runs.decodeJson.push(dj)
  runs.encode.push(e)
  runs.encodeJson.push(ej)
}

const decodeOps = median(runs.decode)
const decodeJsonOps = median(runs.decodeJson)
const encodeOps = median(runs.encode)
const encodeJsonOps = median(runs.encodeJson)
const decodeRatio = decodeJsonOps / decodeOps
const encodeRatio = encodeJsonOps / encodeOps
// the whole mixed workload: time per (one request + one event), codec vs bare JSON
const mixedRatio = (1 / decodeOps + 1 / encodeOps) / (1 / decodeJsonOps + 1 / encodeJsonOps)

const row = (name: string, ops: number, base: number) =>
  `${name.padEnd(34)}${Math.round(ops).toLocaleString('en-US').padStart(14)}${Math.round(base).toLocaleString('en-US').padStart(16)}${(base / ops).toFixed(2).padStart(10)}`
console.log(
  `${'stream'.padEnd(34)}${'codec ops/s'.padStart(14)}${'JSON ops/s'.padStart(16)}${'ratio'.padStart(10)}`,
)
console.log(row(`decode ${bodies.length} SDK request bodies`, decodeOps, decodeJsonOps))
console.log(row(`encode ${notifies.length} callback events`, encodeOps, encodeJsonOps))
console.log(`mixed cost ratio (target ≤ 3): ${mixedRatio.toFixed(2)}   (sink ${sink % 7})`)
console.log(
  JSON.stringify({
    bench: 'wire',
    metrics: {
      decodeOpsPerSec: Math.round(decodeOps),
      decodeJsonBaselineOpsPerSec: Math.round(decodeJsonOps),
      decodeRatio: Number(decodeRatio.toFixed(3)),
      encodeOpsPerSec: Math.round(encodeOps),
      encodeJsonBaselineOpsPerSec: Math.round(encodeJsonOps),
      encodeRatio: Number(encodeRatio.toFixed(3)),
      ratio: Number(mixedRatio.toFixed(3)),
    },
  }),
)
