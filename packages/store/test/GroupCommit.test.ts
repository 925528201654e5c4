/**
 * Group commit in the SQL stores, beyond the contract: appends of one call issued together
 * land in the order issued (one statement in flight, requests of one call applied in order),
 * and when a grouped statement fails on the server because another transaction took an inbox
 * id or idempotency key between check and write, every append still gets its own outcome;
 * when another transaction bumps a call's version while a batch waits on its row, that append
 * alone conflicts, with the version read afresh; and a batch reaches every table through its
 * key (no sequential scan: the function's plans are cached while the tables may be empty).
 */
import { Effect, Either, Option } from 'effect'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import type { AppendRequest, CallId, StoreService } from '../src/index.js'
import { PgliteStore, PostgresStore } from '../src/index.js'
import * as SqlStore from '../src/SqlStore.js'
import { available, databaseUrl, dropSchemas, uniqueSchema } from './fixtures/Postgres.js'

const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(e)
const together = (s: StoreService, requests: ReadonlyArray<AppendRequest>) =>
  Promise.all(requests.map((r) => run(Effect.either(s.events.append(r)))))
let n = 0
const call = (p: string) => `${p}-${++n}` as CallId
const filler = (): AppendRequest => ({
  callId: call('filler'),
  expectedVersion: 0,
  events: [{ type: 'F', at: 0, payload: null }],
})

const inOrder = async (s: StoreService) => {
  const c = call('ordered')
  const results = await together(s, [
    filler(),
    filler(),
    ...[0, 1, 2, 3, 4, 5].map((v) => ({
      callId: c,
      expectedVersion: v,
      events: [{ type: `E${v}`, at: v, payload: v }],
      outbox: [{ kind: 'callback', payload: v, dueAt: 0 }],
    })),
  ])
  expect(
    results.slice(2).map((r) => (Either.isRight(r) ? r.right.outbox.map((o) => o.seq) : r.left)),
  ).toEqual([[1], [2], [3], [4], [5], [6]])
  expect((await run(s.events.read(c))).map((e) => e.payload)).toEqual([0, 1, 2, 3, 4, 5])
}

const schemas: string[] = []
afterAll(() => dropSchemas(schemas))

/**
 * Runs `f` with a store, a connection for "another transaction" and one to watch
 * pg_stat_activity from (it is read once per transaction: a connection of its own).
 */
const withRacers = async (
  open: () => Promise<{ s: StoreService; schema: string }>,
  f: (r: { s: StoreService; schema: string; other: pg.Client; watch: pg.Client }) => Promise<void>,
) => {
  const { s, schema } = await open()
  const other = new pg.Client({ connectionString: databaseUrl })
  await other.connect()
  const watch = new pg.Client({ connectionString: databaseUrl })
  await watch.connect()
  try {
    await f({ s, schema, other, watch })
  } finally {
    await other.end()
    await watch.end()
    await run(s.close())
  }
}

