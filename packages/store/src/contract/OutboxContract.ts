/**
 * The contract of the outbox port: due items under a lease, one outstanding item per call in
 * the call's order, acknowledgement, rescheduling with attempts, dead letters and redrive.
 */
import { Effect } from 'effect'
import { describe, expect, it } from 'vitest'
import type { CallId } from '../CallId.js'
import type { NewOutboxItem, OutboxItem } from '../Outbox.js'
import type { StoreService } from '../Store.js'
import { callId, failure, run, using, type Factory } from './Harness.js'

const id = (s: string) => s as CallId
const item = (payload: string, dueAt = 0, kind = 'callback'): NewOutboxItem => ({
  kind,
  payload,
  dueAt,
})

/** Appends one event with `items` to call `c` (a new call, or continuing it). */
const enqueue = async (s: StoreService, c: CallId, items: ReadonlyArray<NewOutboxItem>) => {
  const v = await run(s.events.version(c))
  return run(
    s.events.append({
      callId: c,
      expectedVersion: v,
      events: [{ type: 'E', at: 0, payload: null }],
      outbox: items,
    }),
  )
}

const payloads = (xs: ReadonlyArray<OutboxItem>) => xs.map((x) => x.payload)

export const outboxContract = (factory: Factory): void => {
  describe('Outbox', () => {
    it('numbers items per call in enqueue order and hands out only due items', () =>
      using(factory, async (s) => {
        const c = id(callId())
        const r1 = await enqueue(s, c, [item('a', 100), item('b', 100)])
        const r2 = await enqueue(s, c, [item('c', 100)])
        expect(r1.outbox.map((o) => o.seq)).toEqual([1, 2])
        expect(r2.outbox.map((o) => o.seq)).toEqual([3])
        expect(new Set([...r1.outbox, ...r2.outbox].map((o) => o.id)).size).toBe(3)
        expect(
          await run(s.outbox.claim({ owner: 'w', limit: 10, leaseMs: 1000, now: 99 })),
        ).toEqual([])
        const [got] = await run(s.outbox.claim({ owner: 'w', limit: 10, leaseMs: 1000, now: 100 }))
        expect(got).toEqual({
          id: r1.outbox[0]?.id,
          callId: c,
          seq: 1,
          kind: 'callback',
          payload: 'a',
          dueAt: 100,
          attempts: 0,
          leaseOwner: 'w',
          leaseUntil: 1100,
        })
      }))

    it('hands out at most one item per call, the earliest unacknowledged, in order', () =>
      using(factory, async (s) => {
        const c1 = id(callId())
        const c2 = id(callId())
        await enqueue(s, c1, [item('1a', 5), item('1b', 0), item('1c', 0)])
        await enqueue(s, c2, [item('2a', 3), item('2b', 0)])
        const first = await run(s.outbox.claim({ owner: 'w', limit: 10, leaseMs: 1000, now: 10 }))
        expect(payloads(first)).toEqual(['2a', '1a'])
        // Nothing more while both heads are leased, even for another worker.
        expect(
          await run(s.outbox.claim({ owner: 'v', limit: 10, leaseMs: 1000, now: 11 })),
        ).toEqual([])
        await run(s.outbox.ack(first[1]?.id ?? '', 'w'))
        expect(
          payloads(await run(s.outbox.claim({ owner: 'v', limit: 10, leaseMs: 1000, now: 12 }))),
        ).toEqual(['1b'])
        const delivered: string[] = []
        for (let now = 13; now < 40; now++) {
          for (const i of await run(
            s.outbox.claim({ owner: 'x', limit: 10, leaseMs: 1, now: now * 1000 }),
          )) {
            delivered.push(i.payload as string)
            await run(s.outbox.ack(i.id, 'x'))
          }
        }
        expect(delivered.filter((p) => p.startsWith('1'))).toEqual(['1b', '1c'])
        expect(delivered.filter((p) => p.startsWith('2'))).toEqual(['2a', '2b'])
        expect(await run(s.outbox.pending())).toEqual([])
      }))

    it('reclaims an expired lease, and the former owner can no longer acknowledge', () =>
      using(factory, async (s) => {
        const c = id(callId())
        await enqueue(s, c, [item('a')])
        const [a] = await run(s.outbox.claim({ owner: 'w1', limit: 1, leaseMs: 100, now: 0 }))
        expect(await run(s.outbox.claim({ owner: 'w2', limit: 1, leaseMs: 100, now: 99 }))).toEqual(
          [],
        )
        const [again] = await run(s.outbox.claim({ owner: 'w2', limit: 1, leaseMs: 100, now: 100 }))
        expect(again).toMatchObject({ id: a?.id, leaseOwner: 'w2', leaseUntil: 200, attempts: 0 })
        expect(await failure(s.outbox.ack(a?.id ?? '', 'w1'))).toMatchObject({
          _tag: 'StoreLeaseError',
          owner: 'w1',
        })
        await run(s.outbox.ack(a?.id ?? '', 'w2'))
        expect(await failure(s.outbox.ack(a?.id ?? '', 'w2'))).toMatchObject({
          _tag: 'StoreLeaseError',
        })
        expect(await failure(s.outbox.ack('999999', 'w2'))).toMatchObject({
          _tag: 'StoreLeaseError',
        })
        expect(await failure(s.outbox.ack('not-an-id', 'w2'))).toMatchObject({
          _tag: 'StoreLeaseError',
        })
      }))

    it('reschedules with a backoff: attempts + 1, the error kept, the lease released', () =>
      using(factory, async (s) => {
        const c = id(callId())
        await enqueue(s, c, [item('a'), item('b')])
        const [a] = await run(s.outbox.claim({ owner: 'w', limit: 5, leaseMs: 1000, now: 0 }))
        expect(
          await failure(s.outbox.reschedule(a?.id ?? '', 'other', { dueAt: 50, error: 'x' })),
        ).toMatchObject({
          _tag: 'StoreLeaseError',
        })
        await run(s.outbox.reschedule(a?.id ?? '', 'w', { dueAt: 50, error: 'HTTP 503' }))
        // Still the head of its call: 'b' waits behind it.
        expect(await run(s.outbox.claim({ owner: 'v', limit: 5, leaseMs: 1000, now: 49 }))).toEqual(
          [],
        )
        const [again] = await run(s.outbox.claim({ owner: 'v', limit: 5, leaseMs: 1000, now: 50 }))
        expect(again).toMatchObject({
          id: a?.id,
          payload: 'a',
          attempts: 1,
          lastError: 'HTTP 503',
          dueAt: 50,
          leaseOwner: 'v',
        })
        await run(s.outbox.reschedule(a?.id ?? '', 'v', { dueAt: 60, error: 'timeout' }))
        const [third] = await run(s.outbox.claim({ owner: 'v', limit: 5, leaseMs: 1000, now: 60 }))
        expect(third).toMatchObject({ attempts: 2, lastError: 'timeout' })
      }))

    it('dead-letters an item so later items of its call proceed, and redrives it', () =>
      using(factory, async (s) => {
        const c = id(callId())
        await enqueue(s, c, [item('a'), item('b')])
        const [a] = await run(s.outbox.claim({ owner: 'w', limit: 5, leaseMs: 1000, now: 0 }))
        await run(s.outbox.reschedule(a?.id ?? '', 'w', { dueAt: 0, error: 'boom' }))
        await run(s.outbox.claim({ owner: 'w', limit: 5, leaseMs: 1000, now: 1 }))
        expect(await failure(s.outbox.deadLetter(a?.id ?? '', 'intruder', 'no'))).toMatchObject({
          _tag: 'StoreLeaseError',
        })
        await run(s.outbox.deadLetter(a?.id ?? '', 'w', 'gave up after 1 attempt'))
        const dead = await run(s.outbox.listDeadLetters({ limit: 10 }))
        expect(dead).toEqual([
          expect.objectContaining({
            id: a?.id,
            payload: 'a',
            reason: 'gave up after 1 attempt',
            attempts: 1,
            lastError: 'boom',
          }),
        ])
        expect(dead[0]?.leaseOwner).toBeUndefined()
        expect(payloads(await run(s.outbox.pending({ callId: c })))).toEqual(['b'])
        const [b] = await run(s.outbox.claim({ owner: 'w', limit: 5, leaseMs: 1000, now: 2 }))
        expect(b?.payload).toBe('b')
        await run(s.outbox.ack(b?.id ?? '', 'w'))
        await run(s.outbox.redrive(a?.id ?? '', 500))
        expect(await run(s.outbox.listDeadLetters())).toEqual([])
        expect(
          await run(s.outbox.claim({ owner: 'w', limit: 5, leaseMs: 1000, now: 499 })),
        ).toEqual([])
        const [back] = await run(s.outbox.claim({ owner: 'w', limit: 5, leaseMs: 1000, now: 500 }))
        expect(back).toMatchObject({ id: a?.id, attempts: 0, dueAt: 500 })
        expect(back?.lastError).toBeUndefined()
        expect(await failure(s.outbox.redrive(a?.id ?? '', 0))).toMatchObject({
          _tag: 'StoreNotFoundError',
        })
        expect(await failure(s.outbox.redrive('123456789', 0))).toMatchObject({
          _tag: 'StoreNotFoundError',
        })
      }))

    it('filters by kind without breaking the order of a call', () =>
      using(factory, async (s) => {
        const c1 = id(callId())
        const c2 = id(callId())
        await enqueue(s, c1, [item('cb', 0, 'callback'), item('m1', 0, 'media')])
        await enqueue(s, c2, [item('m2', 0, 'media')])
        const media = await run(
          s.outbox.claim({ owner: 'm', limit: 10, leaseMs: 1000, now: 0, kinds: ['media'] }),
        )
        expect(payloads(media)).toEqual(['m2'])
        const cb = await run(
          s.outbox.claim({ owner: 'c', limit: 10, leaseMs: 1000, now: 0, kinds: ['callback'] }),
        )
        expect(payloads(cb)).toEqual(['cb'])
        await run(s.outbox.ack(cb[0]?.id ?? '', 'c'))
        expect(
          payloads(
            await run(
              s.outbox.claim({ owner: 'm', limit: 10, leaseMs: 1000, now: 0, kinds: ['media'] }),
            ),
          ),
        ).toEqual(['m1'])
      }))

    it('respects the claim limit and orders by due time', () =>
      using(factory, async (s) => {
        const calls = [callId(), callId(), callId(), callId()].map(id)
        for (const [i, c] of calls.entries()) await enqueue(s, c, [item(`p${i}`, 40 - i * 10)])
        expect(await run(s.outbox.claim({ owner: 'w', limit: 0, leaseMs: 10, now: 100 }))).toEqual(
          [],
        )
        expect(
          payloads(await run(s.outbox.claim({ owner: 'w', limit: 3, leaseMs: 10, now: 100 }))),
        ).toEqual(['p3', 'p2', 'p1'])
        expect(
          payloads(await run(s.outbox.claim({ owner: 'w', limit: 3, leaseMs: 10, now: 100 }))),
        ).toEqual(['p0'])
      }))

    it('delivers every item exactly once and in call order to concurrent workers', () =>
      using(factory, async (s) => {
        const calls = Array.from({ length: 6 }, () => id(callId('busy')))
        for (const c of calls)
          for (let b = 0; b < 3; b++)
            await enqueue(s, c, [item(`${c}#${b * 2}`), item(`${c}#${b * 2 + 1}`)])
        const delivered: string[] = []
        let now = 0
        const worker = (w: number) =>
          Effect.gen(function* () {
            for (let round = 0; round < 200; round++) {
              const got = yield* s.outbox.claim({
                owner: `w${w}`,
                limit: 2,
                leaseMs: 1_000_000,
                now,
              })
              for (const i of got) {
                delivered.push(i.payload as string)
                yield* s.outbox.ack(i.id, `w${w}`)
              }
              now++
              if (delivered.length === calls.length * 6) return
              yield* Effect.yieldNow()
            }
          })
        await run(Effect.all([0, 1, 2, 3].map(worker), { concurrency: 'unbounded' }))
        expect(delivered.length).toBe(calls.length * 6)
        expect(new Set(delivered).size).toBe(delivered.length)
        for (const c of calls)
          expect(delivered.filter((p) => p.startsWith(`${c}#`))).toEqual(
            Array.from({ length: 6 }, (_, k) => `${c}#${k}`),
          )
      }))

    it('refuses bad input with StoreInputError', () =>
      using(factory, async (s) => {
        const bad: ReadonlyArray<Effect.Effect<unknown, { readonly _tag: string }>> = [
          s.outbox.claim({ owner: '', limit: 1, leaseMs: 1, now: 0 }),
          s.outbox.claim({ owner: 'w', limit: -1, leaseMs: 1, now: 0 }),
          s.outbox.claim({ owner: 'w', limit: 1, leaseMs: 0, now: 0 }),
          s.outbox.claim({ owner: 'w', limit: 1, leaseMs: 1, now: -3 }),
          s.outbox.claim({ owner: 'w', limit: 1, leaseMs: 1, now: 0, kinds: [''] }),
          s.outbox.ack(7 as unknown as string, 'w'),
          s.outbox.ack('1', 'w\n'),
          s.outbox.reschedule('1', 'w', { dueAt: 1.5, error: 'e' }),
          s.outbox.redrive('1', Number.NaN),
          s.outbox.listDeadLetters({ limit: -1 }),
          s.outbox.pending({ callId: '' as CallId }),
        ]
        for (const op of bad) expect(await failure(op)).toMatchObject({ _tag: 'StoreInputError' })
      }))
  })
}
