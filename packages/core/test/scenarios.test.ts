import { describe, expect, it } from 'vitest'
import { isSome } from 'fp-ts/lib/Option.js'
import type { Event, Instruction } from '../src/index.js'
import { Ids, Instant, nextDeadline, replay, ToneSequence } from '../src/index.js'
import { Call, alice, bob, file, playTo, playToAll, recognizeDtmf, sendDtmf } from './Fixtures.js'

const callbacks = (call: Call): ReadonlyArray<Instruction.NotifyCallback> =>
  call.instructions.filter((i): i is Instruction.NotifyCallback => i._tag === 'NotifyCallback')

const ofTag = <T extends Event.Event['_tag']>(call: Call, tag: T) =>
  call.events.filter((e): e is Extract<Event.Event, { _tag: T }> => e._tag === tag)

describe('call lifecycle', () => {
  it('an outbound call connects when its target answers, with CallConnected then ParticipantsUpdated', () => {
    const call = Call.connected([alice])
    expect(call.state.status).toBe('connected')
    expect(callbacks(call).map((c) => c.event._tag)).toEqual([
      'CallConnected',
      'ParticipantsUpdated',
    ])
    expect(call.state.participants).toEqual([
      { identifier: alice, isMuted: false, isOnHold: false },
    ])
    expect(call.instructions[0]).toMatchObject({ _tag: 'Dial', participants: [alice] })
  })

  it('a call nobody answers fails with CreateCallFailed after the ring timeout', () => {
    const call = new Call()
    call.do({
      _tag: 'CreateCall',
      callConnectionId: Ids.unsafe.callConnectionId('cc'),
      serverCallId: Ids.unsafe.serverCallId('s'),
      correlationId: Ids.unsafe.correlationId('c'),
      callbackUri: 'https://app.example/cb',
      source: alice,
      targets: [bob],
    })
    expect(isSome(nextDeadline(call.state))).toBe(true)
    call.advance(59_000)
    expect(call.state.status).toBe('connecting')
    call.advance(2_000)
    expect(call.state.status).toBe('disconnected')
    expect(ofTag(call, 'CreateCallFailed')[0]?.resultInformation.subCode).toBe(8541)
  })

  it('a busy callee fails the call with 486/8539', () => {
    const call = new Call()
    call.do({
      _tag: 'CreateCall',
      callConnectionId: Ids.unsafe.callConnectionId('cc'),
      serverCallId: Ids.unsafe.serverCallId('s'),
      correlationId: Ids.unsafe.correlationId('c'),
      callbackUri: 'https://app.example/cb',
      source: alice,
      targets: [bob],
    })
    call.signal({ _tag: 'PartyDeclined', participant: bob, reason: 'busy' })
    expect(ofTag(call, 'CreateCallFailed')[0]?.resultInformation).toMatchObject({
      code: 486,
      subCode: 8539,
    })
  })

  it('hanging up ends every running and queued operation before CallDisconnected', () => {
    const call = Call.connected([alice, bob], { streaming: true })
    call.do({ _tag: 'StartContinuousDtmfRecognition', target: bob })
    call.do(playToAll('one'))
    call.do(playToAll('two'))
    call.do(sendDtmf(alice))
    call.do({ _tag: 'StartMediaStreaming' })
    const from = call.events.length
    call.do({ _tag: 'HangUp', forEveryone: true })
    const tags = call.tags(from)
    expect(tags.filter((t) => t === 'PlayCanceled')).toHaveLength(2)
    expect(tags).toContain('SendDtmfTonesFailed')
    expect(tags).toContain('ContinuousDtmfRecognitionStopped')
    expect(tags).toContain('MediaStreamingStopped')
    expect(tags[tags.length - 1]).toBe('CallDisconnected')
    expect(call.state.status).toBe('disconnected')
    expect(call.instructions).toContainEqual({ _tag: 'DisconnectCall', forEveryone: true })
  })

  it('the last party hanging up ends the call', () => {
    const call = Call.connected([alice])
    call.do(playToAll())
    call.signal({ _tag: 'PartyHungUp', participant: alice })
    expect(call.tags().slice(-3)).toEqual([
      'ParticipantsUpdated',
      'PlayCanceled',
      'CallDisconnected',
    ])
  })

  it('add participant: answered, declined, timed out, canceled', () => {
    const call = Call.connected([alice])
    call.do({
      _tag: 'AddParticipant',
      participant: bob,
      invitationId: Ids.unsafe.invitationId('i1'),
      invitationTimeoutMs: 10_000,
      operationContext: 'add-bob',
    })
    call.signal({ _tag: 'PartyAnswered', participant: bob })
    expect(ofTag(call, 'AddParticipantSucceeded')[0]).toMatchObject({
      operationContext: 'add-bob',
      invitationId: 'i1',
    })
    expect(call.state.participants).toHaveLength(2)

    const carol = { _tag: 'PhoneNumber' as const, value: '+14255550199', isAnonymous: false }
    call.do({
      _tag: 'AddParticipant',
      participant: carol,
      invitationId: Ids.unsafe.invitationId('i2'),
      invitationTimeoutMs: 10_000,
    })
    call.advance(10_001)
    expect(ofTag(call, 'AddParticipantFailed')[0]?.resultInformation.code).toBe(408)

    call.do({
      _tag: 'AddParticipant',
      participant: carol,
      invitationId: Ids.unsafe.invitationId('i3'),
      invitationTimeoutMs: 10_000,
    })
    call.do({ _tag: 'CancelAddParticipant', invitationId: Ids.unsafe.invitationId('i3') })
    expect(ofTag(call, 'CancelAddParticipantSucceeded')).toHaveLength(1)
    expect(call.state.invitations).toHaveLength(0)
  })

  it('a transfer accepted ends the call for the application', () => {
    const call = Call.connected([alice])
    call.do({ _tag: 'TransferToParticipant', target: bob })
    expect(call.state.status).toBe('transferring')
    const id = ofTag(call, 'TransferRequested')[0]!.operationId
    call.signal({ _tag: 'TransferAccepted', operationId: id })
    expect(call.tags().slice(-2)).toEqual(['CallTransferAccepted', 'CallDisconnected'])
  })
})

