import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Rejection } from '@switchboard/core'
import { Identifier, Ids } from '@switchboard/core'
import { ToCommand } from '../src/index.js'

/** The exact request bodies SDK 1.6.0 sends (reference section 1.4), as captured. */
const PN = '{"rawId":"4:+14255550123","phoneNumber":{"value":"+14255550123","isAnonymous":false}}'
const pn = Identifier.phoneNumber('+14255550123')
const user = Identifier.communicationUser('8:acs:t1')
const bot = Identifier.communicationUser('8:acs:bot')

const extras: ToCommand.Extras = {
  callConnectionId: Ids.unsafe.callConnectionId('cc-123'),
  serverCallId: Ids.unsafe.serverCallId('srv-1'),
  correlationId: Ids.unsafe.correlationId('corr-1'),
  invitationId: Ids.unsafe.invitationId('inv-1'),
  app: bot,
  caller: pn,
}
const ids = { callConnectionId: 'cc-123', serverCallId: 'srv-1', correlationId: 'corr-1' }

const ok = <A>(r: Either<Rejection.Rejection, A>): A => {
  if (isLeft(r)) throw new Error(`expected a command, got ${r.left.message}`)
  return r.right
}

const cases: ReadonlyArray<
  readonly [string, ToCommand.OperationName, string | undefined, unknown]
