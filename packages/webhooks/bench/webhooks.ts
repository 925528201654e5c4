/**
 * Webhooks benchmark.
 *
 * Delivery: 1,000 concurrent calls, 5 callbacks each committed to a memory store, delivered by
 * the worker (signed, ordered per call, keep-alive) to a local receiver; throughput against a
 * bare loop POSTing the same bodies with keep-alive at the same concurrency, in the same run.
 * Latency from commit to receipt (p50, p99): the same 1,000 calls each committing one callback
 * per second (random phase), 1,000 events/s, for 5 s after a 1 s warm-up.
 * Ingestion: verify (a distinct RS256 token per POST), decode, deduplicate, persist, fold, on
 * PGlite (in memory) and PostgreSQL, 64 POSTs in flight.
 */
import http from 'node:http'
import os from 'node:os'
import type { AddressInfo } from 'node:net'
import { randomBytes } from 'node:crypto'
import { Effect, Layer, ManagedRuntime } from 'effect'
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
import * as Token from '../src/Token.js'
import * as Verifier from '../src/Verifier.js'
import { commit, item } from '../test/Items.js'

const CALLS = 1_000
const PER_CALL = 5
const CONCURRENCY = 256

const percentile = (xs: ReadonlyArray<number>, p: number): number => {
  if (xs.length === 0) return Number.NaN
  const sorted = [...xs].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!
}
const round = (x: number, d = 1) => Math.round(x * 10 ** d) / 10 ** d

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
    await new Promise((r) => setImmediate(r))
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
const bare = async (s: Sink): Promise<number> => {
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
  const start = performance.now()
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < bodies.length) await post(bodies[next++]!)
    }),
  )
  const seconds = (performance.now() - start) / 1000
  agent.destroy()
  return bodies.length / seconds
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
const deliveryThroughput = async (s: Sink, options: Delivery.Options) => {
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
  const base = s.count
  const start = performance.now()
  await rt.runPromise(Effect.flatMap(Wakeup.Wakeup, (w) => w.wake))
  await until(() => s.count - base >= CALLS * PER_CALL)
  const rate = (CALLS * PER_CALL) / ((performance.now() - start) / 1000)
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
      void Effect.runPromise(
        Effect.provide(
          Effect.zipRight(commit(events, [it], Date.now()), wakeup.wake),
          Layer.succeedContext(runtime.context),
        ),
      )
      timers.push(setTimeout(fire, 1_000))
    }
    timers.push(setTimeout(fire, Math.random() * 1_000))
  }
  await until(() => performance.now() - start > seconds * 1_000 + 2_000 && received >= sent)
  for (const t of timers) clearTimeout(t)
  s.onEvent = null
  await rt.dispose()
  return {
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    events: latencies.length,
  }
}

// ------------------------------------------------------------------ ingestion

const ING_CALLS = 500
const ING_PER_CALL = 10
const INGEST_IN_FLIGHT = Number(process.env.BENCH_INGEST_IN_FLIGHT ?? 64)
const POOL = Number(process.env.BENCH_POOL ?? 20)

const ingestionBodies = () => {
  const bodies: Array<Array<string>> = []
  for (let c = 0; c < ING_CALLS; c++) {
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

const ingestionRate = async (
  store: StoreService,
  keys: Keys.KeysService,
  tokens: ReadonlyArray<string>,
  bodies: ReadonlyArray<ReadonlyArray<string>>,
) => {
  const fetch = async (url: string) =>
    url.endsWith('/calling/keys')
      ? Response.json({ keys: await Effect.runPromise(keys.published) })
      : Response.json(Keys.openIdConfiguration(keys))
  const ingestion = await Ingestion.open(store, {
    verifier: Verifier.make({ issuer: keys.issuer, audience: 'bench', fetch }),
  })
  let t = 0
  let nextCall = 0
  let failures = 0
  const start = performance.now()
  await Promise.all(
    Array.from({ length: INGEST_IN_FLIGHT }, async () => {
      while (nextCall < bodies.length) {
        const list = bodies[nextCall++]!
        for (const body of list) {
          const res = await ingestion.handle(
            new Request('http://app/cb', {
              method: 'POST',
              headers: { authorization: `Bearer ${tokens[t++ % tokens.length]}` },
              body,
            }),
          )
          if (res.status !== 200) failures++
        }
      }
    }),
  )
  const total = bodies.length * bodies[0]!.length
  const rate = total / ((performance.now() - start) / 1000)
  const v = await ingestion.view('call-0')
  if (failures > 0 || v?.callbacks !== ING_PER_CALL)
    throw new Error(`ingestion failed (${failures})`)
  return rate
}

const reachable = async (url: string) => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 })
  try {
    await client.connect()
    await client.end()
    return true
  } catch {
    return false
  }
}

// ------------------------------------------------------------------ main

