/**
 * Webhooks benchmark.
 *
 * Delivery: 1,000 concurrent calls, 5 callbacks each committed to a memory store, delivered by
 * the worker (a fresh RS256 token per POST signed on its pool of threads, ordered per call,
 * keep-alive) to a local receiver; throughput against a bare loop POSTing the same bodies with
 * keep-alive at the same concurrency (no store, no signing), in the same run. Also: the same
 * with the tokens signed on the worker's own thread (`signingThreads: 0`) and, opt-in and
 * reported apart, with a token reused for 1 s.
 * Signing capacity, measured in the same run: RS256 signatures per second on one thread and on
 * the pool, and two ceilings of the ratio to the bare loop that a fresh token per event allows
 * (the pool's signatures/s over the bare rate; the cores over the bare loop's CPU per event
 * plus one signature's).
 * Latency from commit to receipt (p50, p99): the same 1,000 calls each committing one callback
 * per second (random phase), 1,000 events/s, for 5 s after a 1 s warm-up.
 * Ingestion: verify (a distinct RS256 token per POST), decode, deduplicate, persist, fold, on
 * PGlite (in memory) and PostgreSQL; 500 calls x 10 callbacks, each call's POSTs one after the
 * other, 256 calls in flight (BENCH_INGEST_IN_FLIGHT), pool of 20 connections (BENCH_POOL);
 * CPU per event of this process and of the PostgreSQL backends serving the store. Two ways:
 * Web Requests (built before the timed part) given to `handle`, and POSTs from a sender process
 * (bench/Sender.ts) over keep-alive connections to `nodeListener(handle)`, the sender's CPU
 * reported apart. Each after a warm-up pass of 50 other calls on the same store.
 */
import http from 'node:http'
import fs from 'node:fs'
import os from 'node:os'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { fork } from 'node:child_process'
import { Effect, Layer, ManagedRuntime, Runtime } from 'effect'
import pg from 'pg'
import { CallbackItem, Wakeup } from '@switchboard/runtime'
import {
  EventStore,
  MemoryStore,
  PgliteStore,
  PostgresStore,
  type StoreService,
} from '@switchboard/store'
import { Callbacks } from '@switchboard/wire'
import * as Delivery from '../src/Delivery.js'
import * as HttpClient from '../src/HttpClient.js'
import * as Ingestion from '../src/Ingestion.js'
import * as Keys from '../src/Keys.js'
import * as Signer from '../src/Signer.js'
import * as Token from '../src/Token.js'
import * as Verifier from '../src/Verifier.js'
import type * as Sender from './Sender.js'
import { commit, item } from '../test/Items.js'
import { reachable } from '../test/Postgres.js'

const CALLS = 1_000
const PER_CALL = 5
const CONCURRENCY = 256

const percentile = (xs: ReadonlyArray<number>, p: number): number => {
  if (xs.length === 0) return Number.NaN
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d

/** A rate and the CPU the process (every thread) spent per event meanwhile (µs). */
interface Rate {
  readonly perSecond: number
  readonly cpuUs: number
}
const cpuSince = (c0: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(c0)
  return c.user + c.system
}

interface Sink {
  readonly url: string
  count: number
  onEvent: ((id: string) => void) | null
  close(): Promise<void>
}

const sink = async (): Promise<Sink> => {
  const s: Sink = {
    url: '',
    count: 0,
    onEvent: null,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      s.count++
      if (s.onEvent !== null) {
        const text = Buffer.concat(chunks).toString()
        const m = /"id":"([^"]+)"/.exec(text)
        if (m) s.onEvent(m[1]!)
      }
      res.statusCode = 204
      res.end()
    })
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  ;(s as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return s
}

const until = async (done: () => boolean, ms = 120_000) => {
  const end = Date.now() + ms
  while (!done()) {
    if (Date.now() > end) throw new Error('benchmark timed out')
    // a timer, not setImmediate: a spinning main thread would take a core from the worker's
    // signing threads
    await new Promise((r) => setTimeout(r, 1))
  }
}

// ------------------------------------------------------------------ delivery

const bodyOf = (c: number, k: number, url: string) =>
  Callbacks.encodeBatch([
    Callbacks.toCloudEvent(CallbackItem.toNotify(item(c, k, url, Date.now())), {
      id: `evt-${c}-${k}`,
    }),
  ])