> = [
  [
    'createCall to an ACS user',
    'createCall',
    '{"targets":[{"kind":"communicationUser","rawId":"8:acs:t1","communicationUser":{"id":"8:acs:t1"}}],"operationContext":"ctx-create","callbackUri":"https://cb.example/cb"}',
    {
      _tag: 'CreateCall',
      ...ids,
      callbackUri: 'https://cb.example/cb',
      operationContext: 'ctx-create',
      source: bot,
      targets: [user],
    },
  ],
  [
    'createCall to PSTN with a caller id, from a source identity',
    'createCall',
    '{"targets":[{"kind":"phoneNumber","rawId":"4:+14255550123","phoneNumber":{"value":"+14255550123","isAnonymous":false}}],"sourceCallerIdNumber":{"value":"+18005550100","isAnonymous":false},"callbackUri":"https://cb.example/cb","source":{"id":"8:acs:other"}}',
    {
      _tag: 'CreateCall',
      ...ids,
      callbackUri: 'https://cb.example/cb',
      source: Identifier.communicationUser('8:acs:other'),
      targets: [pn],
      sourceCallerIdNumber: '+18005550100',
    },
  ],
  [
    'createCall with streaming and transcription options',
    'createCall',
    '{"targets":[{"kind":"communicationUser","rawId":"8:acs:t1","communicationUser":{"id":"8:acs:t1"}}],"callbackUri":"https://cb.example/cb","mediaStreamingOptions":{"transportType":"websocket","audioChannelType":"mixed","transportUrl":"wss://ws.example/media","contentType":"audio","startMediaStreaming":false,"enableBidirectional":true,"audioFormat":"Pcm24KMono"},"transcriptionOptions":{"transportType":"websocket","locale":"en-US","transportUrl":"wss://ws.example/tx","startTranscription":false}}',
    {
      _tag: 'CreateCall',
      ...ids,
      callbackUri: 'https://cb.example/cb',
      source: bot,
      targets: [user],
      mediaStreaming: {
        transportUrl: 'wss://ws.example/media',
        audioChannelType: 'mixed',
        audioFormat: 'pcm24KMono',
        startMediaStreaming: false,
        enableBidirectional: true,
        enableDtmfTones: false,
      },
      transcription: {
        transportUrl: 'wss://ws.example/tx',
        locale: 'en-US',
        startTranscription: false,
        enableIntermediateResults: false,
      },
    },
  ],
  [
    'answerCall',
    'answerCall',
    '{"incomingCallContext":"incoming-ctx-xyz","callbackUri":"https://cb.example/cb","operationContext":"ctx-answer"}',
    {
      _tag: 'AnswerCall',
      ...ids,
      callbackUri: 'https://cb.example/cb',
      operationContext: 'ctx-answer',
      caller: pn,
      answeredBy: bot,
    },
  ],
  [
    'sendDtmfTones',
    'sendDtmfTones',
    `{"tones":["one","two","pound"],"targetParticipant":${PN},"operationContext":"ctx-dtmf"}`,
    {
      _tag: 'SendDtmfTones',
      target: pn,
      tones: ['one', 'two', 'pound'],
      operationContext: 'ctx-dtmf',
    },
  ],
  [
    'startContinuousDtmfRecognition',
    'startContinuousDtmfRecognition',
    `{"targetParticipant":${PN},"operationContext":"ctx-cdtmf"}`,
    { _tag: 'StartContinuousDtmfRecognition', target: pn, operationContext: 'ctx-cdtmf' },
  ],
  [
    'stopContinuousDtmfRecognition',
    'stopContinuousDtmfRecognition',
    `{"targetParticipant":${PN},"operationContext":"ctx-cdtmf-stop","operationCallbackUri":"https://cb.example/op"}`,
    {
      _tag: 'StopContinuousDtmfRecognition',
      target: pn,
      operationContext: 'ctx-cdtmf-stop',
      operationCallbackUri: 'https://cb.example/op',
    },
  ],
  [
    'hold with music',
    'hold',
    `{"targetParticipant":${PN},"playSourceInfo":{"kind":"file","file":{"uri":"https://media.example/hold.wav"}},"operationContext":"ctx-hold"}`,
    {
      _tag: 'Hold',
      target: pn,
      playSource: { _tag: 'File', uri: 'https://media.example/hold.wav' },
      operationContext: 'ctx-hold',
    },
  ],
  [
    'unhold',
    'unhold',
    `{"targetParticipant":${PN},"operationContext":"ctx-unhold"}`,
    { _tag: 'Unhold', target: pn, operationContext: 'ctx-unhold' },
  ],
  [
    'playToAll a file',
    'play',
    '{"playSources":[{"kind":"file","file":{"uri":"https://media.example/a.wav"}}],"playTo":[],"playOptions":{"loop":false},"operationContext":"ctx-play"}',
    {
      _tag: 'PlayToAll',
      sources: [{ _tag: 'File', uri: 'https://media.example/a.wav' }],
      loop: false,
      interrupt: false,
      operationContext: 'ctx-play',
    },
  ],
  [
    'playToAll text, interrupting',
    'play',
    '{"playSources":[{"kind":"text","text":{"text":"Hello","voiceName":"en-US-NancyNeural"}}],"playTo":[],"interruptCallMediaOperation":true,"playOptions":{"loop":false},"operationContext":"6f1c1f7e-2b8a-4c1e-9b7a-0d2f4e5a6b7c"}',
    {
      _tag: 'PlayToAll',
      sources: [{ _tag: 'Text', text: 'Hello', voiceName: 'en-US-NancyNeural' }],
      loop: false,
      interrupt: true,
      operationContext: '6f1c1f7e-2b8a-4c1e-9b7a-0d2f4e5a6b7c',
    },
  ],
  [
    'play SSML to one participant',
    'play',
    `{"playSources":[{"kind":"ssml","ssml":{"ssmlText":"<speak/>"}}],"playTo":[${PN}],"playOptions":{"loop":false},"operationContext":"ctx-play2"}`,
    {
      _tag: 'PlayTo',
      targets: [pn],
      sources: [{ _tag: 'Ssml', ssmlText: '<speak/>' }],
      loop: false,
      interrupt: false,
      operationContext: 'ctx-play2',
    },
  ],
  [
    'recognize DTMF with a prompt',
    'recognize',
    `{"recognizeInputType":"dtmf","playPrompt":{"kind":"text","text":{"text":"Enter PIN","voiceName":"en-US-NancyNeural"}},"recognizeOptions":{"interruptPrompt":true,"initialSilenceTimeoutInSeconds":10,"targetParticipant":${PN},"dtmfOptions":{"interToneTimeoutInSeconds":3,"maxTonesToCollect":4,"stopTones":["pound"]}},"operationContext":"ctx-rec"}`,
    {
      _tag: 'Recognize',
      inputType: 'dtmf',
      target: pn,
      prompts: [{ _tag: 'Text', text: 'Enter PIN', voiceName: 'en-US-NancyNeural' }],
      interruptPrompt: true,
      initialSilenceTimeoutMs: 10_000,
      dtmf: { interToneTimeoutMs: 3_000, maxTonesToCollect: 4, stopTones: ['pound'] },
      interrupt: false,
      operationContext: 'ctx-rec',
    },
  ],
  [
    'recognize DTMF with the SDK defaults',
    'recognize',
    `{"recognizeInputType":"dtmf","recognizeOptions":{"initialSilenceTimeoutInSeconds":5,"targetParticipant":${PN},"dtmfOptions":{"interToneTimeoutInSeconds":2,"maxTonesToCollect":1}},"operationContext":"u-1"}`,
    {
      _tag: 'Recognize',
      inputType: 'dtmf',
      target: pn,
      prompts: [],
      interruptPrompt: false,
      initialSilenceTimeoutMs: 5_000,
      dtmf: { interToneTimeoutMs: 2_000, maxTonesToCollect: 1, stopTones: [] },
      interrupt: false,
      operationContext: 'u-1',
    },
  ],
  [
    'recognize choices',
    'recognize',
    `{"recognizeInputType":"choices","playPrompt":{"kind":"file","file":{"uri":"https://media.example/q.wav"}},"recognizeOptions":{"initialSilenceTimeoutInSeconds":5,"targetParticipant":${PN},"choices":[{"label":"yes","phrases":["yes","yeah"],"tone":"one"}]},"operationContext":"u-2"}`,
    {
      _tag: 'Recognize',
      inputType: 'choices',
      target: pn,
      prompts: [{ _tag: 'File', uri: 'https://media.example/q.wav' }],
      interruptPrompt: false,
      initialSilenceTimeoutMs: 5_000,
      choices: [{ label: 'yes', phrases: ['yes', 'yeah'], tone: 'one' }],
      interrupt: false,
      operationContext: 'u-2',
    },
  ],
  [
    'recognize speechOrDtmf',
    'recognize',
    `{"recognizeInputType":"speechOrDtmf","recognizeOptions":{"initialSilenceTimeoutInSeconds":5,"targetParticipant":${PN},"dtmfOptions":{"interToneTimeoutInSeconds":2,"maxTonesToCollect":2},"speechOptions":{"endSilenceTimeoutInMs":1000}},"operationContext":"u-3"}`,
    {
      _tag: 'Recognize',
      inputType: 'speechOrDtmf',
      target: pn,
      prompts: [],
      interruptPrompt: false,
      initialSilenceTimeoutMs: 5_000,
      dtmf: { interToneTimeoutMs: 2_000, maxTonesToCollect: 2, stopTones: [] },
      endSilenceTimeoutMs: 1000,
      interrupt: false,
      operationContext: 'u-3',
    },
  ],
  [
    'startMediaStreaming',
    'startMediaStreaming',
    '{"operationContext":"ctx-ms"}',
    { _tag: 'StartMediaStreaming', operationContext: 'ctx-ms' },
  ],
  [
    'stopMediaStreaming',
    'stopMediaStreaming',
    '{"operationContext":"ctx-ms-stop"}',
    { _tag: 'StopMediaStreaming', operationContext: 'ctx-ms-stop' },
  ],
  [
    'startTranscription',
    'startTranscription',
    '{"locale":"en-US","operationContext":"ctx-tx"}',
    { _tag: 'StartTranscription', locale: 'en-US', operationContext: 'ctx-tx' },
  ],
  [
    'stopTranscription',
    'stopTranscription',
    '{"operationContext":"ctx-tx-stop"}',
    { _tag: 'StopTranscription', operationContext: 'ctx-tx-stop' },
  ],
  [
    'updateTranscription',
    'updateTranscription',
    '{"locale":"es-ES"}',
    { _tag: 'UpdateTranscription', locale: 'es-ES' },
  ],
  [
    'cancelAllMediaOperations (no body)',
    'cancelAllMediaOperations',
    undefined,
    { _tag: 'CancelAllMediaOperations' },
  ],
  ['hangUp (DELETE)', 'hangUp', undefined, { _tag: 'HangUp', forEveryone: false }],
  ['terminate', 'terminate', undefined, { _tag: 'HangUp', forEveryone: true }],
  [
    'addParticipant',
    'addParticipant',
    '{"sourceCallerIdNumber":{"value":"+18005550100","isAnonymous":false},"participantToAdd":{"kind":"phoneNumber","rawId":"4:+14255550199","phoneNumber":{"value":"+14255550199","isAnonymous":false}},"invitationTimeoutInSeconds":30,"operationContext":"ctx-add","customCallingContext":{"voipHeaders":{},"sipHeaders":{}}}',
    {
      _tag: 'AddParticipant',
      participant: Identifier.phoneNumber('+14255550199'),
      invitationId: 'inv-1',
      invitationTimeoutMs: 30_000,
      operationContext: 'ctx-add',
    },
  ],
  [
    'removeParticipant',
    'removeParticipant',
    '{"participantToRemove":{"kind":"phoneNumber","rawId":"4:+14255550123","phoneNumber":{"value":"+14255550123","isAnonymous":false}},"operationContext":"ctx-rm"}',
    { _tag: 'RemoveParticipant', participant: pn, operationContext: 'ctx-rm' },
  ],
  [
    'muteParticipant',
    'muteParticipant',
    '{"targetParticipants":[{"kind":"communicationUser","rawId":"8:acs:t1","communicationUser":{"id":"8:acs:t1"}}]}',
    { _tag: 'MuteParticipant', participant: user },
  ],
  [
    'cancelAddParticipant',
    'cancelAddParticipant',
    '{"invitationId":"inv-1","operationContext":"u-4"}',
    { _tag: 'CancelAddParticipant', invitationId: 'inv-1', operationContext: 'u-4' },
  ],
  [
    'transferToParticipant',
    'transferToParticipant',
    `{"targetParticipant":{"kind":"phoneNumber","rawId":"4:+14255550123","phoneNumber":{"value":"+14255550123","isAnonymous":false}},"operationContext":"u-5","transferee":{"kind":"communicationUser","rawId":"8:acs:t1","communicationUser":{"id":"8:acs:t1"}},"customCallingContext":{"voipHeaders":{},"sipHeaders":{}}}`,
    { _tag: 'TransferToParticipant', target: pn, transferee: user, operationContext: 'u-5' },
  ],
]