describe('play', () => {
  it('two PlayToAll are queued and complete in order', () => {
    const call = Call.connected()
    call.do(playToAll('first'))
    call.do(playToAll('second'))
    const [first, second] = call.state.main
    expect(first?.phase).toBe('starting')
    expect(second?.phase).toBe('queued')
    const starts = () => call.instructions.filter((i) => i._tag === 'StartPlayback')
    expect(starts()).toHaveLength(1)
    call.signal({ _tag: 'PlaybackStarted', operationId: first!.id, durationMs: 2_000 })
    call.signal({ _tag: 'PlaybackFinished', operationId: first!.id })
    expect(starts()).toHaveLength(2)
    call.signal({ _tag: 'PlaybackStarted', operationId: second!.id, durationMs: 2_000 })
    call.signal({ _tag: 'PlaybackFinished', operationId: second!.id })
    const done = ofTag(call, 'PlayCompleted').map((e) => e.operationId)
    expect(done).toEqual([first!.id, second!.id])
    expect(call.state.main).toHaveLength(0)
  })

  it('a play whose audio length elapsed completes even if the media plane stays silent', () => {
    const call = Call.connected()
    call.do(playToAll())
    call.signal({ _tag: 'PlaybackStarted', operationId: call.lastOperation(), durationMs: 1_000 })
    call.advance(1_000)
    expect(ofTag(call, 'PlayCompleted')).toHaveLength(0)
    call.advance(10_000)
    expect(ofTag(call, 'PlayCompleted')).toHaveLength(1)
  })

  it('a play that never starts fails with 500/9999', () => {
    const call = Call.connected()
    call.do(playToAll())
    call.advance(31_000)
    expect(ofTag(call, 'PlayFailed')[0]?.resultInformation).toMatchObject({
      code: 500,
      subCode: 9999,
    })
  })

  it('an unreachable file fails with 400/8536 naming the failed source', () => {
    const call = Call.connected()
    call.do({
      _tag: 'PlayToAll',
      sources: [file('a'), file('missing')],
      loop: false,
      interrupt: false,
    })
    call.signal({
      _tag: 'PlaybackFailed',
      operationId: call.lastOperation(),
      reason: 'fileDownload',
      sourceIndex: 1,
    })
    expect(ofTag(call, 'PlayFailed')[0]).toMatchObject({
      failedPlaySourceIndex: 1,
      resultInformation: { code: 400, subCode: 8536 },
    })
  })

  it('barge-in cancels the running and queued main-lane operations and runs at once', () => {
    const call = Call.connected()
    call.do(playToAll('one'))
    call.do(playToAll('two'))
    call.do(playToAll('urgent', true))
    expect(ofTag(call, 'PlayCanceled')).toHaveLength(2)
    expect(call.state.main).toHaveLength(1)
    expect(call.state.main[0]?.phase).toBe('starting')
  })

  it('an operation callback URI overrides the call callback URI for that operation only', () => {
    const call = Call.connected()
    call.do({
      ...playToAll(),
      operationCallbackUri: 'https://other.example/cb',
      operationContext: 'ctx-play',
    })
    call.signal({ _tag: 'PlaybackFinished', operationId: call.lastOperation() })
    const done = callbacks(call).find((c) => c.event._tag === 'PlayCompleted')
    expect(done?.callbackUri).toBe('https://other.example/cb')
    expect(done?.event).toMatchObject({ operationContext: 'ctx-play' })
    expect(callbacks(call)[0]?.callbackUri).toBe('https://app.example/callbacks')
  })
})

