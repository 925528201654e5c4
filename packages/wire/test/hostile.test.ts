import * as fc from 'fast-check'
import { isLeft } from 'fp-ts/lib/Either.js'
import type { Either } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import { Identifier, Ids, Rejection } from '@switchboard/core'
import { Callbacks, Errors, EventGrid, Requests, Streaming, ToCommand } from '../src/index.js'

/** At least 10,000 runs per entry point in CI; fewer locally. */
const numRuns = process.env['CI'] === 'true' ? 10_000 : 1_000

const extras: ToCommand.Extras = {
  callConnectionId: Ids.unsafe.callConnectionId('cc'),
  serverCallId: Ids.unsafe.serverCallId('s'),
  correlationId: Ids.unsafe.correlationId('r'),
  invitationId: Ids.unsafe.invitationId('i'),
  app: Identifier.communicationUser('8:acs:app'),
  caller: Identifier.phoneNumber('+14255550123'),
}

/** Arbitrary JSON, including objects that look a bit like request bodies and CloudEvents. */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.anything(),
  fc.dictionary(
    fc.constantFrom(
      'tones',
      'targetParticipant',
      'playSources',
      'playTo',
      'recognizeOptions',
      'recognizeInputType',
      'kind',
      'rawId',
      'phoneNumber',
      'communicationUser',
      'type',
      'data',
      'id',
      'source',
      'specversion',
      'time',
      '__proto__',
      'constructor',
      'toString',
    ),
    fc.jsonValue(),
  ),
)

const isRejection = (u: unknown): boolean => {
  const r = u as Rejection.Rejection
  return (
    r._tag === 'Rejection' && Rejection.ruleNames.includes(r.rule) && typeof r.message === 'string'
  )
}

const typed = <L, R>(r: Either<L, R>, left: (l: L) => boolean) => {
  expect(r._tag === 'Left' || r._tag === 'Right').toBe(true)
  if (isLeft(r)) expect(left(r.left)).toBe(true)
}

describe('hostile input never throws and always yields a typed result', () => {
  for (const op of ToCommand.operations) {
    it(`ToCommand.decode('${op}')`, () => {
      fc.assert(
        fc.property(hostileJson, (json) => typed(ToCommand.decode(op, json, extras), isRejection)),
        { numRuns },
      )
    })
  }

  for (const op of Requests.bodyOperations) {
    it(`ToCommand.decodeBody('${op}')`, () => {
      fc.assert(
        fc.property(hostileJson, (json) => typed(ToCommand.decodeBody(op, json), isRejection)),
        { numRuns },
      )
    })
  }

  it('ToCommand.decodeText over arbitrary strings and JSON texts', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ToCommand.operations),
        fc.oneof(fc.string(), fc.json()),
        (op, text) => typed(ToCommand.decodeText(op, text, extras), isRejection),
      ),
      { numRuns },
    )
    const r = ToCommand.decodeText('play', '{"playSources":', extras)
    expect(isLeft(r) && r.left.message).toBe('Invalid request: the body is not valid JSON.')
  })

  it('malformed request bodies become a Rejection naming "Invalid request"', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ToCommand.operations), hostileJson, (op, json) => {
        const r = ToCommand.decode(op, json, extras)
        if (isLeft(r)) expect(r.left.message).toMatch(/^Invalid request: /)
      }),
      { numRuns },
    )
  })

  it('Callbacks.decodeBatch', () => {
    const ok = (e: Callbacks.IngestError) => e._tag === 'IngestError'
    fc.assert(
      fc.property(hostileJson, (json) => typed(Callbacks.decodeBatch(json), ok)),
      { numRuns },
    )
    fc.assert(
      fc.property(fc.array(hostileJson), (json) => typed(Callbacks.decodeBatch(json), ok)),
      { numRuns },
    )
  })

  it('Callbacks.decodeBatchText', () => {
    const ok = (e: Callbacks.IngestError) => e._tag === 'IngestError'
    fc.assert(
      fc.property(fc.string(), (s) => typed(Callbacks.decodeBatchText(s), ok)),
      { numRuns },
    )
    fc.assert(
      fc.property(fc.json(), (s) => typed(Callbacks.decodeBatchText(s), ok)),
      { numRuns },
    )
  })

  it('Streaming.decodeInbound and decodeServer', () => {
    const ok = (e: Streaming.StreamingError) => e._tag === 'StreamingError'
    const decoders: ReadonlyArray<(text: string) => Either<Streaming.StreamingError, unknown>> = [
      Streaming.decodeInbound,
      Streaming.decodeServer,
    ]
    for (const decode of decoders) {
      fc.assert(
        fc.property(fc.string(), (s) => typed(decode(s), ok)),
        { numRuns },
      )
      fc.assert(
        fc.property(fc.json(), (s) => typed(decode(s), ok)),
        { numRuns },
      )
      fc.assert(
        fc.property(
          fc.constantFrom(
            'AudioData',
            'audioData',
            'AUDIODATA',
            'stopAudio',
            'TranscriptionData',
            'AudioMetadata',
            'DtmfData',
          ),
          fc.jsonValue(),
          (kind, payload) => {
            typed(decode(JSON.stringify({ kind, [kind]: payload })), ok)
            typed(decode(JSON.stringify({ Kind: kind, [kind.toLowerCase()]: payload })), ok)
          },
        ),
        { numRuns },
      )
    }
  })

  it('EventGrid.decodeBatch', () => {
    const ok = (e: EventGrid.EventGridError) => e._tag === 'EventGridError'
    fc.assert(
      fc.property(hostileJson, (json) => typed(EventGrid.decodeBatch(json), ok)),
      { numRuns },
    )
  })

  it('Errors.decode', () => {
    fc.assert(
      fc.property(hostileJson, (json) => typed(Errors.decode(json), (m) => typeof m === 'string')),
      {
        numRuns,
      },
    )
  })
})