/** Waits (up to 30 s) until a grouped append of `schema` waits on a lock; false if it never did. */
const batchBlocked = async (watch: pg.Client, schema: string): Promise<boolean> => {
  for (let i = 0; i < 600; i++) {
    const { rows } = await watch.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE wait_event_type = 'Lock' AND query LIKE $1`,
      [`%${schema}%append_batch%`],
    )
    if ((rows[0] as { n: number }).n > 0) return true
    await new Promise((r) => setTimeout(r, 50))
  }
  return false
}

describe('group commit', () => {
  it('lands appends of one call issued together in the order issued (pglite)', async () => {
    const s = await PgliteStore.open()
    try {
      await inOrder(s)
    } finally {
      await run(s.close())
    }
  })

  describe.runIf(available)('postgres', () => {
    const open = (schema = uniqueSchema('gc_')) => {
      schemas.push(schema)
      return PostgresStore.open({ databaseUrl, schema, poolSize: 4 }).then((s) => ({ s, schema }))
    }

    it('lands appends of one call issued together in the order issued', async () => {
      const { s } = await open()
      try {
        await inOrder(s)
      } finally {
        await run(s.close())
      }
    })

    it('gives each append its own outcome when another transaction wins a race inside a batch', async () => {
      await withRacers(open, async ({ s, schema, other, watch }) => {
        let blocked = 0
        for (const race of ['inbox', 'idempotency'] as const) {
          const taken = call(`taken-${race}`)
          // Another transaction records the id (or a live key) and does not commit yet.
          await other.query('BEGIN')
          await other.query(
            race === 'inbox'
              ? `INSERT INTO "${schema}".inbox (id, call_id) VALUES ($1, 'elsewhere')`
              : `INSERT INTO "${schema}".idempotency (key, request_hash, response, at) VALUES ($1, 'h', '1', 0)`,
            [taken],
          )
          const loser = call('loser')
          const winners = [call('winner'), call('winner'), call('winner')]
          const pending = together(s, [
            filler(),
            ...winners.slice(0, 2).map((c) => ({
              callId: c,
              expectedVersion: 0,
              events: [{ type: 'W', at: 0, payload: c }],
            })),
            {
              callId: loser,
              expectedVersion: 0,
              events: [{ type: 'L', at: 0, payload: null }],
              outbox: [{ kind: 'callback', payload: 'lost', dueAt: 0 }],
              ...(race === 'inbox'
                ? { inboxIds: [taken] }
                : { idempotency: { key: taken, requestHash: 'h2', response: 2, at: 0 } }),
            },
            {
              callId: winners[2] as CallId,
              expectedVersion: 0,
              events: [{ type: 'W', at: 0, payload: 'last' }],
            },
          ])
          // Wait until the grouped statement is blocked on the other transaction's row, then
          // commit it: the statement now fails on the server and wrote nothing.
          if (await batchBlocked(watch, schema)) blocked++
          await other.query('COMMIT')
          const results = await pending
          for (const r of [results[1], results[2], results[4]])
            expect(r !== undefined && Either.isRight(r) && r.right.version).toBe(1)
          const lost = results[3]
          expect(lost !== undefined && Either.isLeft(lost) && lost.left).toMatchObject({
            _tag: 'StoreDuplicateError',
            what: race,
            ids: [taken],
          })
          expect(await run(s.events.version(loser))).toBe(0)
          expect(await run(s.outbox.pending({ callId: loser }))).toEqual([])
          for (const c of winners) expect(await run(s.events.version(c))).toBe(1)
          if (race === 'idempotency')
            expect(Option.getOrThrow(await run(s.idempotency.get(taken, 0))).requestHash).toBe('h')
        }
        // Both times the grouped statement did wait on the other transaction.
        expect(blocked).toBe(2)
      })
    })

    it('conflicts alone, with the version read afresh, when another transaction bumps the call under a batch', async () => {
      await withRacers(open, async ({ s, schema, other, watch }) => {
        const raced = call('raced')
        await run(
          s.events.append({
            callId: raced,
            expectedVersion: 0,
            events: [{ type: 'A', at: 0, payload: 1 }],
          }),
        )
        // Another writer holds the call's row, bumped but not committed yet.
        await other.query('BEGIN')
        await other.query(`UPDATE "${schema}".calls SET version = 2 WHERE call_id = $1`, [raced])
        const neighbour = call('neighbour')
        const pending = together(s, [
          filler(),
          { callId: neighbour, expectedVersion: 0, events: [{ type: 'N', at: 0, payload: 'n' }] },
          {
            callId: raced,
            expectedVersion: 1,
            events: [{ type: 'B', at: 0, payload: 2 }],
            outbox: [{ kind: 'callback', payload: 'lost', dueAt: 0 }],
            inboxIds: [`${raced}-in`],
          },
        ])
        const blocked = await batchBlocked(watch, schema)
        await other.query('COMMIT')
        const results = await pending
        expect(blocked).toBe(true)
        expect(
          results[1] !== undefined && Either.isRight(results[1]) && results[1].right.version,
        ).toBe(1)
        const lost = results[2]
        expect(lost !== undefined && Either.isLeft(lost) && lost.left).toMatchObject({
          _tag: 'StoreConflictError',
          expected: 1,
          actual: 2,
        })
        expect((await run(s.events.read(raced))).map((e) => e.type)).toEqual(['A'])
        expect(await run(s.outbox.pending({ callId: raced }))).toEqual([])
        expect(await run(s.inbox.has(`${raced}-in`))).toBe(false)
      })
    })

    it('reaches every table through its key in a batch: no sequential scan, even on empty tables', async () => {
      const { s: migrated, schema } = await open()
      await run(migrated.close())
      const client = new pg.Client({ connectionString: databaseUrl })
      await client.connect()
      // Each batch runs in a transaction of its own here, so that the transaction's table
      // statistics (pg_stat_xact_user_tables) show the scans the batch made.
      const scans: number[] = []
      const driver: SqlStore.Driver = {
        query: async (text, params) => {
          if (!text.includes('append_batch('))
            return (await client.query(text, params as unknown[])).rows
          await client.query('BEGIN')
          try {
            const rows = (await client.query(text, params as unknown[])).rows
            const stat = await client.query<{ n: number }>(
              `SELECT coalesce(sum(seq_scan), 0)::int AS n FROM pg_stat_xact_user_tables WHERE schemaname = $1`,
              [schema],
            )
            scans.push((stat.rows[0] as { n: number }).n)
            await client.query('COMMIT')
            return rows
          } catch (e) {
            await client.query('ROLLBACK')
            throw e
          }
        },
        transaction: () => Promise.reject(new Error('not used')),
        close: () => client.end(),
      }
      const s = SqlStore.open(driver, schema)
      try {
        const calls = Array.from({ length: 6 }, () => call('keyed'))
        const shapes = (v: number): AppendRequest[] =>
          calls.map((c, i) => ({
            callId: c,
            expectedVersion: v,
            events: [{ type: 'E', at: v, payload: { v, i } }],
            outbox: [{ kind: 'callback', payload: i, dueAt: v }],
            timer: i % 2 === 0 ? v + 100 : null,
            ...(i % 3 === 0 ? { snapshot: { version: v + 1, state: { v } } } : {}),
            inboxIds: [`${c}-in-${v}`],
            ...(i % 2 === 1
              ? { idempotency: { key: `${c}-key-${v}`, requestHash: 'h', response: v, at: v } }
              : {}),
          }))
        for (const v of [0, 1, 2]) {
          const results = await together(s, [filler(), ...shapes(v), ...shapes(v).slice(0, 2)])
          expect(results.slice(1, 7).every((r) => Either.isRight(r))).toBe(true)
          // the repeats: the inbox id is now recorded
          expect(results.slice(7).map((r) => Either.isLeft(r) && r.left._tag)).toEqual([
            'StoreDuplicateError',
            'StoreDuplicateError',
          ])
        }
        expect(scans.length).toBe(3)
        expect(scans).toEqual([0, 0, 0])
        for (const c of calls) expect(await run(s.events.version(c))).toBe(3)
      } finally {
        await run(s.close())
      }
    })
  })
})