describe('send DTMF', () => {
  it('four tones to a PSTN party complete with SendDtmfTonesCompleted', () => {
    const call = Call.connected()
    call.do({ ...sendDtmf(alice), operationContext: 'ctx-dtmf' })
    expect(call.instructions).toContainEqual({
      _tag: 'SendTones',
      operationId: call.lastOperation(),
      target: alice,
      tones: ['one', 'two', 'three', 'four'],
    })
    call.signal({ _tag: 'TonesSent', operationId: call.lastOperation() })
    expect(ofTag(call, 'SendDtmfTonesCompleted')[0]).toMatchObject({
      operationContext: 'ctx-dtmf',
      resultInformation: { code: 200, subCode: 0 },
    })
    // the sub slot is free again
    call.do(sendDtmf(alice, ['pound']))
  })

  it('tones the media plane never confirms fail after their budget', () => {
    const call = Call.connected()
    call.do(sendDtmf(alice, ['one']))
    call.advance(7_000)
    expect(ofTag(call, 'SendDtmfTonesFailed')).toHaveLength(1)
  })
})

describe('continuous DTMF recognition', () => {
  it('key presses arrive as ToneReceived with sequence ids 1, 2, 3 and stop ends it', () => {
    const call = Call.connected()
    call.do({ _tag: 'StartContinuousDtmfRecognition', target: alice, operationContext: 'cdtmf' })
    const keys = ['one', 'two', 'pound'] as const
    keys.forEach((tone, i) =>
      call.signal({ _tag: 'TonePressed', participant: alice, tone, pressId: i + 1 }),
    )
    call.signal({ _tag: 'TonePressed', participant: alice, tone: 'two', pressId: 2 }) // duplicate
    const received = ofTag(call, 'ContinuousDtmfRecognitionToneReceived')
    expect(received.map((e) => [e.sequenceId, e.tone])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'pound'],
    ])
    call.do({ _tag: 'StopContinuousDtmfRecognition', target: alice, operationContext: 'stop' })
    expect(ofTag(call, 'ContinuousDtmfRecognitionStopped')[0]?.operationContext).toBe('stop')
    call.signal({ _tag: 'TonePressed', participant: alice, tone: 'five', pressId: 4 })
    expect(ofTag(call, 'ContinuousDtmfRecognitionToneReceived')).toHaveLength(3)
  })

  it('the pressed keys are rebuilt from events in any order, twice, with gaps', () => {
    const rebuilt = ToneSequence.rebuild([
      { sequenceId: 3, tone: 'three' },
      { sequenceId: 1, tone: 'one' },
      { sequenceId: 3, tone: 'three' },
      { sequenceId: 5, tone: 'pound' },
    ])
    expect(rebuilt.keys).toBe('13#')
    expect(rebuilt.missing).toEqual([2, 4])
    expect(rebuilt.last).toBe(5)
  })
})

