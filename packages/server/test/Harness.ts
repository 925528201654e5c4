import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { StoreService } from '@switchboard/store'
import {
  EventStore,
  Idempotency,
  Inbox,
  MemoryStore,
  Outbox,
  PgliteStore,
  PostgresStore,
  Store,
  Timers,
} from '@switchboard/store'
import { Effect, Exit, Layer, Runtime, Scope } from 'effect'
import pg from 'pg'
import * as Composition from '../src/Composition.js'
import * as Config from '../src/Config.js'

/** The service in this process on a free port, on a store the test can inspect. */
export interface Service {
  readonly url: string
  readonly port: number
  readonly accessKey: string
  readonly connectionString: string
  readonly store: StoreService
  readonly logs: Array<string>
  readonly close: () => Promise<void>
}

export const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Is PostgreSQL reachable? With CI=true it must be (the tests fail otherwise). */
export const postgresReachable = async (): Promise<boolean> => {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    if (process.env.CI === 'true')
      throw new Error(`CI=true but PostgreSQL at ${databaseUrl} is unreachable`)
    console.warn(`NOTICE: PostgreSQL at ${databaseUrl} is unreachable: its tests are skipped`)
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

export const uniqueSchema = (prefix: string) =>
  `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`

export const dropSchema = async (schema: string) => {
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  try {
    await client.query(`drop schema if exists ${schema} cascade`)
  } finally {
    await client.end()
  }
}

export type StoreKind = 'memory' | 'pglite' | 'postgres'

export const openStore = async (kind: StoreKind, schema?: string): Promise<StoreService> => {
  switch (kind) {
    case 'memory':
      return MemoryStore.open()
    case 'pglite':
      return PgliteStore.open({ dataDir: mkdtempSync(join(tmpdir(), 'switchboard-e2e-')) })
    case 'postgres':
      return PostgresStore.open({
        databaseUrl,
        schema: schema ?? uniqueSchema('sb_http'),
        poolSize: 10,
      })
  }
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

export const start = async (options: {
  readonly store: StoreService
  readonly plugins?: ReadonlyArray<Composition.Plugin>
  /** Plugins made from the settings (as `serve` makes the installed ones). */
  readonly factories?: ReadonlyArray<Composition.PluginFactory>
  readonly settings?: Partial<Config.Settings>
}): Promise<Service> => {
  const accessKey = randomBytes(32).toString('base64')
  const parsed = Config.parse([], {})
  if (parsed._tag !== 'ok') throw new Error('default settings refused')
  const settings = {
    ...parsed.settings,
    port: 0,
    accessKey,
    store: 'memory' as const,
    dataDir: mkdtempSync(join(tmpdir(), 'switchboard-data-')),
    logFormat: 'json' as const,
    ...options.settings,
  }
  const plugins = [...(options.plugins ?? []), ...(options.factories ?? []).map((f) => f(settings))]
  const logs: Array<string> = []
  const scope = Effect.runSync(Scope.make())
  const layer = Composition.layer(settings, plugins, servicesOf(options.store))
  const runtime = await Effect.runPromise(Layer.toRuntime(layer).pipe(Scope.extend(scope)))
  const running = await Runtime.runPromise(runtime)(
    Composition.start({ ...settings, accessKey }, plugins, (l) => void logs.push(l)).pipe(
      Scope.extend(scope),
    ),
  )
  const url = `http://127.0.0.1:${running.http.port}/`
  return {
    url,
    port: running.http.port,
    accessKey,
    connectionString: `endpoint=${url};accesskey=${accessKey}`,
    store: options.store,
    logs,
    close: async () => {
      await Effect.runPromise(Scope.close(scope, Exit.void))
    },
  }
}
