/**
 * Store benchmark: appends per second (single-event appends from 16 concurrent writers, and
 * batches of 100 events) and outbox claim-and-acknowledge per second, on PGlite (in memory and
 * on disk) and PostgreSQL. The baseline of each figure is a raw INSERT of the same rows through
 * the same driver in the same run; the ratio is store rate / raw rate.
 *
 * The stores run with their defaults (group commit on); the outbox workers acknowledge the
 * items of a claim concurrently, so the store may group those acknowledgements.
 *
 *   pnpm bench            (PostgreSQL from DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
 *   STORE_BENCH_GROUP_COMMIT=off pnpm bench     (the stores without group commit, for comparison)
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { PGlite } from '@electric-sql/pglite'
import { Effect } from 'effect'
import pg from 'pg'
import type { CallId, StoreService } from '../src/index.js'
import { PgliteStore, PostgresStore } from '../src/index.js'

type Raw = (text: string, params: ReadonlyArray<unknown>, name?: string) => Promise<unknown>

interface Target {
  readonly name: string
  readonly store: StoreService
  readonly raw: Raw
  readonly schema: string
  readonly scale: number
  readonly close: () => Promise<void>
}

const writers = 16
/** STORE_BENCH_GROUP_COMMIT=off runs the stores without group commit; a number sets maxInFlight. */
const knob = process.env.STORE_BENCH_GROUP_COMMIT
const knobs =
  knob === undefined || knob === ''
    ? {}
    : { groupCommit: knob === 'off' ? false : { maxInFlight: Number(knob) } }
const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(e)
const payload = (i: number) => ({
  operationContext: `ctx-${i}`,
  resultInformation: { code: 200, subCode: 0, message: 'Action completed successfully.' },
  tones: ['one', 'two', 'pound'],
  sequenceId: i,
})

/** Runs `op(i)` for i in [from, to) on `concurrency` workers; returns the elapsed ms. */
const timed = async (
  from: number,
  to: number,
  concurrency: number,
  op: (i: number, w: number) => Promise<unknown>,
) => {
  let next = from
  const t0 = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = next++; i < to; i = next++) await op(i, w)
    }),
  )
  return performance.now() - t0
}

/**
 * Alternates slices of the raw baseline and of the store (`slices` of each) so that whatever
 * else the machine is doing weighs on both sides alike; returns operations per second of each.
 */
const compare = async (
  n: number,
  slices: number,
  raw: (from: number, to: number) => Promise<number>,
  store: (from: number, to: number) => Promise<number>,
) => {
  let rawMs = 0
  let storeMs = 0
  const step = Math.ceil(n / slices)
  for (let from = 0; from < n; from += step) {
    const to = Math.min(n, from + step)
    rawMs += await raw(from, to)
    storeMs += await store(from, to)
  }
  return { raw: (n / rawMs) * 1000, store: (n / storeMs) * 1000 }
}

let round = 0
const fresh = () => `r${++round}-${randomBytes(3).toString('hex')}`

const rawTables = (S: string) => `
CREATE TABLE ${S}.raw_events (call_id text NOT NULL, version integer NOT NULL, type text NOT NULL,
  at bigint NOT NULL, payload json NOT NULL, PRIMARY KEY (call_id, version));
CREATE TABLE ${S}.raw_outbox (id bigserial PRIMARY KEY, call_id text NOT NULL, seq integer NOT NULL,
  kind text NOT NULL, payload json NOT NULL, due_at bigint NOT NULL, UNIQUE (call_id, seq));`

/** Single-event appends, 16 writers, each on calls of its own. Rates in events/s. */
const singles = async (t: Target, n: number, slices: number) => {
  const S = `"${t.schema}"`
  const p = fresh()
  const versions = new Map<string, number>()
  return compare(
    n,
    slices,
    (from, to) =>
      timed(from, to, writers, (i, w) => {
        const c = `${p}-raw-${w}`
        const v = (versions.get(c) ?? 0) + 1
        versions.set(c, v)
        return t.raw(
          `INSERT INTO ${S}.raw_events (call_id, version, type, at, payload) VALUES ($1, $2, $3, $4, $5)`,
          [c, v, 'DtmfToneReceived', i, JSON.stringify(payload(i))],
          'bench_raw_single',
        )
      }),
    (from, to) =>
      timed(from, to, writers, (i, w) => {
        const c = `${p}-store-${w}`
        const v = versions.get(c) ?? 0
        versions.set(c, v + 1)
        return run(
          t.store.events.append({
            callId: c as CallId,
            expectedVersion: v,
            events: [{ type: 'DtmfToneReceived', at: i, payload: payload(i) }],
          }),
        )
      }),
  )
}