/** The bare loop: POST the same bodies with keep-alive, `CONCURRENCY` in flight, no store, no signing. */
const bare = async (s: Sink): Promise<Rate> => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY })
  const bodies: Array<string> = []
  for (let k = 1; k <= PER_CALL; k++)
    for (let c = 0; c < CALLS; c++) bodies.push(bodyOf(c, k, `${s.url}/cb`))
  const post = (body: string) =>
    new Promise<void>((resolve, reject) => {
      const req = http.request(
        `${s.url}/cb`,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          res.resume()
          res.on('end', resolve)
        },
      )
      req.on('error', reject)
      req.end(body)
    })
  let next = 0
  const c0 = process.cpuUsage()
  const start = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) await post(bodies[next++]!)
    }),
  )
  const seconds = (performance.now() - start) / 1000
  const cpu = cpuSince(c0)
  agent.destroy()
  return { perSecond: bodies.length / seconds, cpuUs: cpu / bodies.length }
}

/**
 * RS256 signing capacity in this run: one thread signing in a loop (the cost of one token), and
 * the pool the worker uses by default (`Signer.defaultThreads()` threads) signing a burst.
 */
const signing = async () => {
  const keys = await Effect.runPromise(Keys.make({ issuer: 'http://switchboard.bench' }))
  const key = await Effect.runPromise(keys.current)
  const claims = () => ({ issuer: keys.issuer, audience: 'bench', now: Date.now() })
  for (let i = 0; i < 200; i++) Token.mint(key, claims())
  let n = 0
  const c0 = process.cpuUsage()
  const start = performance.now()
  while (performance.now() - start < 1_000) {
    Token.mint(key, claims())
    n++
  }
  const one: Rate = {
    perSecond: n / ((performance.now() - start) / 1000),
    cpuUs: cpuSince(c0) / n,
  }
  const pool = Signer.pool()
  await Promise.all(Array.from({ length: 200 }, () => pool.mint(key, claims())))
  const N = 4_000
  const p0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(Array.from({ length: N }, () => pool.mint(key, claims())))
  const all: Rate = { perSecond: N / ((performance.now() - t0) / 1000), cpuUs: cpuSince(p0) / N }
  await pool.close()
  return { one, pool: all, threads: pool.threads }
}

const deliveryWorld = (options: Delivery.Options) =>
  ManagedRuntime.make(
    Layer.provideMerge(
      Delivery.layerWith({ concurrency: CONCURRENCY, pollIntervalMs: 100, ...options }),
      Layer.mergeAll(
        MemoryStore.layer(),
        Wakeup.layer,
        Keys.layer({ issuer: 'http://switchboard.bench' }),
        HttpClient.layer({ maxSockets: CONCURRENCY }),
      ),
    ),
  )

/** Throughput: everything committed first, then drained. */
const deliveryThroughput = async (s: Sink, options: Delivery.Options): Promise<Rate> => {
  const rt = deliveryWorld({ ...options, pollIntervalMs: 60_000 })
  await rt.runPromise(
    Effect.gen(function* () {
      const events = yield* EventStore
      for (let c = 0; c < CALLS; c++)
        yield* commit(
          events,
          Array.from({ length: PER_CALL }, (_, k) => item(c, k + 1, `${s.url}/cb`, Date.now())),
          Date.now(),
        )
    }),
  )
  // the signing threads start with the worker: let them come up before the clock starts
  await new Promise((r) => setTimeout(r, 200))
  const base = s.count
  const c0 = process.cpuUsage()
  const start = performance.now()
  await rt.runPromise(Effect.flatMap(Wakeup.Wakeup, (w) => w.wake))
  await until(() => s.count - base >= CALLS * PER_CALL)
  const rate: Rate = {
    perSecond: (CALLS * PER_CALL) / ((performance.now() - start) / 1000),
    cpuUs: cpuSince(c0) / (CALLS * PER_CALL),
  }
  await rt.dispose()
  return rate
}