describe('recognize', () => {
  const pressAll = (call: Call, tones: ReadonlyArray<string>, first = 1) =>
    tones.forEach((tone, i) =>
      call.signal({
        _tag: 'TonePressed',
        participant: alice,
        tone: tone as never,
        pressId: first + i,
      }),
    )

  it('completes with 8531 when max tones are collected', () => {
    const call = Call.connected()
    call.do(recognizeDtmf(alice, { maxTonesToCollect: 3 }))
    pressAll(call, ['one', 'two', 'three'])
    expect(ofTag(call, 'RecognizeCompleted')[0]).toMatchObject({
      recognitionType: 'dtmf',
      dtmfResult: { tones: ['one', 'two', 'three'] },
      resultInformation: { subCode: 8531 },
    })
  })

  it('completes with 8514 on a stop tone, without the stop tone', () => {
    const call = Call.connected()
    call.do(recognizeDtmf(alice, { maxTonesToCollect: 10, stopTones: ['pound'] }))
    pressAll(call, ['four', 'two', 'pound'])
    expect(ofTag(call, 'RecognizeCompleted')[0]).toMatchObject({
      dtmfResult: { tones: ['four', 'two'] },
      resultInformation: { subCode: 8514 },
    })
  })

  it('fails with 8510 on initial silence and 8532 between digits', () => {
    const silent = Call.connected()
    silent.do(recognizeDtmf(alice))
    silent.advance(5_000)
    expect(ofTag(silent, 'RecognizeFailed')[0]?.resultInformation.subCode).toBe(8510)

    const slow = Call.connected()
    slow.do(recognizeDtmf(alice, { interToneTimeoutMs: 2_000 }))
    pressAll(slow, ['one'])
    slow.advance(1_900)
    expect(ofTag(slow, 'RecognizeFailed')).toHaveLength(0)
    slow.advance(200)
    expect(ofTag(slow, 'RecognizeFailed')[0]?.resultInformation.subCode).toBe(8532)
  })

  it('listens after its prompt, and an interruptible prompt stops on the first key', () => {
    const call = Call.connected()
    call.do({
      ...recognizeDtmf(alice, { prompt: true, maxTonesToCollect: 1 }),
      interruptPrompt: true,
    })
    const id = call.lastOperation()
    call.signal({ _tag: 'PlaybackStarted', operationId: id, durationMs: 3_000 })
    pressAll(call, ['nine'])
    expect(call.instructions).toContainEqual({ _tag: 'StopPlayback', operationId: id })
    expect(ofTag(call, 'RecognizeCompleted')[0]?.dtmfResult?.tones).toEqual(['nine'])
  })

  it('ignores keys during a prompt that may not be interrupted', () => {
    const call = Call.connected()
    call.do(recognizeDtmf(alice, { prompt: true, maxTonesToCollect: 1 }))
    const id = call.lastOperation()
    call.signal({ _tag: 'PlaybackStarted', operationId: id, durationMs: 3_000 })
    pressAll(call, ['nine'])
    expect(ofTag(call, 'RecognizeCompleted')).toHaveLength(0)
    call.signal({ _tag: 'PlaybackFinished', operationId: id })
    pressAll(call, ['eight'], 2)
    expect(ofTag(call, 'RecognizeCompleted')[0]?.dtmfResult?.tones).toEqual(['eight'])
  })

  it('choices: a matching tone completes with 8533, a wrong one fails with 8534, a phrase with 8545', () => {
    const choices = [
      { label: 'yes', phrases: ['yes', 'yeah'], tone: 'one' as const },
      { label: 'no', phrases: ['no'], tone: 'two' as const },
    ]
    const base = { ...recognizeDtmf(alice), inputType: 'choices' as const, choices }
    const right = Call.connected()
    right.do(base)
    pressAll(right, ['two'])
    expect(ofTag(right, 'RecognizeCompleted')[0]).toMatchObject({
      choiceResult: { label: 'no' },
      resultInformation: { subCode: 8533 },
    })
    const wrong = Call.connected()
    wrong.do(base)
    pressAll(wrong, ['nine'])
    expect(ofTag(wrong, 'RecognizeFailed')[0]?.resultInformation.subCode).toBe(8534)
    const spoken = Call.connected()
    spoken.do(base)
    spoken.signal({
      _tag: 'SpeechRecognized',
      participant: alice,
      text: 'Yeah!',
      confidence: 0.9,
      speechId: 1,
    })
    expect(ofTag(spoken, 'RecognizeCompleted')[0]).toMatchObject({
      recognitionType: 'choices',
      choiceResult: { label: 'yes', recognizedPhrase: 'Yeah!' },
      resultInformation: { subCode: 8545 },
    })
  })

  it('speech: what the party said completes the recognize', () => {
    const call = Call.connected()
    call.do({ ...recognizeDtmf(alice), inputType: 'speech' })
    call.signal({
      _tag: 'SpeechRecognized',
      participant: alice,
      text: 'billing please',
      confidence: 0.8,
      speechId: 1,
    })
    expect(ofTag(call, 'RecognizeCompleted')[0]?.speechResult).toEqual({
      speech: 'billing please',
      confidence: 0.8,
    })
  })

  it('a recognize in a group call runs on the sub leg and prompts its target only', () => {
    const call = Call.connected([alice, bob])
    call.do(recognizeDtmf(alice, { prompt: true }))
    expect(call.state.sub?.kind).toBe('RecognizeGroup')
    expect(call.instructions.find((i) => i._tag === 'StartPlayback')).toMatchObject({ to: [alice] })
  })
})

