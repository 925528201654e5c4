/**
 * PostgreSQL through a `pg` pool, for more than one process or machine. The same SQL as PGlite;
 * writers of one call are serialized by the row of the call (and the unique (call_id, version)
 * of its events), and outbox claims use `FOR UPDATE SKIP LOCKED`.
 */
import { Effect, type Layer } from 'effect'
import pg from 'pg'
import { isStoreError, StoreUnavailableError, type StoreInputError } from './Errors.js'
import * as SqlStore from './SqlStore.js'
import { layerFrom, type Services, type StoreService } from './Store.js'

export interface PostgresOptions extends SqlStore.SqlOptions {
  /** `postgres://user@host:port/database` */
  readonly databaseUrl: string
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number
}

const driver = (pool: pg.Pool): SqlStore.Driver => ({
  query: async (text, params, name) =>
    (
      await pool.query<SqlStore.Row>(
        name === undefined
          ? { text, values: params as unknown[] }
          : { text, values: params as unknown[], name },
      )
    ).rows,
  transaction: async (f) => {
    const client = await pool.connect()
    let broken: unknown
    try {
      await client.query('BEGIN')
      const a = await f({
        query: async (text, params) =>
          (await client.query<SqlStore.Row>(text, params as unknown[])).rows,
        exec: async (text) => {
          await client.query(text)
        },
      })
      await client.query('COMMIT')
      return a
    } catch (e) {
      await client.query('ROLLBACK').catch((r: unknown) => {
        broken = r
      })
      throw e
    } finally {
      client.release(broken instanceof Error ? broken : undefined)
    }
  },
  close: () => pool.end(),
})

const fail = (e: unknown) => (isStoreError(e) ? e : new StoreUnavailableError({ cause: e }))

/** Connects a pool, migrates the schema (under an advisory lock) and opens the store. */
export const make = (
  options: PostgresOptions,
): Effect.Effect<StoreService, StoreInputError | StoreUnavailableError> =>
  Effect.tryPromise({
    try: async () => {
      const schema = SqlStore.checkOptions(options)
      const pool = new pg.Pool({
        connectionString: options.databaseUrl,
        max: options.poolSize ?? 10,
        connectionTimeoutMillis: 10_000,
      })
      // An idle client that loses its connection emits 'error' on the pool; the next query
      // reports it, so it must not crash the process.
      pool.on('error', () => undefined)
      const d = driver(pool)
      try {
        await SqlStore.migrate(d, schema)
      } catch (e) {
        await pool.end().catch(() => undefined)
        throw e
      }
      return SqlStore.open(d, schema, options)
    },
    catch: fail as (e: unknown) => StoreInputError | StoreUnavailableError,
  })

/** A layer of every port on a PostgreSQL store, closed (pool ended) when the layer is released. */
export const layer = (
  options: PostgresOptions,
): Layer.Layer<Services, StoreInputError | StoreUnavailableError> => layerFrom(make(options))

/** `make` as a promise, for code that does not use Effect. */
export const open = (options: PostgresOptions): Promise<StoreService> =>
  Effect.runPromise(make(options))