/** Appends of 100 events each, 16 writers. Rates in events/s. */
const batches = async (t: Target, n: number, slices: number) => {
  const S = `"${t.schema}"`
  const p = fresh()
  const versions = new Map<string, number>()
  const size = 100
  const rows = (i: number) => Array.from({ length: size }, (_, k) => payload(i * size + k))
  const values = Array.from(
    { length: size },
    (_, k) => `($1, $${2 + k * 4}, $${3 + k * 4}, $${4 + k * 4}, $${5 + k * 4})`,
  ).join(', ')
  const r = await compare(
    n,
    slices,
    (from, to) =>
      timed(from, to, writers, (i, w) => {
        const c = `${p}-raw-${w}`
        const v = versions.get(c) ?? 0
        versions.set(c, v + size)
        const params: unknown[] = [c]
        rows(i).forEach((r, k) => params.push(v + k + 1, 'DtmfToneReceived', i, JSON.stringify(r)))
        return t.raw(
          `INSERT INTO ${S}.raw_events (call_id, version, type, at, payload) VALUES ${values}`,
          params,
          'bench_raw_batch',
        )
      }),
    (from, to) =>
      timed(from, to, writers, (i, w) => {
        const c = `${p}-store-${w}`
        const v = versions.get(c) ?? 0
        versions.set(c, v + size)
        return run(
          t.store.events.append({
            callId: c as CallId,
            expectedVersion: v,
            events: rows(i).map((r) => ({ type: 'DtmfToneReceived', at: i, payload: r })),
          }),
        )
      }),
  )
  return { raw: r.raw * size, store: r.store * size }
}

/**
 * Outbox: items of many calls (2 each) are enqueued (not timed), then 16 workers claim (up to
 * 16 at a time) and acknowledge each (the items of one claim concurrently) until none is
 * left. Baseline: single-row raw INSERTs of the same rows by 16 writers. Rates in items/s.
 */
const outbox = async (t: Target, n: number, slices: number) => {
  const S = `"${t.schema}"`
  const p = fresh()
  const perCall = 2
  let now = 1
  return compare(
    n,
    slices,
    (from, to) =>
      timed(from, to, writers, (i) =>
        t.raw(
          `INSERT INTO ${S}.raw_outbox (call_id, seq, kind, payload, due_at) VALUES ($1, $2, $3, $4, $5)`,
          [
            `${p}-${Math.floor(i / perCall)}`,
            (i % perCall) + 1,
            'callback',
            JSON.stringify(payload(i)),
            0,
          ],
          'bench_raw_outbox',
        ),
      ),
    async (from, to) => {
      for (let c = from / perCall; c < to / perCall; c++)
        await run(
          t.store.events.append({
            callId: `${p}-${c}` as CallId,
            expectedVersion: 0,
            events: [{ type: 'E', at: 0, payload: null }],
            outbox: Array.from({ length: perCall }, (_, k) => ({
              kind: 'callback',
              payload: payload(c * perCall + k),
              dueAt: 0,
            })),
          }),
        )
      const want = to - from
      let done = 0
      const t0 = performance.now()
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          let idle = 0
          while (done < want && idle < 1000) {
            const items = await run(
              t.store.outbox.claim({ owner: `w${w}`, limit: 16, leaseMs: 600_000, now: now++ }),
            )
            idle = items.length === 0 ? idle + 1 : 0
            // A worker acknowledges what it claimed concurrently (as a worker delivering its
            // items concurrently does), so the store can group the acknowledgements.
            await Promise.all(items.map((item) => run(t.store.outbox.ack(item.id, `w${w}`))))
            done += items.length
            if (items.length === 0) await new Promise((r) => setTimeout(r, 1))
          }
        }),
      )
      if (done !== want) throw new Error(`outbox drained ${done} of ${want}`)
      return performance.now() - t0
    },
  )
}

