import { describe, expect, it } from 'vitest'
import { Identifier } from '@switchboard/core'
import { Callbacks, EventGrid } from '../src/index.js'

/** Callback bodies shaped like the ones ACS sends (reference sections 4.1, 4.2, 8). */

const envelope = (type: string, data: object, time = '2024-11-15T19:16:12.9251234+00:00') => ({
  id: 'e-1',
  source: 'calling/callConnections/cc-1',
  type: `Microsoft.Communication.${type}`,
  data,
  time,
  specversion: '1.0',
  datacontenttype: 'application/json',
  subject: 'calling/callConnections/cc-1',
})
const call = { callConnectionId: 'cc-1', serverCallId: 'c2VydmVy', correlationId: 'corr-1' }

const one = (body: unknown) => {
  const r = Callbacks.decodeBatch(body)
  if (r._tag === 'Left') throw new Error(r.left.message)
  expect(r.right).toHaveLength(1)
  return r.right[0]!
}

describe('ingesting ACS-shaped callbacks', () => {
  it('the live CallDisconnected of reference 4.1', () => {
    const got = one([
      envelope('CallDisconnected', {
        resultInformation: {
          code: 200,
          subCode: 560000,
          message: 'The conversation has ended. DiagCode: 0#560000.@',
        },
        version: '2024-09-15',
        operationContext: 'ctx',
        ...call,
        publicEventType: 'Microsoft.Communication.CallDisconnected',
      }),
    ])
    expect(got).toMatchObject({
      _tag: 'Known',
      call,
      event: {
        _tag: 'CallDisconnected',
        at: Date.parse('2024-11-15T19:16:12.925Z'),
        operationContext: 'ctx',
        resultInformation: { code: 200, subCode: 560000 },
      },
    })
  })

  it('RecognizeCompleted with a DTMF result, ToneReceived, PlayFailed', () => {
    expect(
      one([
        envelope('RecognizeCompleted', {
          ...call,
          recognitionType: 'dtmf',
          dtmfResult: { tones: ['one', 'two', 'pound'] },
          resultInformation: {
            code: 200,
            subCode: 8514,
            message: 'Action completed as stop tone was detected.',
          },
        }),
      ]),
    ).toMatchObject({
      event: {
        _tag: 'RecognizeCompleted',
        recognitionType: 'dtmf',
        dtmfResult: { tones: ['one', 'two', 'pound'] },
      },
    })
    expect(
      one(
        envelope('ContinuousDtmfRecognitionToneReceived', {
          ...call,
          sequenceId: 3,
          tone: 'asterisk',
        }),
      ),
    ).toMatchObject({
      event: {
        _tag: 'ContinuousDtmfRecognitionToneReceived',
        sequenceId: 3,
        tone: 'asterisk',
        resultInformation: { code: 200, subCode: 0 },
      },
    })
    expect(
      one([
        envelope('PlayFailed', {
          ...call,
          failedPlaySourceIndex: 0,
          resultInformation: {
            code: 400,
            subCode: 8536,
            message: 'Action failed, file could not be downloaded.',
          },
        }),
      ]),
    ).toMatchObject({ event: { _tag: 'PlayFailed', failedPlaySourceIndex: 0 } })
  })

  it('ParticipantsUpdated with identifiers without kind', () => {
    expect(
      one([
        envelope('ParticipantsUpdated', {
          ...call,
          sequenceNumber: 2,
          participants: [
            {
              identifier: { rawId: '4:+14255550123', phoneNumber: { value: '+14255550123' } },
              isMuted: false,
              isOnHold: true,
            },
          ],
        }),
      ]),
    ).toMatchObject({
      event: {
        participants: [
          { identifier: Identifier.phoneNumber('+14255550123'), isMuted: false, isOnHold: true },
        ],
      },
    })
  })

  it('an unknown envelope field and an unknown data field are tolerated', () => {
    const e = {
      ...envelope('PlayCompleted', { ...call, somethingNew: [1, 2] }),
      traceparent: '00-abc',
    }
    expect(one([e])).toMatchObject({ _tag: 'Known', event: { _tag: 'PlayCompleted' } })
  })

  it('an envelope that is not a CloudEvent is refused with the path', () => {
    const r = Callbacks.decodeBatch([{ id: 'x', type: 'Microsoft.Communication.PlayCompleted' }])
    expect(r).toMatchObject({ _tag: 'Left', left: { _tag: 'IngestError', path: '[0].source' } })
  })

  it('the Event Grid IncomingCall of reference 8', () => {
    const r = EventGrid.decodeBatch([
      {
        id: 'ev-1',
        topic:
          '/subscriptions/s/resourcegroups/g/providers/microsoft.communication/communicationservices/n',
        subject: '/caller/4:+14255550123/recipient/8:acs:bot',
        data: {
          to: {
            kind: 'communicationUser',
            rawId: '8:acs:bot',
            communicationUser: { id: '8:acs:bot' },
          },
          from: {
            kind: 'phoneNumber',
            rawId: '4:+14255550123',
            phoneNumber: { value: '+14255550123' },
          },
          serverCallId: 'c2VydmVy',
          callerDisplayName: 'John Doe',
          incomingCallContext: 'eyJhbGciOiJub25lIn0.eyJ4IjoxfQ.',
          correlationId: 'corr-1',
        },
        eventType: 'Microsoft.Communication.IncomingCall',
        dataVersion: '1.0',
        metadataVersion: '1',
        eventTime: '2022-08-25T19:27:24.2415391Z',
      },
    ])
    expect(r).toMatchObject({
      _tag: 'Right',
      right: [
        {
          _tag: 'IncomingCall',
          to: Identifier.communicationUser('8:acs:bot'),
          from: Identifier.phoneNumber('+14255550123'),
          data: {
            incomingCallContext: 'eyJhbGciOiJub25lIn0.eyJ4IjoxfQ.',
            callerDisplayName: 'John Doe',
          },
        },
      ],
    })
  })
})