describe('the SDK 1.6.0 request bodies decode into the intended commands', () => {
  for (const [name, op, body, expected] of cases) {
    it(name, () => {
      const json: unknown = body === undefined ? undefined : JSON.parse(body)
      expect(ok(ToCommand.decode(op, json, extras))).toEqual(expected)
    })
  }

  it('accepts unknown extra fields', () => {
    const body = JSON.parse(
      `{"tones":["one"],"targetParticipant":${PN},"future":{"x":1}}`,
    ) as unknown
    expect(ok(ToCommand.sendDtmfTones(body))).toEqual({
      _tag: 'SendDtmfTones',
      target: pn,
      tones: ['one'],
    })
  })

  it('passes more than 18 tones through: the core refuses them (tonesTooMany)', () => {
    const tones = Array.from({ length: 19 }, () => 'one')
    const r = ToCommand.sendDtmfTones({ tones, targetParticipant: JSON.parse(PN) })
    expect(isRight(r) && r.right.tones.length).toBe(19)
  })
})

describe('malformed bodies are refused with the offending path', () => {
  const refused = (op: ToCommand.OperationName, json: unknown) => {
    const r = ToCommand.decode(op, json, extras)
    if (isRight(r)) throw new Error('expected a refusal')
    return r.left
  }

  it('an unknown tone is toneUnknown, naming its index', () => {
    const r = refused('sendDtmfTones', {
      tones: ['one', 'Pound'],
      targetParticipant: JSON.parse(PN),
    })
    expect(r).toMatchObject({ rule: 'toneUnknown', status: 400, code: '8523' })
    expect(r.message).toContain('tones[1]')
  })

  it('an unknown stop tone names the nested path', () => {
    const r = refused('recognize', {
      recognizeInputType: 'dtmf',
      recognizeOptions: { targetParticipant: JSON.parse(PN), dtmfOptions: { stopTones: ['hash'] } },
    })
    expect(r.rule).toBe('toneUnknown')
    expect(r.message).toContain('recognizeOptions.dtmfOptions.stopTones[0]')
  })

  it('a missing required field is invalidArgument (400 / 8523) naming it', () => {
    const r = refused('play', { playSources: [{ kind: 'file', file: {} }] })
    expect(r).toMatchObject({ rule: 'invalidArgument', status: 400, code: '8523' })
    expect(r.message).toBe('Invalid request: playSources[0].file.uri is required.')
  })

  it('an identifier with no nested object and no rawId is refused', () => {
    const r = refused('hold', { targetParticipant: { kind: 'phoneNumber' } })
    expect(r.message).toContain('targetParticipant')
  })

  it('a body that is not an object is refused', () => {
    expect(refused('play', 'hello').message).toBe(
      'Invalid request: the body must be a JSON object, got "hello".',
    )
  })

  it('a wrong play source kind names kind', () => {
    expect(refused('play', { playSources: [{ kind: 'mp3' }] }).message).toContain(
      'playSources[0].kind',
    )
  })

  it('mute of two participants is refused', () => {
    const u = { communicationUser: { id: '8:acs:a' } }
    expect(refused('muteParticipant', { targetParticipants: [u, u] }).rule).toBe('invalidArgument')
  })

  it('missing extras are refused, not thrown', () => {
    const r = ToCommand.decode('createCall', JSON.parse(cases[0]![2]!), {})
    expect(isLeft(r)).toBe(true)
  })
})
