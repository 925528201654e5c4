/** The contract of the idempotency port: records live for a window, same hash no-op, purge. */
import { Option } from 'effect'
import { describe, expect, it } from 'vitest'
import { callId, failure, run, using, type Factory } from './Harness.js'

export const idempotencyContract = (factory: Factory): void => {
  describe('Idempotency', () => {
    it('keeps a record for the window and ignores it afterwards', () =>
      using(
        factory,
        async (s) => {
          const key = callId('rrid')
          expect(Option.isNone(await run(s.idempotency.get(key, 0)))).toBe(true)
          const rec = {
            key,
            requestHash: 'sha256:ab',
            response: { status: 202, body: { operationContext: 'x' } },
            at: 10_000,
          }
          await run(s.idempotency.put(rec))
          expect(await run(s.idempotency.get(key, 10_000))).toEqual(Option.some(rec))
          expect(await run(s.idempotency.get(key, 14_999))).toEqual(Option.some(rec))
          expect(Option.isNone(await run(s.idempotency.get(key, 15_000)))).toBe(true)
        },
        { idempotencyWindowMs: 5000 },
      ))

    it('defaults to the five-minute window of ACS', () =>
      using(factory, async (s) => {
        const key = callId('rrid')
        await run(s.idempotency.put({ key, requestHash: 'h', response: null, at: 0 }))
        expect(Option.isSome(await run(s.idempotency.get(key, 299_999)))).toBe(true)
        expect(Option.isNone(await run(s.idempotency.get(key, 300_000)))).toBe(true)
      }))

    it('treats a second put with the same hash as a no-op and another hash as a duplicate', () =>
      using(
        factory,
        async (s) => {
          const key = callId('rrid')
          await run(s.idempotency.put({ key, requestHash: 'h1', response: 'first', at: 0 }))
          await run(s.idempotency.put({ key, requestHash: 'h1', response: 'second', at: 10 }))
          expect(Option.getOrThrow(await run(s.idempotency.get(key, 20)))).toMatchObject({
            response: 'first',
            at: 0,
          })
          expect(
            await failure(s.idempotency.put({ key, requestHash: 'h2', response: 'x', at: 20 })),
          ).toMatchObject({
            _tag: 'StoreDuplicateError',
            what: 'idempotency',
            ids: [key],
          })
          // After the window, the key is free again.
          await run(s.idempotency.put({ key, requestHash: 'h2', response: 'third', at: 100 }))
          expect(Option.getOrThrow(await run(s.idempotency.get(key, 100)))).toMatchObject({
            requestHash: 'h2',
            response: 'third',
          })
        },
        { idempotencyWindowMs: 100 },
      ))

    it('purges expired records only', () =>
      using(
        factory,
        async (s) => {
          const old = callId('old')
          const young = callId('young')
          await run(s.idempotency.put({ key: old, requestHash: 'h', response: 1, at: 0 }))
          await run(s.idempotency.put({ key: young, requestHash: 'h', response: 2, at: 50 }))
          expect(await run(s.idempotency.purge(120))).toBe(1)
          expect(await run(s.idempotency.purge(120))).toBe(0)
          expect(Option.isSome(await run(s.idempotency.get(young, 120)))).toBe(true)
          // A purged key can be put again with any hash.
          await run(s.idempotency.put({ key: old, requestHash: 'other', response: 3, at: 120 }))
          expect(Option.getOrThrow(await run(s.idempotency.get(old, 120))).requestHash).toBe(
            'other',
          )
        },
        { idempotencyWindowMs: 100 },
      ))

    it('refuses bad keys, times and payloads with StoreInputError', () =>
      using(
        factory,
        async (s) => {
          const bad = [
            s.idempotency.get('', 0),
            s.idempotency.get('k', -1),
            s.idempotency.put({ key: 'x'.repeat(257), requestHash: 'h', response: null, at: 0 }),
            s.idempotency.put({ key: 'k', requestHash: 'h', response: 'y'.repeat(200), at: 0 }),
            s.idempotency.put({
              key: 'k',
              requestHash: 5 as unknown as string,
              response: null,
              at: 0,
            }),
            s.idempotency.put({ key: 'k', requestHash: 'h', response: null, at: 0.5 }),
            s.idempotency.purge(Number.POSITIVE_INFINITY),
          ]
          for (const op of bad) expect(await failure(op)).toMatchObject({ _tag: 'StoreInputError' })
          expect(Option.isNone(await run(s.idempotency.get('k', 0)))).toBe(true)
        },
        { maxPayloadBytes: 100 },
      ))
  })
}
