import { isLeft, isRight } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import type { Instant } from '@switchboard/core'
import { Decision, Identifier, Ids, Rejection, State, decide } from '@switchboard/core'
import { Errors, EventGrid, Responses, Streaming, ToCommand } from '../src/index.js'

const now = 1_700_000_000_000 as Instant.Instant

describe('Responses', () => {
  it('the success status table is the one SDK 1.6.0 accepts (reference 1.5)', () => {
    expect(Responses.status).toMatchObject({
      createCall: 201,
      answerCall: 200,
      play: 202,
      recognize: 202,
      cancelAllMediaOperations: 202,
      sendDtmfTones: 202,
      hold: 200,
      unhold: 200,
      startContinuousDtmfRecognition: 200,
      stopContinuousDtmfRecognition: 200,
      muteParticipant: 200,
      addParticipant: 202,
      removeParticipant: 202,
      transferToParticipant: 202,
      hangUp: 204,
      terminate: 204,
      startTranscription: 202,
      stopMediaStreaming: 202,
    })
  })

  it('CallConnectionProperties of a call just created', () => {
    const cmd = ToCommand.createCall(
      {
        targets: [
          { kind: 'phoneNumber', rawId: '4:+14255550123', phoneNumber: { value: '+14255550123' } },
        ],
        callbackUri: 'https://cb.example/cb',
        sourceCallerIdNumber: { value: '+18005550100' },
      },
      {
        callConnectionId: Ids.unsafe.callConnectionId('cc-1'),
        serverCallId: Ids.unsafe.serverCallId('srv-1'),
        correlationId: Ids.unsafe.correlationId('corr-1'),
        app: Identifier.communicationUser('8:acs:bot'),
      },
    )
    if (isLeft(cmd)) throw new Error(cmd.left.message)
    const d = decide(State.initial, cmd.right, { now })
    if (isLeft(d)) throw new Error(d.left.message)
    const props = Responses.callConnectionProperties(Decision.after(State.initial, d.right))
    expect(props).toMatchObject({
      callConnectionId: 'cc-1',
      serverCallId: 'srv-1',
      correlationId: 'corr-1',
      callConnectionState: 'connecting',
      callbackUri: 'https://cb.example/cb',
      source: {
        kind: 'communicationUser',
        rawId: '8:acs:bot',
        communicationUser: { id: '8:acs:bot' },
      },
      sourceCallerIdNumber: { value: '+18005550100' },
      mediaStreamingSubscription: { state: 'disabled', subscribedContentTypes: ['audio'] },
    })
    expect(
      isRight(Responses.CallConnectionProperties.decode(JSON.parse(JSON.stringify(props)))),
    ).toBe(true)
    expect(Responses.callConnectionProperties(State.initial)).toBeNull()
  })

  it('participants, add-participant, operationContext bodies', () => {
    const pn = Identifier.phoneNumber('+14255550199')
    expect(Responses.participants([{ identifier: pn, isMuted: false, isOnHold: true }])).toEqual({
      value: [
        {
          identifier: {
            kind: 'phoneNumber',
            rawId: '4:+14255550199',
            phoneNumber: { value: '+14255550199', isAnonymous: false },
          },
          isMuted: false,
          isOnHold: true,
        },
      ],
    })
    const add = Responses.addParticipant(pn, Ids.unsafe.invitationId('inv-1'), 'ctx')
    expect(add).toMatchObject({
      invitationId: 'inv-1',
      operationContext: 'ctx',
      participant: { isMuted: false },
    })
    expect(Responses.operationContext()).toEqual({})
    expect(Responses.operationContext('c')).toEqual({ operationContext: 'c' })
  })
})

describe('Errors', () => {
  it('a rejection becomes its status and {error:{code,message}}', () => {
    const r = Rejection.make('incompatibleMediaOperation', 'Precondition failed: nope.')
    const e = Errors.fromRejection(r)
    expect(e).toEqual({
      status: 412,
      body: { error: { code: '8583', message: 'Precondition failed: nope.' } },
    })
    expect(JSON.parse(Errors.encode(e.body))).toEqual(e.body)
    expect(Errors.decode(e.body)).toEqual({ _tag: 'Right', right: e.body })
  })
})

describe('Streaming', () => {
  it('outbound audio is matched case-insensitively (.NET PascalCase)', () => {
    expect(
      Streaming.decodeInbound('{"Kind":"AudioData","AudioData":{"Data":"AAAA","IsSilent":true}}'),
    ).toEqual({
      _tag: 'Right',
      right: { kind: 'audioData', audioData: { data: 'AAAA', isSilent: true } },
    })
    expect(Streaming.decodeInbound('{"Kind":"StopAudio","StopAudio":{}}')).toEqual({
      _tag: 'Right',
      right: { kind: 'stopAudio', stopAudio: {} },
    })
    expect(
      isLeft(Streaming.decodeInbound('{"kind":"audioData","audioData":{"data":"not base64!"}}')),
    ).toBe(true)
  })

  it('builders write the reference shapes', () => {
    expect(JSON.parse(Streaming.encode(Streaming.audioMetadata('sub-1', 16000)))).toEqual({
      kind: 'AudioMetadata',
      audioMetadata: {
        subscriptionId: 'sub-1',
        encoding: 'PCM',
        sampleRate: 16000,
        channels: 1,
        length: 640,
      },
    })
    expect(Streaming.audioMetadata('s', 24000).audioMetadata.length).toBe(960)
    expect(
      JSON.parse(
        Streaming.encode(Streaming.audioData('2024-11-15T19:16:12.925Z', 'AAAA', false, '8:acs:u')),
      ),
    ).toEqual({
      kind: 'AudioData',
      audioData: {
        timestamp: '2024-11-15T19:16:12.925Z',
        data: 'AAAA',
        silent: false,
        participantRawID: '8:acs:u',
      },
    })
    expect(
      Streaming.encodeOutbound({ kind: 'audioData', audioData: { data: 'AAAA', isSilent: false } }),
    ).toBe('{"kind":"audioData","audioData":{"data":"AAAA","isSilent":false},"stopAudio":{}}')
  })
})

describe('Event Grid', () => {
  it('IncomingCall round-trips through a delivery body', () => {
    const from = Identifier.phoneNumber('+14255550123')
    const to = Identifier.communicationUser('8:acs:bot')
    const ev = EventGrid.incomingCall({
      id: 'e1',
      topic:
        '/subscriptions/s/resourcegroups/g/providers/microsoft.communication/communicationservices/n',
      time: '2022-08-25T19:27:24.2415391Z',
      to,
      from,
      serverCallId: 'srv',
      incomingCallContext: 'ctx.blob',
      correlationId: 'corr',
      callerDisplayName: 'John Doe',
    })
    expect(ev.subject).toBe('/caller/4:+14255550123/recipient/8:acs:bot')
    const r = EventGrid.decodeBatch(JSON.parse(EventGrid.encodeBatch([ev])))
    expect(isRight(r) && r.right[0]).toMatchObject({ _tag: 'IncomingCall', id: 'e1', to, from })
  })

  it('subscription validation handshake', () => {
    const ev = EventGrid.subscriptionValidation({
      id: 'v',
      topic: 't',
      time: '2026-01-01T00:00:00Z',
      validationCode: 'abc',
    })
    const r = EventGrid.decodeBatch([ev])
    expect(isRight(r) && r.right[0]).toEqual({
      _tag: 'SubscriptionValidation',
      id: 'v',
      validationCode: 'abc',
    })
    expect(EventGrid.validationResponse('abc')).toEqual({ validationResponse: 'abc' })
  })
})
