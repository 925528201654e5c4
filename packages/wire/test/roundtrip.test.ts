import * as fc from 'fast-check'
import { isRight } from 'fp-ts/lib/Either.js'
import { describe, expect, it } from 'vitest'
import * as Arbitrary from '../src/Arbitrary.js'
import { Callbacks, Identifiers } from '../src/index.js'
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