const main = async () => {
  if (process.env.BENCH_ONLY === 'delivery') {
    const s0 = await sink()
    console.log('bare', await bare(s0))
    if (process.env.BENCH_STRICT !== '0') console.log('strict', await deliveryThroughput(s0, {}))
    console.log('reuse', await deliveryThroughput(s0, { tokenReuseMs: 1000 }))
    await s0.close()
    return
  }
  if (process.env.BENCH_ONLY === 'ingestion') {
    const keys = await Effect.runPromise(Keys.make({ issuer: 'http://switchboard.bench' }))
    const key = await Effect.runPromise(keys.current)
    const tokens = Array.from({ length: 2000 }, () =>
      Token.mint(key, { issuer: keys.issuer, audience: 'bench', now: Date.now() }),
    )
    const bodies = ingestionBodies()
    console.log('memory', await ingestionRate(MemoryStore.open(), keys, tokens, bodies))
    if (process.env.BENCH_MEMORY_ONLY !== undefined) return
    if (process.env.BENCH_POSTGRES_ONLY !== undefined) {
      const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
      const schema = `webhooks_bench_${randomBytes(5).toString('hex')}`
      const store = await PostgresStore.open({ databaseUrl, schema, poolSize: POOL })
      console.log('postgres', await ingestionRate(store, keys, tokens, bodies))
      await Effect.runPromise(store.close())
      const client = new pg.Client({ connectionString: databaseUrl })
      await client.connect()
      await client.query(`DROP SCHEMA "${schema}" CASCADE`)
      await client.end()
      return
    }
    const pglite = await PgliteStore.open()
    console.log('pglite', await ingestionRate(pglite, keys, tokens, bodies))
    return
  }
  const s = await sink()
  const bareRate = await bare(s)
  const strict = await deliveryThroughput(s, {})
  const reuse = await deliveryThroughput(s, { tokenReuseMs: 1_000 })
  const bare2 = await bare(s)
  const baseline = (bareRate + bare2) / 2
  const latency = await deliveryLatency(s, {})
  const latencyReuse = await deliveryLatency(s, { tokenReuseMs: 1_000 })
  await s.close()

  const keys = await Effect.runPromise(Keys.make({ issuer: 'http://switchboard.bench' }))
  const key = await Effect.runPromise(keys.current)
  const tokens = Array.from({ length: ING_CALLS * ING_PER_CALL }, () =>
    Token.mint(key, { issuer: keys.issuer, audience: 'bench', now: Date.now() }),
  )
  const bodies = ingestionBodies()
  const pglite = await PgliteStore.open()
  const pgliteRate = await ingestionRate(pglite, keys, tokens, bodies)
  await Effect.runPromise(pglite.close())

  const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  let postgresRate: number | null = null
  if (await reachable(databaseUrl)) {
    const schema = `webhooks_bench_${randomBytes(5).toString('hex')}`
    const store = await PostgresStore.open({ databaseUrl, schema, poolSize: POOL })
    try {
      postgresRate = await ingestionRate(store, keys, tokens, bodies)
    } finally {
      await Effect.runPromise(store.close())
      const client = new pg.Client({ connectionString: databaseUrl })
      await client.connect()
      await client.query(`DROP SCHEMA "${schema}" CASCADE`)
      await client.end()
    }
  } else
    console.log(`NOTICE: PostgreSQL at ${databaseUrl} does not answer; PostgreSQL figures skipped.`)

  const rows: Array<[string, string]> = [
    ['bare keep-alive loop (events/s)', round(baseline, 0).toString()],
    ['delivery, fresh token per POST (events/s)', round(strict, 0).toString()],
    ['  ratio to bare loop', round(strict / baseline, 3).toString()],
    ['delivery, token reused for 1 s (events/s)', round(reuse, 0).toString()],
    ['  ratio to bare loop', round(reuse / baseline, 3).toString()],
    [`latency commit→receipt p50 (ms, ${latency.events} events)`, round(latency.p50, 2).toString()],
    ['latency commit→receipt p99 (ms)', round(latency.p99, 2).toString()],
    [`  same, token reused for 1 s: p50 (ms)`, round(latencyReuse.p50, 2).toString()],
    ['  same, token reused for 1 s: p99 (ms)', round(latencyReuse.p99, 2).toString()],
    ['ingestion on PGlite (events/s)', round(pgliteRate, 0).toString()],
    [
      'ingestion on PostgreSQL (events/s)',
      postgresRate === null ? 'skipped' : round(postgresRate, 0).toString(),
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
        bare_events_per_s: round(baseline, 0),
        delivery_events_per_s: round(strict, 0),
        delivery_ratio: round(strict / baseline, 3),
        delivery_token_reuse_events_per_s: round(reuse, 0),
        delivery_token_reuse_ratio: round(reuse / baseline, 3),
        latency_p50_ms: round(latency.p50, 2),
        latency_p99_ms: round(latency.p99, 2),
        latency_token_reuse_p50_ms: round(latencyReuse.p50, 2),
        latency_token_reuse_p99_ms: round(latencyReuse.p99, 2),
        load_average_1m: round(os.loadavg()[0]!, 2),
        ingestion_pglite_events_per_s: round(pgliteRate, 0),
        ingestion_postgres_events_per_s: postgresRate === null ? null : round(postgresRate, 0),
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