describe('ingestion keeps what it does not know', () => {
  it('unknown event types are kept as Unknown, with their raw value', () => {
    const raw = {
      id: 'e1',
      source: 'calling/callConnections/c',
      type: 'Microsoft.Communication.PlayPaused',
      specversion: '1.0',
      time: '2026-01-01T00:00:00Z',
      data: { anything: 1 },
    }
    const other = { ...raw, id: 'e2', type: 'Microsoft.Communication.RecordingStateChanged' }
    expect(Callbacks.decodeBatch([raw, other])).toEqual({
      _tag: 'Right',
      right: [
        { _tag: 'Unknown', id: 'e1', type: raw.type, raw },
        { _tag: 'Unknown', id: 'e2', type: other.type, raw: other },
      ],
    })
  })

  it('a known type with malformed data is refused with the path, not dropped', () => {
    const r = Callbacks.decodeBatch([
      {
        id: 'e1',
        source: 's',
        type: 'Microsoft.Communication.ContinuousDtmfRecognitionToneReceived',
        specversion: '1.0',
        time: '2026-01-01T00:00:00Z',
        data: {
          callConnectionId: 'c',
          serverCallId: 's',
          correlationId: 'r',
          sequenceId: 1,
          tone: 'Five',
        },
      },
    ])
    expect(isLeft(r) && r.left.path).toBe('[0].data.tone')
  })

  it('a real-looking ACS event (7-digit fractions, +00:00, sequence as string) is ingested', () => {
    const r = Callbacks.decodeBatchText(
      JSON.stringify([
        {
          id: 'e1',
          source: 'calling/callConnections/c',
          type: 'Microsoft.Communication.ParticipantsUpdated',
          data: {
            participants: [
              {
                identifier: {
                  rawId: '8:acs:u',
                  kind: 'communicationUser',
                  communicationUser: { id: '8:acs:u' },
                },
                isMuted: true,
              },
            ],
            sequenceNumber: 4,
            callConnectionId: 'c',
            serverCallId: 's',
            correlationId: 'r',
          },
          time: '2023-03-21T17:22:35.4300007+00:00',
          specversion: '1.0',
          datacontenttype: 'application/json',
          subject: 'calling/callConnections/c',
          sequence: '12',
        },
      ]),
    )
    expect(r).toEqual({
      _tag: 'Right',
      right: [
        {
          _tag: 'Known',
          id: 'e1',
          time: '2023-03-21T17:22:35.4300007+00:00',
          sequence: 12,
          call: { callConnectionId: 'c', serverCallId: 's', correlationId: 'r' },
          event: {
            _tag: 'ParticipantsUpdated',
            at: Date.parse('2023-03-21T17:22:35.430Z'),
            sequenceNumber: 4,
            participants: [
              {
                identifier: Identifier.communicationUser('8:acs:u'),
                isMuted: true,
                isOnHold: false,
              },
            ],
          },
        },
      ],
    })
  })
})