describe('hold', () => {
  it('hold with music and unhold show in ParticipantsUpdated and isOnHold', () => {
    const call = Call.connected([alice, bob])
    call.do({ _tag: 'Hold', target: alice, playSource: file('music'), operationContext: 'hold' })
    expect(call.instructions).toContainEqual({
      _tag: 'StartHoldMusic',
      participant: alice,
      source: file('music'),
    })
    const held = ofTag(call, 'ParticipantsUpdated').at(-1)!
    expect(held.participants.find((p) => p.identifier === alice)?.isOnHold).toBe(true)
    expect(held.participants.find((p) => p.identifier === bob)?.isOnHold).toBe(false)
    call.do({ _tag: 'Unhold', target: alice })
    expect(
      ofTag(call, 'ParticipantsUpdated')
        .at(-1)!
        .participants.every((p) => !p.isOnHold),
    ).toBe(true)
    expect(call.instructions).toContainEqual({ _tag: 'StopHoldMusic', participant: alice })
  })

  it('hold music that cannot be played reports HoldFailed once', () => {
    const call = Call.connected()
    call.do({ _tag: 'Hold', target: alice, playSource: file('missing') })
    call.signal({ _tag: 'HoldMusicFailed', participant: alice, reason: 'fileDownload' })
    call.signal({ _tag: 'HoldMusicFailed', participant: alice, reason: 'fileDownload' })
    expect(ofTag(call, 'HoldFailed')).toHaveLength(1)
  })
})

