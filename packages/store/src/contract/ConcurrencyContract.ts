/**
 * The contract under concurrency: appends and outbox releases issued together (as an HTTP
 * service or a webhook handler with many requests in flight issues them) keep, each one, the
 * semantics of an operation issued alone. A SQL store may send such operations to the database
 * together (group commit); nothing here can tell, and nothing here may change.
 */
import { Effect, Either, Option } from 'effect'
import { describe, expect, it } from 'vitest'
import type { CallId } from '../CallId.js'
import type { AppendRequest, AppendResult, AppendError } from '../EventStore.js'
import type { StoreService } from '../Store.js'
import { callId, run, using, type Factory } from './Harness.js'

const id = (s: string) => s as CallId

/** Issues every append at once (in this order) and waits for all of them. */
const together = (
  s: StoreService,
  requests: ReadonlyArray<AppendRequest>,
): Promise<ReadonlyArray<Either.Either<AppendResult, AppendError>>> =>
  Promise.all(requests.map((r) => Effect.runPromise(Effect.either(s.events.append(r)))))

/** Appends to calls of their own, issued first so that what follows queues behind them. */
const fillers = (n: number): ReadonlyArray<AppendRequest> =>
  Array.from({ length: n }, () => ({
    callId: id(callId('filler')),
    expectedVersion: 0,
    events: [{ type: 'Filler', at: 0, payload: null }],
  }))

const right = <A, E>(e: Either.Either<A, E> | undefined): A => {
  if (e === undefined || Either.isLeft(e))
    throw new Error(`expected a success, got ${JSON.stringify(e)}`)
  return e.right
}
const left = <A, E>(e: Either.Either<A, E> | undefined): E => {
  if (e === undefined || Either.isRight(e))
    throw new Error(`expected a failure, got ${JSON.stringify(e)}`)
  return e.left
}

