/**
 * `pnpm bench` (packages/server): the service over loopback against a bare `node:http` server.
 *
 * For each target (bare node:http answering a fixed 202, the service on PGlite, the service on
 * PostgreSQL) this process starts the server, pre-creates `connections` connected calls, and runs
 * the load generator (bench/Load.ts) as a SEPARATE process: `connections` keep-alive connections,
 * each alternating signed `:hold` / `:unhold` on its own call (signed, verified, decoded, decided,
 * persisted in one transaction with the outbox, answered). Prints a table, then one JSON line.
 */
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Ids, Instruction, Signal } from '@switchboard/core'
import { Auth } from '@switchboard/http'
import { MediaPlane } from '@switchboard/runtime'
import type { StoreService } from '@switchboard/store'
import {
  EventStore,
  Idempotency,
  Inbox,
  Outbox,
  MemoryStore,
  PgliteStore,
  PostgresStore,
  Store,
  Timers,
} from '@switchboard/store'
import { Effect, Exit, Layer, Runtime, Scope } from 'effect'
import pg from 'pg'
import * as Composition from '../src/Composition.js'
import * as Config from '../src/Config.js'

const connections = Number(process.env.BENCH_CONNECTIONS ?? 50)
const durationMs = Number(process.env.BENCH_DURATION_MS ?? 10_000)
const warmupMs = Number(process.env.BENCH_WARMUP_MS ?? 2_000)
const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

interface Result {
  readonly requests: number
  /** Requests answered during warm-up and measurement. */
  readonly answered: number
  /** CPU time of this process (where the server runs) per answered request, in microseconds. */
  readonly cpuUs: number
  /** CPU time of the load generator per answered request, in microseconds. */
  readonly loadCpuUs: number
  readonly ok: number
  readonly rps: number
  readonly p50: number
  readonly p99: number
  readonly max: number
  readonly statuses: Record<string, number>
}

const load = (
  url: string,
  accessKey: string,
  calls: ReadonlyArray<{ id: string; phone: string }>,
) =>
  new Promise<Result>((resolve, reject) => {
    const cpu = process.cpuUsage()
    const script = fileURLToPath(new URL('./Load.ts', import.meta.url))
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        script,
        JSON.stringify({ url, accessKey, calls, connections, warmupMs, durationMs }),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`load generator exited with ${code}`))
      try {
        const used = process.cpuUsage(cpu)
        const r = JSON.parse(out.trim().split('\n').pop() ?? '') as Omit<Result, 'cpuUs'>
        resolve({ ...r, cpuUs: (used.user + used.system) / Math.max(1, r.answered) })
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)))
      }
    })
  })

const phones = Array.from(
  { length: connections },
  (_, i) => `+1425600${String(i).padStart(4, '0')}`,
)

/** The baseline: a bare node:http server that reads the body and answers 202. */
const bare = async (): Promise<Result> => {
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => {
      res.writeHead(202, { 'content-length': 0 })
      res.end()
    })
  })
  server.keepAliveTimeout = 65_000
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as AddressInfo).port
  try {
    return await load(
      `http://127.0.0.1:${port}/`,
      randomBytes(32).toString('base64'),
      phones.map((phone, i) => ({ id: `bare-${i}`, phone })),
    )
  } finally {
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  }
}

/** Every party answers at once: the calls connect without a simulated world. */
const answering: Composition.Plugin = {
  name: 'bench-world',
  mediaPlane: Layer.succeed(MediaPlane.MediaPlane, {
    execute: (
      _callId: Ids.CallConnectionId,
      instruction: Instruction.MediaInstruction,
      report: (s: Signal.Signal) => void,
    ) =>
      Effect.sync(() => {
        if (instruction._tag === 'Dial')
          for (const participant of instruction.participants)
            setImmediate(() => report({ _tag: 'PartyAnswered', participant }))
      }),
  }),
}

const servicesOf = (s: StoreService) =>
  Layer.mergeAll(
    Layer.succeed(Store, s),
    Layer.succeed(EventStore, s.events),
    Layer.succeed(Outbox, s.outbox),
    Layer.succeed(Timers, s.timers),
    Layer.succeed(Idempotency, s.idempotency),
    Layer.succeed(Inbox, s.inbox),
  )

const signedFetch = async (
  base: string,
  accessKey: string,
  method: string,
  path: string,
  body = '',
): Promise<unknown> => {
  const url = new URL(path, base)
  const res = await fetch(url, {
    method,
    headers: {
      ...(body.length > 0 ? { 'content-type': 'application/json' } : {}),
      ...Auth.signedHeaders({
        accessKey,
        method,
        pathAndQuery: url.pathname + url.search,
        host: url.host,
        body,
      }),
    },
    ...(method === 'GET' ? {} : { body }),
  })
  const text = await res.text()
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`)
  return text.length > 0 ? JSON.parse(text) : undefined
}

/** The service on `store`: pre-created connected calls, then the load. */
const service = async (store: StoreService): Promise<Result> => {
  const parsed = Config.parse([], {})
  if (parsed._tag !== 'ok') throw new Error('default settings refused')
  const accessKey = randomBytes(32).toString('base64')
  const settings = {
    ...parsed.settings,
    port: 0,
    accessKey,
    logFormat: 'none' as const,
    dataDir: mkdtempSync(join(tmpdir(), 'switchboard-bench-')),
  }
  const scope = Effect.runSync(Scope.make())
  const layer = Composition.layer(settings, [answering], servicesOf(store))
  const runtime = await Effect.runPromise(Layer.toRuntime(layer).pipe(Scope.extend(scope)))
  const running = await Runtime.runPromise(runtime)(
    Composition.start(settings, [answering], () => undefined).pipe(Scope.extend(scope)),
  )
  const base = `http://127.0.0.1:${running.http.port}/`
  try {
    const calls = await Promise.all(
      phones.map(async (phone) => {
        const created = (await signedFetch(
          base,
          accessKey,
          'POST',
          '/calling/callConnections?api-version=2026-03-12',
          JSON.stringify({
            targets: [{ kind: 'phoneNumber', rawId: `4:${phone}`, phoneNumber: { value: phone } }],
            sourceCallerIdNumber: { value: '+18005550100' },
            callbackUri: 'https://app.example/callbacks',
          }),
        )) as { callConnectionId: string }
        const id = created.callConnectionId
        for (let i = 0; i < 500; i++) {
          const p = (await signedFetch(
            base,
            accessKey,
            'GET',
            `/calling/callConnections/${id}?api-version=2026-03-12`,
          )) as { callConnectionState: string }
          if (p.callConnectionState === 'connected') return { id, phone }
          await new Promise((r) => setTimeout(r, 10))
        }
        throw new Error(`call ${id} did not connect`)
      }),
    )
    return await load(base, accessKey, calls)
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    rmSync(settings.dataDir, { recursive: true, force: true })
  }
}