describe('cancel, streaming, transcription', () => {
  it('cancel all media operations cancels play, recognize and DTMF but not continuous recognition', () => {
    const call = Call.connected([alice, bob])
    call.do({ _tag: 'StartContinuousDtmfRecognition', target: alice })
    call.do(playToAll())
    call.do(playTo([bob]))
    call.do({ _tag: 'CancelAllMediaOperations' })
    expect(ofTag(call, 'PlayCanceled').map((e) => e.resultInformation.subCode)).toEqual([
      8508, 8508,
    ])
    expect(call.state.continuous).toHaveLength(1)
    expect(call.state.main).toHaveLength(0)
    expect(call.state.sub).toBeNull()
  })

  it('streaming starts when the transport connects and fails when it cannot', () => {
    const call = Call.connected([alice], { streaming: true, transcription: true })
    call.do({ _tag: 'StartMediaStreaming', operationContext: 'ms' })
    const open = call.instructions.find((i) => i._tag === 'OpenMediaStream')
    expect(open?._tag).toBe('OpenMediaStream')
    if (open?._tag !== 'OpenMediaStream') return
    call.signal({ _tag: 'MediaStreamConnected', operationId: open.operationId })
    expect(ofTag(call, 'MediaStreamingStarted')[0]?.mediaStreamingUpdate.mediaStreamingStatus).toBe(
      'mediaStreamingStarted',
    )
    call.do({ _tag: 'StartTranscription', locale: 'en-GB' })
    const tx = call.instructions.find((i) => i._tag === 'OpenTranscription')
    if (tx?._tag !== 'OpenTranscription') throw new Error('no OpenTranscription')
    expect(tx.locale).toBe('en-GB')
    call.signal({ _tag: 'TranscriptionFailed', operationId: tx.operationId, reason: 'refused' })
    expect(ofTag(call, 'TranscriptionFailed')).toHaveLength(1)
    expect(call.state.transcription._tag).toBe('Off')
  })

  it('streaming configured to start on connect starts by itself', () => {
    const call = new Call()
    call.do({
      _tag: 'CreateCall',
      callConnectionId: Ids.unsafe.callConnectionId('cc'),
      serverCallId: Ids.unsafe.serverCallId('s'),
      correlationId: Ids.unsafe.correlationId('c'),
      callbackUri: 'https://app.example/cb',
      source: bob,
      targets: [alice],
      mediaStreaming: {
        transportUrl: 'wss://x',
        audioChannelType: 'unmixed',
        audioFormat: 'pcm24KMono',
        startMediaStreaming: true,
        enableBidirectional: true,
        enableDtmfTones: false,
      },
    })
    call.signal({ _tag: 'PartyAnswered', participant: alice })
    expect(call.state.streaming._tag).toBe('Starting')
  })
})

describe('bookkeeping', () => {
  it('callback sequence numbers rise by one per callback of the call', () => {
    const call = Call.connected([alice, bob])
    call.do(playToAll())
    call.signal({ _tag: 'PlaybackStarted', operationId: call.lastOperation(), durationMs: 10 })
    call.do({ _tag: 'HangUp', forEveryone: false })
    expect(callbacks(call).map((c) => c.sequence)).toEqual(callbacks(call).map((_, i) => i + 1))
  })

  it('the state is the replay of the events', () => {
    const call = Call.connected([alice])
    call.do(recognizeDtmf(alice, { prompt: true }))
    call.do(sendDtmf(alice))
    call.advance(100_000)
    expect(replay(call.events)).toEqual(call.state)
  })

  it('ArmTimer announces the next deadline when it changes', () => {
    const call = Call.connected()
    call.do(recognizeDtmf(alice))
    const arm = call.instructions.filter((i) => i._tag === 'ArmTimer').at(-1)
    expect(arm).toEqual({ _tag: 'ArmTimer', at: Instant.fromMillis(call.now + 5_000) })
  })
})