const pgliteTarget = async (name: string, dataDir: string | undefined): Promise<Target> => {
  const db = await PGlite.create(dataDir === undefined ? {} : { dataDir })
  const schema = 'bench'
  const store = await run(PgliteStore.fromClient(db, { schema, ...knobs }))
  await db.exec(rawTables(`"${schema}"`))
  return {
    name,
    store,
    schema,
    scale: 1,
    raw: (text, params) => db.query(text, params as unknown[]),
    close: async () => {
      await run(store.close())
      await db.close()
    },
  }
}

const postgresTarget = async (databaseUrl: string): Promise<Target> => {
  const schema = `store_bench_${randomBytes(5).toString('hex')}`
  const store = await PostgresStore.open({ databaseUrl, schema, poolSize: writers, ...knobs })
  const pool = new pg.Pool({ connectionString: databaseUrl, max: writers })
  pool.on('error', () => undefined)
  await pool.query(rawTables(`"${schema}"`))
  return {
    name: 'postgres',
    store,
    schema,
    scale: 2,
    raw: (text, params, statement) =>
      pool.query(
        statement === undefined
          ? { text, values: params as unknown[] }
          : { text, values: params as unknown[], name: `${statement}_${schema}` },
      ),
    close: async () => {
      await run(store.close())
      await pool.query(`DROP SCHEMA "${schema}" CASCADE`)
      await pool.end()
    },
  }
}

const reachable = async (url: string) => {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  c.on('error', () => undefined)
  try {
    await c.connect()
    await c.end()
    return true
  } catch {
    return false
  }
}

const ratio = (r: { raw: number; store: number }) => ({ ...r, ratio: r.store / r.raw })

const main = async () => {
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const dir = mkdtempSync(join(tmpdir(), 'store-bench-'))
  const targets: Array<() => Promise<Target>> = [
    () => pgliteTarget('pglite-memory', undefined),
    () => pgliteTarget('pglite-disk', join(dir, 'data')),
  ]
  if (await reachable(databaseUrl)) targets.push(() => postgresTarget(databaseUrl))
  else
    console.warn(
      `NOTICE: PostgreSQL at ${databaseUrl} does not answer; PostgreSQL figures skipped.`,
    )

  const metrics: Record<string, number> = {}
  const table: string[][] = []
  const fmt = (x: number) => Math.round(x).toLocaleString('en-US')
  try {
    for (const open of targets) {
      const t = await open()
      try {
        // Warm up both paths (JIT, plans, caches), then measure in alternating slices.
        await singles(t, 200, 2)
        await batches(t, 16, 2)
        await outbox(t, 128, 2)
        const s = ratio(await singles(t, 3000 * t.scale, 10))
        const b = ratio(await batches(t, 80 * t.scale, 8))
        const o = ratio(await outbox(t, 2400 * t.scale, 6))
        for (const [what, unit, r] of [
          ['append 1 event x16 writers', 'events/s', s],
          ['append batch of 100', 'events/s', b],
          ['outbox claim+ack', 'items/s', o],
        ] as const) {
          table.push([t.name, what, unit, fmt(r.store), fmt(r.raw), r.ratio.toFixed(2)])
        }
        const key = t.name.replace('-', '_')
        metrics[`${key}_append_single_per_s`] = Math.round(s.store)
        metrics[`${key}_raw_single_per_s`] = Math.round(s.raw)
        metrics[`${key}_append_single_ratio`] = Number(s.ratio.toFixed(3))
        metrics[`${key}_append_batch100_events_per_s`] = Math.round(b.store)
        metrics[`${key}_raw_batch100_events_per_s`] = Math.round(b.raw)
        metrics[`${key}_append_batch100_ratio`] = Number(b.ratio.toFixed(3))
        metrics[`${key}_outbox_claim_ack_per_s`] = Math.round(o.store)
        metrics[`${key}_raw_outbox_insert_per_s`] = Math.round(o.raw)
        metrics[`${key}_outbox_claim_ack_ratio`] = Number(o.ratio.toFixed(3))
      } finally {
        await t.close()
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  const head = ['target', 'measure', 'unit', 'store', 'raw INSERT', 'ratio']
  const widths = head.map((h, i) => Math.max(h.length, ...table.map((r) => (r[i] ?? '').length)))
  const line = (r: ReadonlyArray<string>) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')
  console.log(line(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const r of table) console.log(line(r))
  console.log(JSON.stringify({ bench: 'store', metrics }))
}

await main()