/** Latency: each call commits one callback a second (random phase), for `seconds`. */
let rounds = 0
const deliveryLatency = async (s: Sink, options: Delivery.Options, seconds = 5) => {
  const phase = ++rounds
  const rt = deliveryWorld(options)
  const committedAt = new Map<string, number>()
  const latencies: Array<number> = []
  let warm = Number.POSITIVE_INFINITY
  let received = 0
  s.onEvent = (id) => {
    const t = committedAt.get(id)
    if (t === undefined) return
    received++
    // the first second warms up (JIT, connections) and is not counted
    if (t >= warm) latencies.push(performance.now() - t)
  }
  const runtime = await rt.runtime()
  const events = await rt.runPromise(EventStore)
  const wakeup = await rt.runPromise(Wakeup.Wakeup)
  let sent = 0
  const timers: Array<NodeJS.Timeout> = []
  const c0 = process.cpuUsage()
  const start = performance.now()
  warm = start + 1_000
  for (let c = 0; c < CALLS; c++) {
    let k = 0
    const fire = () => {
      k++
      if (k > seconds + 1) return
      const it = item(c + 10_000 * phase, k, `${s.url}/cb`, Date.now())
      committedAt.set(it.eventId, performance.now())
      sent++
      void Runtime.runPromise(runtime)(
        Effect.zipRight(commit(events, [it], Date.now()), wakeup.wake),
      )
      timers.push(setTimeout(fire, 1_000))
    }
    timers.push(setTimeout(fire, Math.random() * 1_000))
  }
  await until(() => performance.now() - start > seconds * 1_000 + 2_000 && received >= sent)
  const cpuUs = cpuSince(c0) / sent
  for (const t of timers) clearTimeout(t)
  s.onEvent = null
  await rt.dispose()
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    events: latencies.length,
    /** CPU of the whole process (commits, worker, signing threads, receiver) per event, µs. */
    cpuUs,
  }
}

// ------------------------------------------------------------------ ingestion

const ING_CALLS = 500
const ING_PER_CALL = 10
const INGEST_IN_FLIGHT = Number(process.env.BENCH_INGEST_IN_FLIGHT ?? 256)
const POOL = Number(process.env.BENCH_POOL ?? 20)

/** Calls `from` … `from + calls - 1`, `ING_PER_CALL` callbacks each, one per body. */
const ingestionBodies = (from: number, calls: number) => {
  const bodies: Array<Array<string>> = []
  for (let c = from; c < from + calls; c++) {
    const list: Array<string> = []
    for (let k = 1; k <= ING_PER_CALL; k++) {
      const it = item(c, k, 'http://app/cb', Date.parse('2025-03-21T17:22:31Z') + k * 1000)
      list.push(
        Callbacks.encodeBatch([
          Callbacks.toCloudEvent(CallbackItem.toNotify(it), { id: `ing-${c}-${k}` }),
        ]),
      )
    }
    bodies.push(list)
  }
  return bodies
}

/**
 * How the POSTs reach the handler: `handle`, Web Requests built before the timed part and given
 * to `handle` in this process; `http`, a sender process POSTing over keep-alive connections to
 * `nodeListener(handle)` (as ACS, another machine, does; its CPU is reported apart).
 */
type Driver = 'handle' | 'http'

interface IngestionRate extends Rate {
  readonly serverCpuUs: number | null
  /** The sender process's CPU per event (µs), for `http`. */
  readonly senderCpuUs: number | null
}

/** The table rows of one way of driving ingestion, on PGlite and on PostgreSQL (null: skipped). */
const ingestionRows = (
  unit: string,
  label: string,
  pglite: IngestionRate,
  postgres: IngestionRate | null,
): Array<[string, string]> => [
  [`${label} PGlite ${unit}`, round(pglite.perSecond, 0).toString()],
  ['  CPU per event: this process, PGlite included (µs)', round(pglite.cpuUs, 0).toString()],
  [
    `${label} PostgreSQL ${unit}`,
    postgres === null ? 'skipped' : round(postgres.perSecond, 0).toString(),
  ],
  [
    '  CPU per event: this process (µs)',
    postgres === null ? '-' : round(postgres.cpuUs, 0).toString(),
  ],
  [
    '  CPU per event: PostgreSQL backends (µs)',
    postgres?.serverCpuUs == null ? '-' : round(postgres.serverCpuUs, 0).toString(),
  ],
]

