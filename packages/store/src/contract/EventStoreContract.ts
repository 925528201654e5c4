/**
 * The contract of the event store port (with the parts of `append` that touch the other ports:
 * atomicity with the outbox, inbox and idempotency records, snapshots, bad input, closing).
 */
import { Effect, Option } from 'effect'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { CallId } from '../CallId.js'
import type { AppendRequest, NewEvent } from '../EventStore.js'
import type { Json } from '../Json.js'
import type { StoreService } from '../Store.js'
import { callId, failure, run, using, type Factory } from './Harness.js'

const ev = (type: string, at: number, payload: Json = null): NewEvent => ({ type, at, payload })
const id = (s: string) => s as CallId

/** What a store holds about one call, for "nothing was written" checks. */
const snapshotOf = async (s: StoreService, c: string) => ({
  version: await run(s.events.version(id(c))),
  events: await run(s.events.read(id(c))),
  pending: await run(s.outbox.pending({ callId: id(c) })),
  timers: (await run(s.timers.all())).filter((t) => t.callId === c),
  snapshot: await run(s.events.snapshot(id(c))),
})

export const eventStoreContract = (factory: Factory): void => {
  describe('EventStore', () => {
    it('appends to a new call at expected version 0 and reads the events back in order', () =>
      using(factory, async (s) => {
        const c = id(callId())
        const r = await run(
          s.events.append({
            callId: c,
            expectedVersion: 0,
            events: [
              ev('CallConnected', 10, { a: 1 }),
              ev('PlayStarted', 11, ['x', 2, true, null]),
            ],
          }),
        )
        expect(r).toEqual({ version: 2, outbox: [] })
        expect(await run(s.events.read(c))).toEqual([
          { callId: c, version: 1, type: 'CallConnected', at: 10, payload: { a: 1 } },
          { callId: c, version: 2, type: 'PlayStarted', at: 11, payload: ['x', 2, true, null] },
        ])
        expect(await run(s.events.version(c))).toBe(2)
      }))

    it('continues the versions of a call and reads from a version', () =>
      using(factory, async (s) => {
        const c = id(callId())
        await run(
          s.events.append({ callId: c, expectedVersion: 0, events: [ev('A', 1), ev('B', 2)] }),
        )
        const r = await run(
          s.events.append({ callId: c, expectedVersion: 2, events: [ev('C', 3)] }),
        )
        expect(r.version).toBe(3)
        expect((await run(s.events.read(c))).map((e) => [e.version, e.type])).toEqual([
          [1, 'A'],
          [2, 'B'],
          [3, 'C'],
        ])
        expect((await run(s.events.read(c, { fromVersion: 2 }))).map((e) => e.type)).toEqual([
          'B',
          'C',
        ])
        expect(await run(s.events.read(c, { fromVersion: 4 }))).toEqual([])
        expect(await run(s.events.read(id(callId('unknown'))))).toEqual([])
        expect(await run(s.events.version(id(callId('unknown'))))).toBe(0)
      }))

    it('fails a stale expected version with a conflict carrying expected and actual, writing nothing', () =>
      using(factory, async (s) => {
        const c = id(callId())
        await run(
          s.events.append({
            callId: c,
            expectedVersion: 0,
            events: [ev('A', 1), ev('B', 2)],
            outbox: [{ kind: 'callback', payload: 1, dueAt: 0 }],
            timer: 50,
          }),
        )
        const before = await snapshotOf(s, c)
        const attempts: ReadonlyArray<AppendRequest> = [
          {
            callId: c,
            expectedVersion: 1,
            events: [ev('X', 3)],
            outbox: [{ kind: 'media', payload: 2, dueAt: 0 }],
          },
          { callId: c, expectedVersion: 0, events: [ev('X', 3)], timer: 99 },
          {
            callId: c,
            expectedVersion: 5,
            events: [ev('X', 3)],
            snapshot: { version: 6, state: {} },
          },
          { callId: c, expectedVersion: 3, events: [], inboxIds: ['never-recorded'] },
        ]
        for (const a of attempts) {
          const e = await failure(s.events.append(a))
          expect(e).toMatchObject({
            _tag: 'StoreConflictError',
            callId: c,
            expected: a.expectedVersion,
            actual: 2,
          })
        }
        expect(await snapshotOf(s, c)).toEqual(before)
        expect(await run(s.inbox.has('never-recorded'))).toBe(false)
        const fresh = id(callId())
        expect(
          await failure(
            s.events.append({ callId: fresh, expectedVersion: 1, events: [ev('A', 1)] }),
          ),
        ).toMatchObject({ _tag: 'StoreConflictError', expected: 1, actual: 0 })
        expect(await run(s.events.version(fresh))).toBe(0)
      }))

    it('accepts an append without events (outbox items only) without changing the version', () =>
      using(factory, async (s) => {
        const c = id(callId())
        await run(s.events.append({ callId: c, expectedVersion: 0, events: [ev('A', 1)] }))
        const r = await run(
          s.events.append({
            callId: c,
            expectedVersion: 1,
            events: [],
            outbox: [{ kind: 'callback', payload: 'p', dueAt: 0 }],
          }),
        )
        expect(r.version).toBe(1)
        expect(r.outbox.map((o) => o.seq)).toEqual([1])
        expect(await run(s.events.version(c))).toBe(1)
      }))

    it('appends large batches whole (events, outbox items) with their order kept', () =>
      using(factory, async (s) => {
        const c = id(callId())
        // Every 10th payload is JSON null (a JSON null, not a missing value).
        const events = Array.from({ length: 150 }, (_, k) =>
          ev(`T${k % 7}`, 1000 + k, k % 10 === 9 ? null : { k, s: `é'"\\${k}` }),
        )
        const outbox = Array.from({ length: 20 }, (_, k) => ({
          kind: k % 2 === 0 ? 'callback' : 'media',
          payload: k === 13 ? null : { k },
          dueAt: 50 + k,
        }))
        await run(
          s.events.append({
            callId: c,
            expectedVersion: 0,
            events: [ev('First', 1)],
            outbox: [outbox[0]!],
          }),
        )
        const r = await run(s.events.append({ callId: c, expectedVersion: 1, events, outbox }))
        expect(r.version).toBe(151)
        expect(r.outbox.map((o) => o.seq)).toEqual(Array.from({ length: 20 }, (_, k) => k + 2))
        const back = await run(s.events.read(c, { fromVersion: 2 }))
        expect(back.map((e) => [e.version, e.type, e.at, e.payload])).toEqual(
          events.map((e, k) => [k + 2, e.type, e.at, e.payload]),
        )
        const items = await run(s.outbox.pending({ callId: c }))
        expect(items.map((i) => [i.seq, i.kind, i.payload, i.dueAt])).toEqual([
          [1, 'callback', { k: 0 }, 50],
          ...outbox.map((o, k) => [k + 2, o.kind, o.payload, o.dueAt]),
        ])
        expect(items.slice(1).map((i) => i.id)).toEqual(r.outbox.map((o) => o.id))
      }))

    it('lists calls with their current version, ordered by id, with paging', () =>
      using(factory, async (s) => {
        const p = callId('list')
        const ids = [`${p}-b`, `${p}-a`, `${p}-c`].map(id)
        for (const [i, c] of ids.entries())
          await run(
            s.events.append({
              callId: c,
              expectedVersion: 0,
              events: Array.from({ length: i + 1 }, (_, k) => ev('E', k)),
            }),
          )
        const all = (await run(s.events.listCalls())).filter((x) => x.callId.startsWith(p))
        expect(all).toEqual([
          { callId: `${p}-a`, version: 2 },
          { callId: `${p}-b`, version: 1 },
          { callId: `${p}-c`, version: 3 },
        ])
        const page = await run(s.events.listCalls({ after: id(`${p}-a`), limit: 1 }))
        expect(page).toEqual([{ callId: `${p}-b`, version: 1 }])
      }))

    it('keeps the latest snapshot of a call', () =>
      using(factory, async (s) => {
        const c = id(callId())
        expect(Option.isNone(await run(s.events.snapshot(c)))).toBe(true)
        await run(
          s.events.append({
            callId: c,
            expectedVersion: 0,
            events: [ev('A', 1), ev('B', 2)],
            snapshot: { version: 2, state: { n: 2 } },
          }),
        )
        await run(s.events.append({ callId: c, expectedVersion: 2, events: [ev('C', 3)] }))
        expect(await run(s.events.snapshot(c))).toEqual(
          Option.some({ version: 2, state: { n: 2 } }),
        )
        await run(
          s.events.append({
            callId: c,
            expectedVersion: 3,
            events: [ev('D', 4)],
            snapshot: { version: 4, state: { n: 4, s: 'é' } },
          }),
        )
        expect(await run(s.events.snapshot(c))).toEqual(
          Option.some({ version: 4, state: { n: 4, s: 'é' } }),
        )
        const e = await failure(
          s.events.append({
            callId: c,
            expectedVersion: 4,
            events: [ev('E', 5)],
            snapshot: { version: 6, state: null },
          }),
        )
        expect(e).toMatchObject({ _tag: 'StoreInputError', field: 'snapshot.version' })
        expect(await run(s.events.version(c))).toBe(4)
      }))

    it('fails the whole append with StoreDuplicateError when an inbox id was already recorded', () =>
      using(factory, async (s) => {
        const c = id(callId())
        const i1 = callId('inbox')
        const i2 = callId('inbox')
        await run(
          s.events.append({ callId: c, expectedVersion: 0, events: [ev('A', 1)], inboxIds: [i1] }),
        )
        const before = await snapshotOf(s, c)
        const e = await failure(
          s.events.append({
            callId: c,
            expectedVersion: 1,
            events: [ev('B', 2)],
            outbox: [{ kind: 'callback', payload: 1, dueAt: 0 }],
            inboxIds: [i2, i1],
            timer: 5,
          }),
        )
        expect(e).toMatchObject({ _tag: 'StoreDuplicateError', what: 'inbox', ids: [i1] })
        expect(await snapshotOf(s, c)).toEqual(before)
        expect(await run(s.inbox.has(i2))).toBe(false)
        // The duplicate is reported even when the version is stale too.
        expect(
          await failure(
            s.events.append({
              callId: c,
              expectedVersion: 0,
              events: [ev('B', 2)],
              inboxIds: [i1],
            }),
          ),
        ).toMatchObject({ _tag: 'StoreDuplicateError' })
      }))

    it('stores an idempotency record with the append and refuses a second one for a live key', () =>
      using(
        factory,
        async (s) => {
          const c = id(callId())
          const key = callId('rrid')
          await run(
            s.events.append({
              callId: c,
              expectedVersion: 0,
              events: [ev('A', 1)],
              idempotency: { key, requestHash: 'h1', response: { status: 202 }, at: 1000 },
            }),
          )
          expect(await run(s.idempotency.get(key, 1500))).toEqual(
            Option.some({ key, requestHash: 'h1', response: { status: 202 }, at: 1000 }),
          )
          const before = await snapshotOf(s, c)
          for (const requestHash of ['h1', 'h2']) {
            const e = await failure(
              s.events.append({
                callId: c,
                expectedVersion: 1,
                events: [ev('B', 2)],
                outbox: [{ kind: 'callback', payload: 1, dueAt: 0 }],
                idempotency: { key, requestHash, response: null, at: 1999 },
              }),
            )
            expect(e).toMatchObject({
              _tag: 'StoreDuplicateError',
              what: 'idempotency',
              ids: [key],
            })
          }
          expect(await snapshotOf(s, c)).toEqual(before)
          // Once the window has passed the key may be used again.
          const r = await run(
            s.events.append({
              callId: c,
              expectedVersion: 1,
              events: [ev('B', 2)],
              idempotency: { key, requestHash: 'h3', response: 'again', at: 2000 },
            }),
          )
          expect(r.version).toBe(2)
          expect(Option.getOrThrow(await run(s.idempotency.get(key, 2000))).requestHash).toBe('h3')
        },
        { idempotencyWindowMs: 1000 },
      ))

    it('round-trips any JSON payload', () =>
      using(factory, async (s) => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.tuple(fc.jsonValue(), fc.string({ minLength: 1, maxLength: 20 })), {
              minLength: 1,
              maxLength: 4,
            }),
            async (xs) => {
              const c = id(callId('json'))
              const events = xs.map(([payload, t]) =>
                ev(
                  [...t]
                    .map((ch) => (ch < ' ' || (ch >= '\u007f' && ch <= '\u009f') ? '_' : ch))
                    .join(''),
                  7,
                  payload as Json,
                ),
              )
              await run(
                s.events.append({
                  callId: c,
                  expectedVersion: 0,
                  events,
                  outbox: [{ kind: 'media', payload: xs[0]?.[0] as Json, dueAt: 0 }],
                }),
              )
              const back = await run(s.events.read(c))
              expect(back.map((e) => e.payload)).toEqual(
                events.map((e) => JSON.parse(JSON.stringify(e.payload)) as Json),
              )
              expect(back.map((e) => e.type)).toEqual(events.map((e) => e.type))
              const [item] = await run(s.outbox.pending({ callId: c }))
              expect(item?.payload).toEqual(JSON.parse(JSON.stringify(xs[0]?.[0])) as Json)
            },
          ),
          { numRuns: 40 },
        )
      }))

    it('agrees with a version counter for any sequence of appends (model)', () =>
      using(factory, async (s) => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(
              fc.tuple(
                fc.integer({ min: 0, max: 6 }),
                fc.integer({ min: 0, max: 3 }),
                fc.integer({ min: 0, max: 2 }),
              ),
              {
                maxLength: 12,
              },
            ),
            async (steps) => {
              const c = id(callId('model'))
              let version = 0
              let seq = 0
              const log: string[] = []
              for (const [expected, nEvents, nItems] of steps) {
                const types = Array.from({ length: nEvents }, (_, k) => `T${log.length + k}`)
                const r = await run(
                  Effect.either(
                    s.events.append({
                      callId: c,
                      expectedVersion: expected,
                      events: types.map((t) => ev(t, 0)),
                      outbox: Array.from({ length: nItems }, () => ({
                        kind: 'callback',
                        payload: null,
                        dueAt: 0,
                      })),
                    }),
                  ),
                )
                if (expected === version) {
                  expect(r._tag).toBe('Right')
                  if (r._tag === 'Right') {
                    expect(r.right.version).toBe(version + nEvents)
                    expect(r.right.outbox.map((o) => o.seq)).toEqual(
                      Array.from({ length: nItems }, (_, k) => seq + k + 1),
                    )
                  }
                  version += nEvents
                  seq += nItems
                  log.push(...types)
                } else {
                  expect(r).toMatchObject({
                    _tag: 'Left',
                    left: { _tag: 'StoreConflictError', actual: version },
                  })
                }
              }
              expect((await run(s.events.read(c))).map((e) => e.type)).toEqual(log)
              expect((await run(s.outbox.pending({ callId: c }))).map((i) => i.seq)).toEqual(
                Array.from({ length: seq }, (_, k) => k + 1),
              )
            },
          ),
          { numRuns: 25 },
        )
      }))

    it('never forks versions when writers race on one call: each append lands whole or conflicts', () =>
      using(factory, async (s) => {
        const c = id(callId('race'))
        const writers = 12
        const perWriter = 4
        const writer = (w: number) =>
          Effect.gen(function* () {
            let landed = 0
            let conflicts = 0
            while (landed < perWriter) {
              const v = yield* s.events.version(c)
              const r = yield* Effect.either(
                s.events.append({
                  callId: c,
                  expectedVersion: v,
                  events: [0, 1, 2].map((k) => ev(`w${w}`, landed * 3 + k, { w, b: landed, k })),
                  outbox: [{ kind: 'callback', payload: { w, b: landed }, dueAt: 0 }],
                }),
              )
              if (r._tag === 'Right') landed++
              else if (r.left._tag === 'StoreConflictError') conflicts++
              else return yield* Effect.fail(r.left)
            }
            return conflicts
          })
        await run(
          Effect.all(
            Array.from({ length: writers }, (_, w) => writer(w)),
            { concurrency: 'unbounded' },
          ),
        )
        const events = await run(s.events.read(c))
        expect(events.map((e) => e.version)).toEqual(
          Array.from({ length: writers * perWriter * 3 }, (_, k) => k + 1),
        )
        // Batches are contiguous: each run of three events belongs to one append, in order.
        for (let i = 0; i < events.length; i += 3) {
          const batch = events
            .slice(i, i + 3)
            .map((e) => e.payload as { w: number; b: number; k: number })
          expect(batch.map((p) => p.k)).toEqual([0, 1, 2])
          expect(new Set(batch.map((p) => `${p.w}/${p.b}`)).size).toBe(1)
        }
        const items = await run(s.outbox.pending({ callId: c }))
        expect(items.map((i) => i.seq)).toEqual(
          Array.from({ length: writers * perWriter }, (_, k) => k + 1),
        )
        expect(items.map((i) => JSON.stringify(i.payload))).toEqual(
          events
            .filter((_, k) => k % 3 === 0)
            .map((e) => {
              const p = e.payload as { w: number; b: number }
              return JSON.stringify({ w: p.w, b: p.b })
            }),
        )
      }))

    it('refuses bad input with StoreInputError and writes nothing', () =>
      using(
        factory,
        async (s) => {
          const c = id(callId())
          await run(s.events.append({ callId: c, expectedVersion: 0, events: [ev('A', 1)] }))
          const before = await snapshotOf(s, c)
          const big = 'x'.repeat(2048)
          const bad: ReadonlyArray<[string, unknown]> = [
            ['callId', { callId: '', expectedVersion: 0, events: [] }],
            ['callId', { callId: 'x'.repeat(257), expectedVersion: 0, events: [] }],
            ['callId', { callId: 'a\nb', expectedVersion: 0, events: [] }],
            ['callId', { callId: 42, expectedVersion: 0, events: [] }],
            ['expectedVersion', { callId: c, expectedVersion: -1, events: [] }],
            ['expectedVersion', { callId: c, expectedVersion: 1.5, events: [] }],
            ['events', { callId: c, expectedVersion: 1, events: 'nope' }],
            [
              'events[1].payload',
              { callId: c, expectedVersion: 1, events: [ev('B', 2), ev('C', 3, big)] },
            ],
            ['events[0].at', { callId: c, expectedVersion: 1, events: [ev('B', -5)] }],
            ['events[0].type', { callId: c, expectedVersion: 1, events: [ev('', 1)] }],
            [
              'events[0].payload',
              { callId: c, expectedVersion: 1, events: [{ type: 'B', at: 1, payload: 10n }] },
            ],
            [
              'events[0].payload',
              { callId: c, expectedVersion: 1, events: [{ type: 'B', at: 1 }] },
            ],
            [
              'outbox[0].payload',
              {
                callId: c,
                expectedVersion: 1,
                events: [ev('B', 2)],
                outbox: [{ kind: 'media', payload: big, dueAt: 0 }],
              },
            ],
            [
              'outbox[0].dueAt',
              {
                callId: c,
                expectedVersion: 1,
                events: [ev('B', 2)],
                outbox: [{ kind: 'media', payload: 1, dueAt: NaN }],
              },
            ],
            ['timer', { callId: c, expectedVersion: 1, events: [ev('B', 2)], timer: -1 }],
            [
              'inboxIds',
              { callId: c, expectedVersion: 1, events: [ev('B', 2)], inboxIds: ['ok', ''] },
            ],
            [
              'snapshot.state',
              {
                callId: c,
                expectedVersion: 1,
                events: [ev('B', 2)],
                snapshot: { version: 2, state: big },
              },
            ],
            [
              'idempotency key',
              {
                callId: c,
                expectedVersion: 1,
                events: [ev('B', 2)],
                idempotency: { key: '\u0007', requestHash: 'h', response: 1, at: 1 },
              },
            ],
          ]
          for (const [field, req] of bad) {
            const e = await failure(s.events.append(req as AppendRequest))
            expect(e).toMatchObject({ _tag: 'StoreInputError', field })
          }
          const cyclic: Record<string, unknown> = {}
          cyclic.self = cyclic
          expect(
            await failure(
              s.events.append({
                callId: c,
                expectedVersion: 1,
                events: [{ type: 'B', at: 1, payload: cyclic as Json }],
              }),
            ),
          ).toMatchObject({ _tag: 'StoreInputError' })
          for (const bad of ['', 'x'.repeat(300), 'a\u0000b'])
            for (const e of [
              await failure(s.events.read(bad as CallId)),
              await failure(s.events.version(bad as CallId)),
              await failure(s.events.snapshot(bad as CallId)),
              await failure(s.inbox.has(bad)),
            ])
              expect(e).toMatchObject({ _tag: 'StoreInputError' })
          expect(await snapshotOf(s, c)).toEqual(before)
          // At the limit exactly is accepted (the limit counts UTF-8 bytes of the JSON encoding).
          const exact = 'é'.repeat((1024 - 2) / 2)
          expect(
            (
              await run(
                s.events.append({ callId: c, expectedVersion: 1, events: [ev('B', 2, exact)] }),
              )
            ).version,
          ).toBe(2)
          expect(
            await failure(
              s.events.append({ callId: c, expectedVersion: 2, events: [ev('C', 3, exact + 'x')] }),
            ),
          ).toMatchObject({ _tag: 'StoreInputError' })
        },
        { maxPayloadBytes: 1024 },
      ))

    it('fails every operation with StoreClosedError once closed (closing twice is fine)', async () => {
      const s = await factory()
      const c = id(callId())
      await run(s.events.append({ callId: c, expectedVersion: 0, events: [ev('A', 1)] }))
      await run(s.close())
      await run(s.close())
      const ops: ReadonlyArray<Effect.Effect<unknown, { _tag: string }>> = [
        s.events.append({ callId: c, expectedVersion: 1, events: [ev('B', 2)] }),
        s.events.read(c),
        s.events.version(c),
        s.events.listCalls(),
        s.events.snapshot(c),
        s.outbox.claim({ owner: 'w', limit: 1, leaseMs: 10, now: 0 }),
        s.outbox.ack('1', 'w'),
        s.outbox.reschedule('1', 'w', { dueAt: 1, error: 'e' }),
        s.outbox.deadLetter('1', 'w', 'r'),
        s.outbox.listDeadLetters(),
        s.outbox.redrive('1', 0),
        s.outbox.pending(),
        s.idempotency.get('k', 0),
        s.idempotency.put({ key: 'k', requestHash: 'h', response: null, at: 0 }),
        s.idempotency.purge(0),
        s.timers.due(0),
        s.timers.all(),
        s.inbox.has('i'),
      ]
      for (const op of ops) expect(await failure(op)).toMatchObject({ _tag: 'StoreClosedError' })
    })
  })
}
