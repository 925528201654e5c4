import {
  StreamingData,
  createOutboundAudioData,
  createOutboundStopAudioData,
  parseCallAutomationEvent,
} from '@azure/communication-call-automation'
import * as fc from 'fast-check'
import { isRight } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { Event, Identifier } from '@switchboard/core'
import * as Arbitrary from '../src/Arbitrary.js'
import { Callbacks, Identifiers, Streaming } from '../src/index.js'

/** What the SDK's `communicationIdentifierConverter` makes of the identifier models we send. */
const sdkIdentifier = (id: Identifier.Identifier): unknown => {
  const rawId = Identifier.rawId(id)
  switch (id._tag) {
    case 'CommunicationUser':
      return { communicationUserId: id.id }
    case 'PhoneNumber':
      return { phoneNumber: id.value, rawId }
    case 'MicrosoftTeamsUser':
      return {
        rawId,
        microsoftTeamsUserId: id.userId,
        isAnonymous: id.isAnonymous,
        cloud: id.cloud,
      }
    case 'MicrosoftTeamsApp':
      return { rawId, teamsAppId: id.appId, cloud: id.cloud }
    case 'Unknown':
      return { id: rawId }
  }
}

const plain = (u: unknown): unknown => JSON.parse(JSON.stringify(u))

/** The fields the SDK exposes for an event, as we expect them from the core event. */
const expectedFields = (e: Event.CallbackEvent): Record<string, unknown> => {
  switch (e._tag) {
    case 'CallTransferAccepted':
      return {
        transferTarget: Identifiers.fromCore(e.transferTarget),
        ...(e.transferee ? { transferee: Identifiers.fromCore(e.transferee) } : {}),
      }
    case 'ParticipantsUpdated':
      return {
        sequenceNumber: e.sequenceNumber,
        participants: e.participants.map((p) => ({
          identifier: sdkIdentifier(p.identifier),
          isMuted: p.isMuted,
          isOnHold: p.isOnHold,
        })),
      }
    case 'AddParticipantSucceeded':
    case 'AddParticipantFailed':
    case 'RemoveParticipantSucceeded':
    case 'RemoveParticipantFailed':
      return { participant: sdkIdentifier(e.participant) }
    case 'CancelAddParticipantSucceeded':
    case 'CancelAddParticipantFailed':
      return { invitationId: e.invitationId }
    case 'PlayFailed':
    case 'RecognizeFailed':
      return e.failedPlaySourceIndex !== undefined
        ? { failedPlaySourceIndex: e.failedPlaySourceIndex }
        : {}
    case 'RecognizeCompleted':
      return {
        recognitionType: e.recognitionType,
        ...(e.dtmfResult ? { dtmfResult: { tones: e.dtmfResult.tones } } : {}),
        ...(e.choiceResult ? { choiceResult: e.choiceResult } : {}),
        ...(e.speechResult ? { speechResult: e.speechResult } : {}),
      }
    case 'ContinuousDtmfRecognitionToneReceived':
      return { sequenceId: e.sequenceId, tone: e.tone }
    case 'MediaStreamingStarted':
    case 'MediaStreamingStopped':
    case 'MediaStreamingFailed':
      return { mediaStreamingUpdate: e.mediaStreamingUpdate }
    case 'TranscriptionStarted':
    case 'TranscriptionStopped':
    case 'TranscriptionUpdated':
    case 'TranscriptionFailed':
      return { transcriptionUpdate: e.transcriptionUpdate }
    default:
      return {}
  }
}

const internal = ['operationId', 'durationMs', 'locale', 'at', '_tag'] as const