export const concurrencyContract = (factory: Factory): void => {
  describe('Concurrent appends and releases', () => {
    it('lands every one of many concurrent appends to different calls, each whole', () =>
      using(factory, async (s) => {
        const calls = Array.from({ length: 40 }, () => id(callId('many')))
        const first = await together(
          s,
          calls.map((c, k) => ({
            callId: c,
            expectedVersion: 0,
            events: [
              // Quotes, backslashes and non-ASCII text travel inside a group's JSON too.
              { type: 'A', at: k, payload: { c, k, s: `é'"\\${k}\u2028💡` } },
              { type: 'B', at: k, payload: [k] },
            ],
            outbox: [{ kind: 'callback', payload: { c }, dueAt: 1_000_000 + k }],
            timer: 500 + k,
            snapshot: { version: 2, state: { c } },
            inboxIds: [`in-'"\\${c}`],
            idempotency: { key: `key-${c}`, requestHash: 'h', response: { c }, at: 10 },
          })),
        )
        first.forEach((r) => {
          const ok = right(r)
          expect(ok.version).toBe(2)
          expect(ok.outbox.map((o) => o.seq)).toEqual([1])
        })
        expect(new Set(first.map((r) => right(r).outbox[0]?.id)).size).toBe(calls.length)
        const second = await together(
          s,
          calls.map((c, k) => ({
            callId: c,
            expectedVersion: 2,
            // JSON nulls are values like any other.
            events: [{ type: 'C', at: k, payload: k % 2 === 0 ? k : null }],
            outbox: [{ kind: 'media', payload: k % 2 === 0 ? null : k, dueAt: 1_000_000 }],
            timer: null,
            snapshot: { version: 3, state: null },
            idempotency: { key: `null-${c}`, requestHash: 'h', response: null, at: 10 },
          })),
        )
        second.forEach((r) => expect(right(r).outbox.map((o) => o.seq)).toEqual([2]))
        for (const [k, c] of calls.entries()) {
          expect((await run(s.events.read(c))).map((e) => [e.version, e.type, e.payload])).toEqual([
            [1, 'A', { c, k, s: `é'"\\${k}\u2028💡` }],
            [2, 'B', [k]],
            [3, 'C', k % 2 === 0 ? k : null],
          ])
          expect(
            (await run(s.outbox.pending({ callId: c }))).map((i) => [i.seq, i.kind, i.payload]),
          ).toEqual([
            [1, 'callback', { c }],
            [2, 'media', k % 2 === 0 ? null : k],
          ])
          expect(await run(s.events.snapshot(c))).toEqual(Option.some({ version: 3, state: null }))
          expect(await run(s.idempotency.get(`null-${c}`, 11))).toEqual(
            Option.some({ key: `null-${c}`, requestHash: 'h', response: null, at: 10 }),
          )
          expect(await run(s.inbox.has(`in-'"\\${c}`))).toBe(true)
          expect(await run(s.idempotency.get(`key-${c}`, 11))).toEqual(
            Option.some({ key: `key-${c}`, requestHash: 'h', response: { c }, at: 10 }),
          )
        }
        const timers = (await run(s.timers.all())).filter((t) => calls.includes(t.callId))
        expect(timers).toEqual([])
      }))

    it('of concurrent appends to one call with the same expected version, exactly one wins', () =>
      using(factory, async (s) => {
        for (const expectedVersion of [0, 1]) {
          const c = id(callId('same'))
          if (expectedVersion === 1)
            await run(
              s.events.append({
                callId: c,
                expectedVersion: 0,
                events: [{ type: 'Start', at: 0, payload: null }],
              }),
            )
          const writers = 24
          const results = await together(s, [
            ...fillers(4),
            ...Array.from({ length: writers }, (_, w) => ({
              callId: c,
              expectedVersion,
              events: [
                { type: 'Raced', at: w, payload: { w, k: 0 } },
                { type: 'Raced', at: w, payload: { w, k: 1 } },
              ],
              outbox: [{ kind: 'callback', payload: { w }, dueAt: 0 }],
              timer: 100 + w,
              inboxIds: [`race-${c}-${w}`],
              idempotency: { key: `race-${c}-${w}`, requestHash: 'h', response: w, at: 0 },
            })),
          ])
          const raced = results.slice(4)
          const winners = raced.flatMap((r, w) => (Either.isRight(r) ? [w] : []))
          expect(winners.length).toBe(1)
          const w = winners[0] as number
          expect(right(raced[w]).version).toBe(expectedVersion + 2)
          raced.forEach((r, k) => {
            if (k !== w)
              expect(left(r)).toMatchObject({
                _tag: 'StoreConflictError',
                callId: c,
                expected: expectedVersion,
                actual: expectedVersion + 2,
              })
          })
          const events = await run(s.events.read(c))
          expect(events.map((e) => e.version)).toEqual(
            Array.from({ length: expectedVersion + 2 }, (_, k) => k + 1),
          )
          expect(events.slice(expectedVersion).map((e) => e.payload)).toEqual([
            { w, k: 0 },
            { w, k: 1 },
          ])
          expect((await run(s.outbox.pending({ callId: c }))).map((i) => i.payload)).toEqual([
            { w },
          ])
          expect((await run(s.timers.all())).filter((t) => t.callId === c)).toEqual([
            { callId: c, deadline: 100 + w },
          ])
          for (let k = 0; k < writers; k++) {
            expect(await run(s.inbox.has(`race-${c}-${k}`))).toBe(k === w)
            expect(Option.isSome(await run(s.idempotency.get(`race-${c}-${k}`, 1)))).toBe(k === w)
          }
        }
      }))

    it('lands appends to one call issued together in order or not at all, never forked', () =>
      using(factory, async (s) => {
        const c = id(callId('seq'))
        const results = await together(s, [
          ...fillers(4),
          ...[0, 1, 2, 3].map((v) => ({
            callId: c,
            expectedVersion: v,
            events: [{ type: `E${v}`, at: v, payload: v }],
            outbox: [{ kind: 'callback', payload: v, dueAt: 0 }],
            ...(v === 3 ? { timer: 77 } : {}),
          })),
        ])
        // An append can only land once those before it did (it expects their version), so the
        // ones that landed are a prefix of the four (a store that applies them in the order
        // issued, like every store of this package with its defaults, lands all four); the
        // others conflict and wrote nothing.
        const raced = results.slice(4)
        const landed = raced.findIndex((r) => Either.isLeft(r))
        const m = landed === -1 ? 4 : landed
        expect(m).toBeGreaterThanOrEqual(1)
        raced.forEach((r, v) => {
          if (v < m)
            expect(right(r)).toEqual({
              version: v + 1,
              outbox: [expect.objectContaining({ seq: v + 1 })],
            })
          else expect(left(r)).toMatchObject({ _tag: 'StoreConflictError', expected: v })
        })
        expect((await run(s.events.read(c))).map((e) => e.type)).toEqual(
          ['E0', 'E1', 'E2', 'E3'].slice(0, m),
        )
        expect((await run(s.outbox.pending({ callId: c }))).map((i) => i.payload)).toEqual(
          [0, 1, 2, 3].slice(0, m),
        )
        expect((await run(s.timers.all())).filter((t) => t.callId === c)).toEqual(
          m === 4 ? [{ callId: c, deadline: 77 }] : [],
        )
      }))

    it('a conflicting, duplicate or bad append issued with others fails alone', () =>
      using(
        factory,
        async (s) => {
          const stale = id(callId('stale'))
          const seen = callId('seen')
          const key = callId('key')
          await run(
            s.events.append({
              callId: stale,
              expectedVersion: 0,
              events: [{ type: 'A', at: 0, payload: null }],
              inboxIds: [seen],
              idempotency: { key, requestHash: 'h', response: 'first', at: 100 },
              timer: 5,
            }),
          )
          const ok = Array.from({ length: 5 }, () => id(callId('ok')))
          const dupInbox = id(callId('dup-inbox'))
          const dupKey = id(callId('dup-key'))
          const bad = id(callId('bad'))
          const fresh = [callId('fresh'), callId('fresh')]
          const shared = callId('shared')
          const sharedKey = callId('shared-key')
          const twins = [id(callId('twin')), id(callId('twin'))]
          const okRequest = (c: CallId, k: number): AppendRequest => ({
            callId: c,
            expectedVersion: 0,
            events: [{ type: 'Ok', at: k, payload: k }],
            outbox: [{ kind: 'callback', payload: k, dueAt: 0 }],
            inboxIds: [`ok-${c}`],
          })
          const results = await together(s, [
            ...fillers(4),
            okRequest(ok[0] as CallId, 0),
            {
              callId: stale,
              expectedVersion: 0,
              events: [{ type: 'Stale', at: 1, payload: null }],
              outbox: [{ kind: 'callback', payload: 'stale', dueAt: 0 }],
              inboxIds: [fresh[0] as string],
              timer: 9,
            },
            okRequest(ok[1] as CallId, 1),
            {
              callId: dupInbox,
              expectedVersion: 0,
              events: [{ type: 'Dup', at: 2, payload: null }],
              outbox: [{ kind: 'callback', payload: 'dup', dueAt: 0 }],
              inboxIds: [fresh[1] as string, seen],
            },
            okRequest(ok[2] as CallId, 2),
            {
              callId: dupKey,
              expectedVersion: 0,
              events: [{ type: 'Dup', at: 3, payload: null }],
              idempotency: { key, requestHash: 'h2', response: 'again', at: 150 },
            },
            okRequest(ok[3] as CallId, 3),
            { callId: bad, expectedVersion: 0, events: [{ type: '', at: 4, payload: null }] },
            ...twins.map((c) => ({
              callId: c,
              expectedVersion: 0,
              events: [{ type: 'Twin', at: 5, payload: c }],
              inboxIds: [shared],
              idempotency: { key: sharedKey, requestHash: c, response: c, at: 200 },
            })),
            okRequest(ok[4] as CallId, 4),
          ])
          const [ok0, staleR, ok1, dupInboxR, ok2, dupKeyR, ok3, badR, twin0, twin1, ok4] =
            results.slice(4)
          for (const [k, r] of [ok0, ok1, ok2, ok3, ok4].entries()) {
            expect(right(r).version).toBe(1)
            const c = ok[k] as CallId
            expect((await run(s.events.read(c))).map((e) => e.payload)).toEqual([k])
            expect((await run(s.outbox.pending({ callId: c }))).map((i) => i.payload)).toEqual([k])
            expect(await run(s.inbox.has(`ok-${c}`))).toBe(true)
          }
          expect(left(staleR)).toMatchObject({
            _tag: 'StoreConflictError',
            callId: stale,
            expected: 0,
            actual: 1,
          })
          expect((await run(s.events.read(stale))).map((e) => e.type)).toEqual(['A'])
          expect(await run(s.outbox.pending({ callId: stale }))).toEqual([])
          expect((await run(s.timers.all())).filter((t) => t.callId === stale)).toEqual([
            { callId: stale, deadline: 5 },
          ])
          expect(await run(s.inbox.has(fresh[0] as string))).toBe(false)
          expect(left(dupInboxR)).toMatchObject({
            _tag: 'StoreDuplicateError',
            what: 'inbox',
            ids: [seen],
          })
          expect(await run(s.inbox.has(fresh[1] as string))).toBe(false)
          expect(left(dupKeyR)).toMatchObject({
            _tag: 'StoreDuplicateError',
            what: 'idempotency',
            ids: [key],
          })
          expect(Option.getOrThrow(await run(s.idempotency.get(key, 150))).response).toBe('first')
          expect(left(badR)).toMatchObject({ _tag: 'StoreInputError' })
          for (const c of [dupInbox, dupKey, bad]) {
            expect(await run(s.events.version(c))).toBe(0)
            expect(await run(s.outbox.pending({ callId: c }))).toEqual([])
          }
          // Two appends sharing an inbox id and an idempotency key: one lands, the other is a
          // duplicate (of the inbox id, checked first) and wrote nothing.
          const twinResults = [twin0, twin1]
          const won = twinResults.findIndex((r) => r !== undefined && Either.isRight(r))
          expect(won).toBeGreaterThanOrEqual(0)
          expect(left(twinResults[1 - won])).toMatchObject({
            _tag: 'StoreDuplicateError',
            what: 'inbox',
            ids: [shared],
          })
          expect(await run(s.events.version(twins[won] as CallId))).toBe(1)
          expect(await run(s.events.version(twins[1 - won] as CallId))).toBe(0)
          expect(Option.getOrThrow(await run(s.idempotency.get(sharedKey, 200))).response).toBe(
            twins[won],
          )
        },
        { idempotencyWindowMs: 1000 },
      ))

    it('acknowledges and reschedules concurrently, failing only where the lease was lost', () =>
      using(factory, async (s) => {
        const calls = Array.from({ length: 8 }, () => id(callId('acks')))
        const ids: string[] = []
        for (const [k, c] of calls.entries()) {
          const r = await run(
            s.events.append({
              callId: c,
              expectedVersion: 0,
              events: [{ type: 'E', at: 0, payload: null }],
              outbox: [
                { kind: 'callback', payload: `${c}#1`, dueAt: k === 3 ? 0 : 10 },
                { kind: 'callback', payload: `${c}#2`, dueAt: 10 },
              ],
            }),
          )
          ids.push(r.outbox[0]?.id ?? '')
        }
        // w1 holds the head of call 3 for 100 ms, the other heads for 1000 ms; w2 then
        // reclaims call 3's head, whose lease expired.
        const short = await run(s.outbox.claim({ owner: 'w1', limit: 1, leaseMs: 100, now: 10 }))
        expect(short.map((i) => i.id)).toEqual([ids[3]])
        const long = await run(s.outbox.claim({ owner: 'w1', limit: 20, leaseMs: 1000, now: 10 }))
        expect(long.length).toBe(7)
        const stolen = await run(
          s.outbox.claim({ owner: 'w2', limit: 20, leaseMs: 1000, now: 110 }),
        )
        expect(stolen.map((i) => i.id)).toEqual([ids[3]])
        const release = (e: Effect.Effect<void, unknown>) => Effect.runPromise(Effect.either(e))
        // Acknowledged twice at once: the second fails as it would after the first.
        const first = ids[6] as string
        const results = await Promise.all([
          ...ids.map((i, k) =>
            k % 2 === 0
              ? release(s.outbox.ack(i, 'w1'))
              : release(s.outbox.reschedule(i, 'w1', { dueAt: 2000, error: `e${k}` })),
          ),
          release(s.outbox.ack(first, 'w1')),
          release(s.outbox.ack('999999999', 'w1')),
        ])
        results.slice(0, 8).forEach((r, k) => {
          if (k === 3) expect(left(r)).toMatchObject({ _tag: 'StoreLeaseError', owner: 'w1' })
          else if (k !== 6) expect(Either.isRight(r)).toBe(true)
        })
        // Of the two acknowledgements of one item, one holds and the other finds it gone.
        const twice = [results[6], results[8]]
        expect(twice.filter((r) => r !== undefined && Either.isRight(r)).length).toBe(1)
        expect(left(twice.find((r) => r !== undefined && Either.isLeft(r)))).toMatchObject({
          _tag: 'StoreLeaseError',
          id: first,
        })
        expect(left(results[9])).toMatchObject({ _tag: 'StoreLeaseError', id: '999999999' })
        const pending = await run(s.outbox.pending())
        const heads = pending.filter((i) => calls.includes(i.callId) && i.seq === 1)
        expect(heads.map((i) => [i.id, i.attempts, i.lastError, i.leaseOwner])).toEqual(
          [1, 3, 5, 7].map((k) =>
            k === 3 ? [ids[3], 0, undefined, 'w2'] : [ids[k], 1, `e${k}`, undefined],
          ),
        )
        await run(s.outbox.ack(ids[3] as string, 'w2'))
      }))
  })
}
