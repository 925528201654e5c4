import * as fc from 'fast-check'
import { isRight } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as Arbitrary from '../src/Arbitrary.js'
import type * as t from 'io-ts'
import { Identifier, Ids } from '@switchboard/core'
import { Callbacks, Identifiers, Requests, ToCommand } from '../src/index.js'
import { all } from './Codecs.js'

describe('every codec round-trips over its derived arbitrary', () => {
  for (const [name, codec] of all) {
    it(name, () => {
      fc.assert(
        fc.property(Arbitrary.of(codec), (a) => {
          // the arbitrary only produces values the codec accepts
          expect(codec.is(a)).toBe(true)
          // encode, through JSON text, then decode gives the value back
          const back = codec.decode(JSON.parse(JSON.stringify(codec.encode(a))))
          expect(isRight(back)).toBe(true)
          if (isRight(back)) expect(back.right).toEqual(a)
        }),
        { numRuns: 150 },
      )
    })
  }
})

describe('core ↔ wire', () => {
  it('identifiers: core → model → core is the identity', () => {
    fc.assert(
      fc.property(Arbitrary.identifier, (id) => {
        const m = Identifiers.fromCore(id)
        expect(Identifiers.IdentifierModel.is(m)).toBe(true)
        expect(Identifiers.toCore(m)).toEqual(id)
      }),
    )
  })

  it('identifiers: a model without kind, or with a contradicting kind, decodes by its nested object', () => {
    fc.assert(
      fc.property(Arbitrary.identifier, fc.string(), (id, kind) => {
        const m = Identifiers.fromCore(id)
        if (id._tag === 'Unknown') return
        expect(Identifiers.toCore({ ...m, kind })).toEqual(id)
      }),
    )
  })

  it('callback events: core → CloudEvent → core is the identity, sequence and time kept', () => {
    fc.assert(
      fc.property(Arbitrary.notify(), fc.uuid(), (n, id) => {
        const ce = Callbacks.toCloudEvent(n, { id })
        const r = Callbacks.decodeBatchText(Callbacks.encodeBatch([ce]))
        expect(isRight(r)).toBe(true)
        if (!isRight(r)) return
        const [got] = r.right
        expect(got).toEqual({
          _tag: 'Known',
          id,
          time: ce.time,
          sequence: n.sequence,
          call: n.call,
          event: n.event,
        })
      }),
      { numRuns: 2000 },
    )
  })
})

describe('every body a request codec accepts maps to a command', () => {
  const extras = {
    callConnectionId: Ids.unsafe.callConnectionId('cc'),
    serverCallId: Ids.unsafe.serverCallId('s'),
    correlationId: Ids.unsafe.correlationId('r'),
    invitationId: Ids.unsafe.invitationId('i'),
    app: Identifier.communicationUser('8:acs:app'),
    caller: Identifier.phoneNumber('+14255550123'),
  }
  for (const op of ToCommand.operations) {
    const codec =
      op in Requests.byOperation ? Requests.byOperation[op as Requests.BodyOperation] : null
    if (codec === null) continue
    it(op, () => {
      fc.assert(
        fc.property(Arbitrary.of(codec as t.Mixed), (body) => {
          const r = ToCommand.decode(op, JSON.parse(JSON.stringify(body ?? {})), extras)
          const b = body as { targetParticipants?: ReadonlyArray<unknown>; invitationId?: string }
          // the two shape checks ToCommand adds on top of the codecs
          const refused =
            (op === 'muteParticipant' && b.targetParticipants?.length !== 1) ||
            (op === 'cancelAddParticipant' && (b.invitationId ?? '').length === 0) ||
            (op === 'cancelAddParticipant' && (b.invitationId ?? '').length > 256)
          expect(isRight(r)).toBe(!refused)
        }),
        { numRuns: 200 },
      )
    })
  }
})
