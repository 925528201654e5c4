/**
 * Many writers racing on one call against PostgreSQL, each through its own pool: versions never
 * fork, every append lands whole or fails with a conflict.
 */
import { Effect } from 'effect'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import type { CallId, StoreService } from '../src/index.js'
import { PostgresStore } from '../src/index.js'
import { available, databaseUrl, dropSchemas, uniqueSchema } from './fixtures/Postgres.js'

const schema = uniqueSchema('race_')
afterAll(() => dropSchemas([schema]))

describe.runIf(available)('postgres: racing writers on one call', () => {
  it('never forks versions; each append lands whole or conflicts', async () => {
    // Four stores (four pools, as four processes would have) on the same schema.
    const stores: StoreService[] = []
    for (let i = 0; i < 4; i++)
      stores.push(await PostgresStore.open({ databaseUrl, schema, poolSize: 8 }))
    const callId = 'race' as CallId
    const writers = 32
    const perWriter = 5
    let conflicts = 0
    const writer = (w: number) =>
      Effect.gen(function* () {
        const s = stores[w % stores.length] as StoreService
        let landed = 0
        while (landed < perWriter) {
          const v = yield* s.events.version(callId)
          const size = 1 + ((w + landed) % 4)
          const r = yield* Effect.either(
            s.events.append({
              callId,
              expectedVersion: v,
              events: Array.from({ length: size }, (_, k) => ({
                type: 'Raced',
                at: 0,
                payload: { w, b: landed, k, of: size },
              })),
              outbox: [{ kind: 'callback', payload: { w, b: landed }, dueAt: 0 }],
            }),
          )
          if (r._tag === 'Right') landed++
          else if (r.left._tag === 'StoreConflictError') conflicts++
          else return yield* Effect.fail(r.left)
        }
      })
    try {
      await Effect.runPromise(
        Effect.all(
          Array.from({ length: writers }, (_, w) => writer(w)),
          { concurrency: 'unbounded' },
        ),
      )
      const events = await Effect.runPromise((stores[0] as StoreService).events.read(callId))
      expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1))
      // Walk the log batch by batch: each batch is whole and contiguous.
      const seen = new Set<string>()
      for (let i = 0; i < events.length;) {
        const p = events[i]?.payload as { w: number; b: number; k: number; of: number }
        for (let k = 0; k < p.of; k++)
          expect(events[i + k]?.payload).toEqual({ w: p.w, b: p.b, k, of: p.of })
        seen.add(`${p.w}/${p.b}`)
        i += p.of
      }
      expect(seen.size).toBe(writers * perWriter)
      const items = await Effect.runPromise((stores[0] as StoreService).outbox.pending({ callId }))
      expect(items.length).toBe(writers * perWriter)
      expect(new Set(items.map((i) => JSON.stringify(i.payload))).size).toBe(writers * perWriter)
      // The database agrees: one row per (call, version), no gaps.
      const client = new pg.Client({ connectionString: databaseUrl })
      await client.connect()
      const { rows } = await client.query(
        `SELECT count(*)::int AS n, count(DISTINCT version)::int AS d, max(version) AS m FROM "${schema}".events`,
      )
      await client.end()
      expect(rows[0]).toEqual({ n: events.length, d: events.length, m: events.length })
      expect(conflicts).toBeGreaterThan(0)
    } finally {
      for (const s of stores) await Effect.runPromise(s.close())
    }
  }, 120_000)
})