/** Starts the sender process and hands it the job (before the timed part). */
const startSender = async (job: Sender.Job) => {
  const child = fork(new URL('./Sender.ts', import.meta.url), {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  const message = <A>(pick: (m: unknown) => A | undefined) =>
    new Promise<A>((resolve, reject) => {
      const on = (m: unknown) => {
        const a = pick(m)
        if (a === undefined) return
        child.off('message', on)
        child.off('exit', exit)
        resolve(a)
      }
      const exit = (code: number | null) => reject(new Error(`sender exited (${code})`))
      child.on('message', on)
      child.on('exit', exit)
    })
  const ready = message((m) => (m === 'ready' ? true : undefined))
  child.send({ job })
  await ready
  return {
    go: async (): Promise<Sender.Result> => {
      const done = message(
        (m) => (m as { result?: Sender.Result; error?: string } | null) ?? undefined,
      )
      child.send({ go: true })
      const r = (await done) as { result?: Sender.Result; error?: string }
      if (r.result === undefined) throw new Error(`sender failed: ${r.error}`)
      return r.result
    },
    stop: () => child.disconnect(),
  }
}

/** The POSTs of a run: per call, its bodies in order, and a distinct token per POST. */
interface Load {
  readonly tokens: ReadonlyArray<string>
  readonly bodies: ReadonlyArray<ReadonlyArray<string>>
}

/** One timed pass of `load` through `driver`: its rate and the CPU spent meanwhile. */
const pass = async (
  ingestion: Ingestion.Ingestion,
  load: Load,
  driver: Driver,
  backends?: () => Promise<ReadonlySet<string>>,
): Promise<IngestionRate> => {
  const total = load.bodies.reduce((n, list) => n + list.length, 0)
  let t = 0
  const token = () => load.tokens[t++ % load.tokens.length]!
  // Prepared before the timed part: what the sender does. `handle`: the Requests (what ACS
  // and a framework's HTTP server hand the handler); `http`: the sender process and its job
  let go: () => Promise<{ readonly failures: number; readonly senderCpuUs: number | null }>
  let stop = async () => {}
  if (driver === 'handle') {
    const requests = load.bodies.map((list) =>
      list.map(
        (body) =>
          new Request('http://app/cb', {
            method: 'POST',
            headers: { authorization: `Bearer ${token()}` },
            body,
          }),
      ),
    )
    go = async () => {
      let nextCall = 0
      let failures = 0
      await Promise.all(
        Array.from({ length: INGEST_IN_FLIGHT }, async () => {
          while (nextCall < requests.length) {
            const list = requests[nextCall++]!
            for (const request of list) {
              const res = await ingestion.handle(request)
              if (res.status !== 200) failures++
            }
          }
        }),
      )
      return { failures, senderCpuUs: null }
    }
  } else {
    const server = http.createServer(Ingestion.nodeListener(ingestion.handle))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const sender = await startSender({
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`,
      inFlight: INGEST_IN_FLIGHT,
      calls: load.bodies.map((list) => list.map((body) => [body, token()] as const)),
    })
    go = async () => {
      const r = await sender.go()
      if (r.failures > 0) console.error('ingestion over HTTP:', JSON.stringify(r.statuses))
      return { failures: r.failures, senderCpuUs: r.cpuUs / total }
    }
    stop = async () => {
      sender.stop()
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  }
  try {
    const pg0 = postgresTicks()
    const cpu0 = process.cpuUsage()
    const start = performance.now()
    const r = await go()
    const perSecond = total / ((performance.now() - start) / 1000)
    const cpuUs = cpuSince(cpu0) / total
    const serverCpuUs =
      backends === undefined ? null : (1000 * postgresCpuMs(pg0, await backends())) / total
    if (r.failures > 0) throw new Error(`ingestion failed (${r.failures} POSTs)`)
    return { perSecond, cpuUs, serverCpuUs, senderCpuUs: r.senderCpuUs }
  } finally {
    await stop()
  }
}

/**
 * Ingestion on `store` through `driver`: a warm-up pass (other calls, other tokens: the code
 * compiled, the store's connections open) and then the timed pass.
 */
const ingestionRate = async (
  store: StoreService,
  keys: Keys.KeysService,
  warm: Load,
  load: Load,
  driver: Driver,
  /** The server processes (pids) serving this store, for their CPU time (PostgreSQL). */
  backends?: () => Promise<ReadonlySet<string>>,
): Promise<IngestionRate> => {
  const fetch = async (url: string) =>
    url.endsWith('/calling/keys')
      ? Response.json({ keys: await Effect.runPromise(keys.published) })
      : Response.json(Keys.openIdConfiguration(keys))
  const ingestion = await Ingestion.open(store, {
    verifier: Verifier.make({ issuer: keys.issuer, audience: 'bench', fetch }),
  })
  await pass(ingestion, warm, driver)
  const r = await pass(ingestion, load, driver, backends)
  const v = await ingestion.view('call-0')
  if (v?.callbacks !== ING_PER_CALL) throw new Error(`ingestion failed (call-0: ${v?.callbacks})`)
  return r
}

/** CPU ticks (1/100 s) per live postgres process (Linux, server on this machine). */
const postgresTicks = (): Map<string, number> => {
  const out = new Map<string, number>()
  try {
    for (const pid of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
        if (!stat.includes('(postgres)')) continue
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        out.set(pid, Number(f[11]) + Number(f[12]))
      } catch {
        // gone
      }
    }
  } catch {
    // no /proc
  }
  return out
}
/** CPU (ms) the given server processes spent since `before`. */
const postgresCpuMs = (before: Map<string, number>, pids: ReadonlySet<string>) => {
  let ticks = 0
  for (const [pid, t] of postgresTicks()) if (pids.has(pid)) ticks += t - (before.get(pid) ?? 0)
  return ticks * 10
}

/** The backends whose last statement named the schema: the store's pool (not other suites'). */
const backendsOf = (databaseUrl: string, schema: string) => async () => {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    const r = await client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND position($1 in query) > 0',
      [schema],
    )
    return new Set(r.rows.map((x) => String(x.pid)))
  } finally {
    await client.end()
  }
}

// ------------------------------------------------------------------ main

const postgresRun = async (keys: Keys.KeysService, warm: Load, load: Load, driver: Driver) => {
  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  if (!(await reachable(databaseUrl, 2_000))) {
    console.log(`NOTICE: PostgreSQL at ${databaseUrl} does not answer; PostgreSQL figures skipped.`)
    return null
  }
  const schema = `webhooks_bench_${randomBytes(5).toString('hex')}`
  const store = await PostgresStore.open({ databaseUrl, schema, poolSize: POOL })
  try {
    return await ingestionRate(store, keys, warm, load, driver, backendsOf(databaseUrl, schema))
  } finally {
    await Effect.runPromise(store.close())
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    await client.query(`DROP SCHEMA "${schema}" CASCADE`)
    await client.end()
  }
}

const pgliteRun = async (keys: Keys.KeysService, warm: Load, load: Load, driver: Driver) => {
  const pglite = await PgliteStore.open()
  try {
    return await ingestionRate(pglite, keys, warm, load, driver)
  } finally {
    await Effect.runPromise(pglite.close())
  }
}

const ingestionSetup = async () => {
  const keys = await Effect.runPromise(Keys.make({ issuer: 'http://switchboard.bench' }))
  const key = await Effect.runPromise(keys.current)
  // a distinct token per POST, as ACS sends (each is verified once)
  const tokens = (n: number) =>
    Array.from({ length: n }, () =>
      Token.mint(key, { issuer: keys.issuer, audience: 'bench', now: Date.now() }),
    )
  const warmCalls = ING_CALLS / 10
  const warm: Load = {
    tokens: tokens(warmCalls * ING_PER_CALL),
    bodies: ingestionBodies(ING_CALLS, warmCalls),
  }
  const load: Load = {
    tokens: tokens(ING_CALLS * ING_PER_CALL),
    bodies: ingestionBodies(0, ING_CALLS),
  }
  return { keys, warm, load }
}

const main = async () => {
  const only = process.env.BENCH_ONLY
  if (only === 'delivery') {
    const s0 = await sink()
    console.log('bare', await bare(s0))
    console.log('signing', await signing())
    if (process.env.BENCH_STRICT !== '0') console.log('fresh', await deliveryThroughput(s0, {}))
    console.log('reuse', await deliveryThroughput(s0, { tokenReuseMs: 1000 }))
    await s0.close()
    return
  }
  if (only === 'latency') {
    const s0 = await sink()
    const extra = JSON.parse(process.env.BENCH_OPTIONS ?? '{}') as Delivery.Options
    if (process.env.BENCH_STRICT !== '0')
      console.log('fresh', await deliveryLatency(s0, { ...extra }))
    console.log('reuse', await deliveryLatency(s0, { tokenReuseMs: 1000, ...extra }))
    await s0.close()
    return
  }
  if (only === 'ingestion') {
    const { keys, warm, load } = await ingestionSetup()
    const drivers: ReadonlyArray<Driver> =
      process.env.BENCH_INGEST_DRIVER === 'handle' || process.env.BENCH_INGEST_DRIVER === 'http'
        ? [process.env.BENCH_INGEST_DRIVER]
        : ['handle', 'http']
    for (const driver of drivers) {
      if (process.env.BENCH_POSTGRES_ONLY === undefined) {
        console.log(
          `memory, ${driver}`,
          await ingestionRate(MemoryStore.open(), keys, warm, load, driver),
        )
        console.log(`pglite, ${driver}`, await pgliteRun(keys, warm, load, driver))
      }
      console.log(`postgres, ${driver}`, await postgresRun(keys, warm, load, driver))
    }
    return
  }

  const cores = os.availableParallelism()
  const s = await sink()
  const bare1 = await bare(s)
  const sign = await signing()
  const fresh = await deliveryThroughput(s, {})
  const inlineSigning = await deliveryThroughput(s, { signingThreads: 0 })
  const reuse = await deliveryThroughput(s, { tokenReuseMs: 1_000 })
  const bare2 = await bare(s)
  const baseline = (bare1.perSecond + bare2.perSecond) / 2
  const bareCpuUs = (bare1.cpuUs + bare2.cpuUs) / 2
  const latency = await deliveryLatency(s, {})
  const latencyReuse = await deliveryLatency(s, { tokenReuseMs: 1_000 })
  await s.close()

  // What a fresh RS256 token per event allows on this machine, measured in this run:
  // - signing alone: the pool's signatures per second (all threads, nothing else to do);
  // - CPU: every delivery costs at least the bare loop's CPU per event (client and receiver,
  //   same process) plus one signature; the cores cannot do more than that in a second.
  const signingCeiling = sign.pool.perSecond / baseline
  const cpuCeilingRate = Math.min(baseline, (cores * 1e6) / (bareCpuUs + sign.one.cpuUs))
  const cpuCeiling = cpuCeilingRate / baseline

  const ing = await ingestionSetup()
  const pgliteRate = await pgliteRun(ing.keys, ing.warm, ing.load, 'handle')
  const postgres = await postgresRun(ing.keys, ing.warm, ing.load, 'handle')
  const pgliteHttp = await pgliteRun(ing.keys, ing.warm, ing.load, 'http')
  const postgresHttp = await postgresRun(ing.keys, ing.warm, ing.load, 'http')
  const load = os.loadavg()[0]!

  const rows: Array<[string, string]> = [
    [`cores (availableParallelism), 1-minute load average`, `${cores}, ${round(load, 2)}`],
    ['bare keep-alive loop (events/s)', round(baseline, 0).toString()],
    ['  CPU per event (µs)', round(bareCpuUs, 0).toString()],
    ['RS256 signatures/s, one thread', round(sign.one.perSecond, 0).toString()],
    ['  CPU per signature (µs)', round(sign.one.cpuUs, 0).toString()],
    [
      `RS256 signatures/s, pool of ${sign.threads} threads`,
      round(sign.pool.perSecond, 0).toString(),
    ],
    ['ceiling, fresh tokens: signing alone / bare', round(signingCeiling, 3).toString()],
    ['ceiling, fresh tokens: CPU (bare + 1 signature) / bare', round(cpuCeiling, 3).toString()],
    ['delivery, fresh token per POST (events/s)', round(fresh.perSecond, 0).toString()],
    ['  ratio to bare loop', round(fresh.perSecond / baseline, 3).toString()],
    ['  CPU per event, all threads (µs)', round(fresh.cpuUs, 0).toString()],
    [
      '  same, signed on the worker thread (signingThreads: 0)',
      round(inlineSigning.perSecond, 0).toString(),
    ],
    ['    ratio to bare loop', round(inlineSigning.perSecond / baseline, 3).toString()],
    ['delivery, token reused for 1 s (opt-in; events/s)', round(reuse.perSecond, 0).toString()],
    ['  ratio to bare loop', round(reuse.perSecond / baseline, 3).toString()],
    [`latency commit→receipt p50 (ms, ${latency.events} events)`, round(latency.p50, 2).toString()],
    ['latency commit→receipt p99 (ms)', round(latency.p99, 2).toString()],
    ['  CPU per event (µs)', round(latency.cpuUs, 0).toString()],
    ['  same, token reused for 1 s (opt-in): p50 (ms)', round(latencyReuse.p50, 2).toString()],
    ['  same, token reused for 1 s (opt-in): p99 (ms)', round(latencyReuse.p99, 2).toString()],
    ...ingestionRows(
      `(events/s, ${INGEST_IN_FLIGHT} POSTs in flight)`,
      'ingestion on',
      pgliteRate,
      postgres,
    ),
    ...ingestionRows(
      '(events/s; sender process)',
      'ingestion over node:http on',
      pgliteHttp,
      postgresHttp,
    ),
    [
      '  CPU per event: the sender process (µs, not counted above)',
      postgresHttp?.senderCpuUs == null ? '-' : round(postgresHttp.senderCpuUs, 0).toString(),
    ],
  ]
  const width = Math.max(...rows.map((r) => r[0].length))
  console.log(
    `webhooks benchmark: ${CALLS} calls x ${PER_CALL} callbacks, ${CONCURRENCY} in flight`,
  )
  for (const [k, v] of rows) console.log(`${k.padEnd(width)}  ${v}`)
  console.log(
    JSON.stringify({
      bench: 'webhooks',
      metrics: {
        cores,
        load_average_1m: round(load, 2),
        bare_events_per_s: round(baseline, 0),
        bare_cpu_us_per_event: round(bareCpuUs, 0),
        sign_per_s_one_thread: round(sign.one.perSecond, 0),
        sign_cpu_us: round(sign.one.cpuUs, 0),
        sign_per_s_pool: round(sign.pool.perSecond, 0),
        signing_threads: sign.threads,
        ceiling_ratio_signing: round(signingCeiling, 3),
        ceiling_ratio_cpu: round(cpuCeiling, 3),
        delivery_events_per_s: round(fresh.perSecond, 0),
        delivery_ratio: round(fresh.perSecond / baseline, 3),
        delivery_cpu_us_per_event: round(fresh.cpuUs, 0),
        delivery_inline_signing_events_per_s: round(inlineSigning.perSecond, 0),
        delivery_inline_signing_ratio: round(inlineSigning.perSecond / baseline, 3),
        delivery_token_reuse_events_per_s: round(reuse.perSecond, 0),
        delivery_token_reuse_ratio: round(reuse.perSecond / baseline, 3),
        latency_p50_ms: round(latency.p50, 2),
        latency_p99_ms: round(latency.p99, 2),
        latency_cpu_us_per_event: round(latency.cpuUs, 0),
        latency_token_reuse_p50_ms: round(latencyReuse.p50, 2),
        latency_token_reuse_p99_ms: round(latencyReuse.p99, 2),
        ingestion_in_flight: INGEST_IN_FLIGHT,
        ingestion_pglite_events_per_s: round(pgliteRate.perSecond, 0),
        ingestion_pglite_cpu_us_per_event: round(pgliteRate.cpuUs, 0),
        ingestion_postgres_events_per_s: postgres === null ? null : round(postgres.perSecond, 0),
        ingestion_postgres_cpu_us_per_event: postgres === null ? null : round(postgres.cpuUs, 0),
        ingestion_postgres_server_cpu_us_per_event:
          postgres?.serverCpuUs == null ? null : round(postgres.serverCpuUs, 0),
        ingestion_http_pglite_events_per_s: round(pgliteHttp.perSecond, 0),
        ingestion_http_pglite_cpu_us_per_event: round(pgliteHttp.cpuUs, 0),
        ingestion_http_postgres_events_per_s:
          postgresHttp === null ? null : round(postgresHttp.perSecond, 0),
        ingestion_http_postgres_cpu_us_per_event:
          postgresHttp === null ? null : round(postgresHttp.cpuUs, 0),
        ingestion_http_postgres_server_cpu_us_per_event:
          postgresHttp?.serverCpuUs == null ? null : round(postgresHttp.serverCpuUs, 0),
        ingestion_http_sender_cpu_us_per_event:
          postgresHttp?.senderCpuUs == null ? null : round(postgresHttp.senderCpuUs, 0),
      },
    }),
  )
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e)
    process.exit(1)
  },
)