const postgresUp = async () => {
  const c = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 })
  try {
    await c.connect()
    return true
  } catch {
    return false
  } finally {
    await c.end().catch(() => undefined)
  }
}

const fmt = (n: number, d = 0) => n.toFixed(d).padStart(10)

const targets = (process.env.BENCH_TARGETS ?? 'memory,pglite,postgres,postgres-async').split(',')

/** The same database with `synchronous_commit=off`: what the per-commit fsync costs. */
const asyncUrl = `${databaseUrl}${databaseUrl.includes('?') ? '&' : '?'}options=-c%20synchronous_commit%3Doff`

const withPostgres = async (url: string, name: string): Promise<Result> => {
  const schema = `sb_bench_${name.replace(/\W/g, '_')}_${process.pid}`
  const store = await PostgresStore.open({
    databaseUrl: url,
    schema,
    poolSize: Number(process.env.BENCH_POOL_SIZE ?? 20),
  })
  try {
    return await service(store)
  } finally {
    await Effect.runPromise(store.close())
    const c = new pg.Client({ connectionString: databaseUrl })
    await c.connect()
    await c.query(`drop schema if exists ${schema} cascade`)
    await c.end()
  }
}

const main = async () => {
  const results: Array<[string, string, Result]> = []
  results.push(['bare', 'bare node:http (202)', await bare()])
  if (targets.includes('memory'))
    results.push(['memory', 'switchboard, memory store', await service(MemoryStore.open())])
  if (targets.includes('pglite')) {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-pglite-'))
    const lite = await PgliteStore.open({ dataDir: dir })
    try {
      results.push(['pglite', 'switchboard, PGlite', await service(lite)])
    } finally {
      await Effect.runPromise(lite.close())
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const wantPostgres = targets.some((t) => t.startsWith('postgres'))
  if (wantPostgres && (await postgresUp())) {
    if (targets.includes('postgres'))
      results.push(['postgres', 'switchboard, PostgreSQL', await withPostgres(databaseUrl, 'sync')])
    if (targets.includes('postgres-async'))
      results.push([
        'postgres_async',
        'switchboard, PG no fsync wait',
        await withPostgres(asyncUrl, 'async'),
      ])
  } else if (wantPostgres && process.env.CI === 'true')
    throw new Error(`PostgreSQL at ${databaseUrl} unreachable`)
  else if (wantPostgres) console.log(`NOTICE: PostgreSQL at ${databaseUrl} unreachable: skipped`)

  const baseline = results[0]![2]
  console.log(
    `HTTP benchmark: ${connections} connections, ${durationMs / 1000} s after ${warmupMs / 1000} s warm-up, signed :hold/:unhold from a separate load process`,
  )
  console.log(
    `${'target'.padEnd(32)}${'req/s'.padStart(10)}${'p50 ms'.padStart(10)}${'p99 ms'.padStart(10)}${'max ms'.padStart(10)}${'2xx'.padStart(10)}${'vs bare'.padStart(10)}${'cpu us/req'.padStart(12)}${'load cpu'.padStart(10)}`,
  )
  for (const [, name, r] of results)
    console.log(
      `${name.padEnd(32)}${fmt(r.rps)}${fmt(r.p50, 2)}${fmt(r.p99, 2)}${fmt(r.max, 1)}${fmt(r.ok)}${fmt((r.rps / baseline.rps) * 100, 1)}%${fmt(r.cpuUs, 1).padStart(12)}${fmt(r.loadCpuUs, 1)}`,
    )
  const metrics: Record<string, number> = { connections }
  for (const [key, , r] of results) {
    metrics[`${key}_rps`] = Math.round(r.rps)
    metrics[`${key}_p50_ms`] = round(r.p50)
    metrics[`${key}_p99_ms`] = round(r.p99)
    metrics[`${key}_cpu_us_per_req`] = round(r.cpuUs, 1)
    metrics[`${key}_load_cpu_us_per_req`] = round(r.loadCpuUs, 1)
    if (key !== 'bare') {
      metrics[`${key}_ratio`] = round(r.rps / baseline.rps, 3)
      metrics[`${key}_non2xx`] = r.requests - r.ok
    }
  }
  console.log(JSON.stringify({ bench: 'http', metrics }))
}

const round = (n: number, d = 2) => Math.round(n * 10 ** d) / 10 ** d

main().catch((e: unknown) => {
  console.error(e)
  process.exit(1)
})