describe('the official SDK 1.6.0 parses every callback event type we emit', () => {
  for (const tag of Event.callbackTags) {
    it(tag, () => {
      fc.assert(
        fc.property(Arbitrary.notify(tag), fc.uuid(), (n, id) => {
          const ce = Callbacks.toCloudEvent(n, { id })
          const parsed = parseCallAutomationEvent(Callbacks.encodeBatch([ce])) as unknown as Record<
            string,
            unknown
          >
          const e = n.event
          expect(parsed['kind']).toBe(tag)
          expect(parsed['callConnectionId']).toBe(n.call.callConnectionId)
          expect(parsed['serverCallId']).toBe(n.call.serverCallId)
          expect(parsed['correlationId']).toBe(n.call.correlationId)
          expect(parsed['publicEventType']).toBe(`Microsoft.Communication.${tag}`)
          expect(parsed['operationContext']).toBe(
            'operationContext' in e ? e.operationContext : undefined,
          )
          expect(parsed['resultInformation']).toEqual(e.resultInformation)
          for (const [k, v] of Object.entries(expectedFields(e)))
            expect(plain(parsed[k])).toEqual(plain(v))
          // internal core fields never reach the wire
          for (const k of internal) expect(Object.keys(ce.data as object)).not.toContain(k)
        }),
        { numRuns: 100 },
      )
    })
  }

  it('internal fields of core events are left out of data', () => {
    const ce = Callbacks.toCloudEvent(
      {
        _tag: 'NotifyCallback',
        callbackUri: 'https://cb.example',
        sequence: 3,
        call: { callConnectionId: 'c', serverCallId: 's', correlationId: 'r' } as never,
        event: {
          _tag: 'ContinuousDtmfRecognitionToneReceived',
          at: 0 as never,
          resultInformation: { code: 200, subCode: 0, message: 'ok' },
          operationId: 'op-1' as never,
          sequenceId: 1,
          tone: 'five',
          participant: Identifier.phoneNumber('+14255550123'),
        },
      },
      { id: 'e1', time: '2026-01-01T00:00:00.000Z' },
    )
    expect(ce.data).toEqual({
      resultInformation: { code: 200, subCode: 0, message: 'ok' },
      version: Callbacks.defaultApiVersion,
      callConnectionId: 'c',
      serverCallId: 's',
      correlationId: 'r',
      sequenceId: 1,
      tone: 'five',
      publicEventType: 'Microsoft.Communication.ContinuousDtmfRecognitionToneReceived',
    })
    expect(ce).toMatchObject({
      sequence: 3,
      subject: 'calling/callConnections/c',
      source: 'calling/callConnections/c',
    })
  })
})

describe('the official SDK parses our WebSocket messages', () => {
  it('every service message', () => {
    fc.assert(
      fc.property(Arbitrary.of(Streaming.ServerMessage), (m) => {
        const text = Streaming.encode(m)
        const parsed = StreamingData.parse(text) as unknown as Record<string, unknown>
        expect(StreamingData.getStreamingKind()).toBe(m.kind)
        switch (m.kind) {
          case 'AudioMetadata':
            expect(parsed).toEqual({
              subscriptionId: m.audioMetadata.subscriptionId,
              encoding: m.audioMetadata.encoding,
              sampleRate: m.audioMetadata.sampleRate,
              channels: m.audioMetadata.channels,
            })
            break
          case 'AudioData':
            expect(parsed['data']).toBe(m.audioData.data)
            expect(parsed['timestamp']).toBe(m.audioData.timestamp)
            expect(parsed['isSilent']).toBe(m.audioData.silent)
            break
          case 'DtmfData':
            expect(parsed['data']).toBe(m.dtmfData.data)
            break
          case 'TranscriptionMetadata':
            expect(parsed['locale']).toBe(m.transcriptionMetadata.locale)
            expect(parsed['callConnectionId']).toBe(m.transcriptionMetadata.callConnectionId)
            break
          case 'TranscriptionData':
            expect(parsed['text']).toBe(m.transcriptionData.text)
            expect(parsed['offsetInTicks']).toBe(m.transcriptionData.offset)
            expect(parsed['resultState']).toBe(m.transcriptionData.resultStatus)
            expect((parsed['words'] as ReadonlyArray<unknown>).length).toBe(
              m.transcriptionData.words.length,
            )
            break
        }
        expect(isRight(Streaming.decodeServer(text))).toBe(true)
      }),
      { numRuns: 300 },
    )
  })

  it('decodes the outbound messages the SDK helpers write', () => {
    fc.assert(
      fc.property(fc.base64String({ maxLength: 64 }), (data) => {
        expect(Streaming.decodeInbound(createOutboundAudioData(data))).toEqual({
          _tag: 'Right',
          right: { kind: 'audioData', audioData: { data, isSilent: false }, stopAudio: {} },
        })
      }),
    )
    expect(Streaming.decodeInbound(createOutboundStopAudioData())).toEqual({
      _tag: 'Right',
      right: { kind: 'stopAudio', stopAudio: {} },
    })
  })
})
