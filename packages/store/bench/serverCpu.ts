/**
 * Diagnostic (not a target): PostgreSQL backend CPU per append when appends go through group
 * commit, for the request shapes the services send. Each round issues `BATCH` appends to
 * distinct calls at once (the first goes alone, the others as one `append_batch`); the CPU of
 * the store's backends comes from /proc/<pid>/stat (server on this machine), the client's from
 * process.cpuUsage.
 *
 *   tsx bench/serverCpu.ts           (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test)
 *   BATCH=64 ROUNDS=150 SHAPE=ingest tsx bench/serverCpu.ts   (shapes: ingest, service, service+key, events100)
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { Effect } from 'effect'
import pg from 'pg'
import type { AppendRequest, CallId } from '../src/index.js'
import { PostgresStore } from '../src/index.js'

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const BATCH = Number(process.env.BATCH ?? 64)
const ROUNDS = Number(process.env.ROUNDS ?? 150)
const CALLS = BATCH * 4

const ticks = (pids: ReadonlyArray<string>) => {
  let t = 0
  for (const pid of pids) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      t += Number(f[11]) + Number(f[12])
    } catch {
      // gone
    }
  }
  return t
}

const entry = (c: number, k: number) => ({
  kind: 'callback',
  id: `evt-${c}-${k}-${randomBytes(6).toString('hex')}`,
  time: '2025-03-21T17:22:31.000Z',
  ms: 1742577751000 + k,
  call: { callConnectionId: `call-${c}`, serverCallId: `server-${c}`, correlationId: `corr-${c}` },
  event: {
    _tag: 'PlayCompleted',
    at: 1742577751000 + k,
    operationContext: `ctx-${k}`,
    resultInformation: { code: 200, subCode: 0, message: 'Action completed successfully.' },
  },
})

type Shape = (call: string, c: number, version: number, k: number) => AppendRequest

const shapes: Record<string, Shape> = {
  // webhook ingestion: one callback, its CloudEvent id as inbox id
  ingest: (call, c, version, k) => {
    const e = entry(c, k)
    return {
      callId: call as CallId,
      expectedVersion: version,
      events: [{ type: 'PlayCompleted', at: e.ms, payload: e }],
      inboxIds: [e.id],
    }
  },
  // the service: a decision's events, two callbacks, the call's next deadline
  service: (call, c, version, k) => ({
    callId: call as CallId,
    expectedVersion: version,
    events: [0, 1, 2].map((j) => ({ type: 'Decided', at: 1000 + k, payload: entry(c, k * 3 + j) })),
    outbox: [0, 1].map((j) => ({
      kind: 'callback',
      payload: entry(c, k * 2 + j),
      dueAt: 1000 + k,
    })),
    timer: 60_000 + k,
  }),
  // the same with an idempotency record (a Repeatability-Request-ID)
  'service+key': (call, c, version, k) => ({
    ...shapes.service!(call, c, version, k),
    idempotency: {
      key: `key-${call}-${k}-${randomBytes(4).toString('hex')}`,
      requestHash: 'h'.repeat(64),
      response: { status: 200, body: { ok: true, k } },
      at: 1000 + k,
    },
  }),
  // a large append (100 events, about 20 KB): sent alone, with the single-append statement
  events100: (call, _c, version, k) => ({
    callId: call as CallId,
    expectedVersion: version,
    events: Array.from({ length: 100 }, (_, j) => ({
      type: 'DtmfToneReceived',
      at: k + j,
      payload: { operationContext: `ctx-${j}`, tones: ['one', 'two', 'pound'], sequenceId: k + j },
    })),
  }),
}

const measure = async (name: string, shape: Shape) => {
  const schema = `store_cpu_${randomBytes(5).toString('hex')}`
  const store = await PostgresStore.open({ databaseUrl, schema, poolSize: 4 })
  const admin = new pg.Client({ connectionString: databaseUrl })
  await admin.connect()
  try {
    const versions = new Array<number>(CALLS).fill(0)
    let next = 0
    const round = () =>
      Promise.all(
        Array.from({ length: BATCH }, () => {
          const c = next++ % CALLS
          const v = versions[c] as number
          const r = shape(`call-${schema}-${c}`, c, v, v + 1)
          versions[c] = v + r.events.length
          return Effect.runPromise(store.events.append(r))
        }),
      )
    // new calls first (their first append inserts the calls row), then warm up
    for (let i = 0; i < 8; i++) await round()
    const pids = (
      await admin.query<{ pid: number }>(
        'SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND position($1 in query) > 0',
        [schema],
      )
    ).rows.map((r) => String(r.pid))
    const t0 = ticks(pids)
    const c0 = process.cpuUsage()
    const w0 = performance.now()
    for (let i = 0; i < ROUNDS; i++) await round()
    const wall = performance.now() - w0
    const c = process.cpuUsage(c0)
    const n = ROUNDS * BATCH
    const server = ((ticks(pids) - t0) * 10_000) / n
    console.log(
      JSON.stringify({
        shape: name,
        batch: BATCH,
        appends: n,
        serverCpuUsPerAppend: Math.round(server),
        clientCpuUsPerAppend: Math.round((c.user + c.system) / n),
        ...(name === 'events100' ? { serverCpuUsPerEvent: Math.round(server / 100) } : {}),
        appendsPerSecond: Math.round(n / (wall / 1000)),
      }),
    )
  } finally {
    await Effect.runPromise(store.close())
    await admin.query(`DROP SCHEMA "${schema}" CASCADE`)
    await admin.end()
  }
}

const only = process.env.SHAPE
for (const [name, shape] of Object.entries(shapes))
  if (only === undefined || only === name) await measure(name, shape)
