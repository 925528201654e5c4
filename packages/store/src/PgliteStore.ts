/**
 * The embedded default: PostgreSQL compiled to WebAssembly, in this process (PGlite). Data lives
 * in a directory on disk, or in memory when no `dataDir` is given. PGlite has one connection:
 * the store serializes its statements and transactions with a mutex per PGlite instance.
 */
import { PGlite } from '@electric-sql/pglite'
import { Effect, type Layer } from 'effect'
import { isStoreError, StoreUnavailableError, type StoreInputError } from './Errors.js'
import * as SqlStore from './SqlStore.js'
import { layerFrom, type Services, type StoreService } from './Store.js'

export interface PgliteOptions extends SqlStore.SqlOptions {
  /** A directory for the database files; undefined keeps everything in memory. */
  readonly dataDir?: string
}

const mutexes = new WeakMap<PGlite, { tail: Promise<unknown> }>()

/** Runs `f` after every earlier holder of this PGlite's mutex. */
const exclusive = <A>(db: PGlite, f: () => Promise<A>): Promise<A> => {
  let m = mutexes.get(db)
  if (m === undefined) mutexes.set(db, (m = { tail: Promise.resolve() }))
  const run = m.tail.then(f, f)
  m.tail = run.catch(() => undefined)
  return run
}

/**
 * PGlite plans every statement it is sent; named statements are therefore PREPAREd once per
 * instance and run with EXECUTE, their values written as quoted literals (the parameter types
 * come from the prepared statement). This halves the cost of a small append.
 */
const prepared = new WeakMap<PGlite, Map<string, string>>()

/** An array's text form (`{"a","b",NULL}`): each element quoted, backslashes and quotes escaped. */
const arrayText = (a: ReadonlyArray<unknown>): string =>
  `{${a
    .map((v) =>
      v === null || v === undefined
        ? 'NULL'
        : `"${(typeof v === 'string' ? v : String(v)).replace(/[\\"]/g, '\\$&')}"`,
    )
    .join(',')}}`

const literal = (v: unknown): string => {
  if (v === null || v === undefined) return 'NULL'
  const s = typeof v === 'string' ? v : Array.isArray(v) ? arrayText(v) : String(v)
  // standard_conforming_strings is on (set at open): only quotes need doubling. NUL cannot
  // occur: ids refuse control characters and JSON.stringify escapes them.
  return `'${s.replaceAll("'", "''")}'`
}

const run = async (
  db: PGlite,
  text: string,
  params: ReadonlyArray<unknown> | undefined,
  name?: string,
) => {
  if (name === undefined || params === undefined || params.length === 0)
    return (await db.query<SqlStore.Row>(text, params as unknown[])).rows
  let names = prepared.get(db)
  if (names === undefined) prepared.set(db, (names = new Map()))
  let statement = names.get(text)
  if (statement === undefined) {
    statement = `sb_${names.size + 1}`
    await db.query(`PREPARE ${statement} AS ${text}`)
    names.set(text, statement)
  }
  // The simple protocol: one message, no separate parse/describe round for the EXECUTE itself.
  const [result] = await db.exec(`EXECUTE ${statement}(${params.map(literal).join(', ')})`)
  return (result?.rows ?? []) as ReadonlyArray<SqlStore.Row>
}

const driver = (db: PGlite, owned: boolean): SqlStore.Driver => ({
  query: (text, params, name) => exclusive(db, () => run(db, text, params, name)),
  transaction: (f) =>
    exclusive(db, () =>
      db.transaction((tx) =>
        f({
          query: async (text, params) =>
            (await tx.query<SqlStore.Row>(text, params as unknown[])).rows,
          exec: async (text) => {
            await tx.exec(text)
          },
        }),
      ),
    ),
  close: () => (owned ? exclusive(db, () => db.close()) : Promise.resolve()),
  blocking: true,
})

const fail = (e: unknown) => (isStoreError(e) ? e : new StoreUnavailableError({ cause: e }))

/**
 * Opens a store on an existing PGlite instance (not closed by the store's `close`). Several
 * stores may share one instance with different schemas.
 */
export const fromClient = (
  db: PGlite,
  options?: SqlStore.SqlOptions,
): Effect.Effect<StoreService, StoreInputError | StoreUnavailableError> =>
  Effect.tryPromise({
    try: async () => {
      const schema = SqlStore.checkOptions(options)
      const d = driver(db, false)
      await db.exec('SET standard_conforming_strings = on')
      await SqlStore.migrate(d, schema)
      return SqlStore.open(d, schema, options)
    },
    catch: fail as (e: unknown) => StoreInputError | StoreUnavailableError,
  })

/** Opens (creating if needed) a PGlite database and migrates it. */
export const make = (
  options?: PgliteOptions,
): Effect.Effect<StoreService, StoreInputError | StoreUnavailableError> =>
  Effect.tryPromise({
    try: async () => {
      const schema = SqlStore.checkOptions(options)
      const db = await PGlite.create(
        options?.dataDir === undefined ? {} : { dataDir: options.dataDir },
      )
      const d = driver(db, true)
      try {
        await db.exec('SET standard_conforming_strings = on')
        await SqlStore.migrate(d, schema)
      } catch (e) {
        await db.close().catch(() => undefined)
        throw e
      }
      return SqlStore.open(d, schema, options)
    },
    catch: fail as (e: unknown) => StoreInputError | StoreUnavailableError,
  })

/** A layer of every port on a PGlite store, closed when the layer is released. */
export const layer = (
  options?: PgliteOptions,
): Layer.Layer<Services, StoreInputError | StoreUnavailableError> => layerFrom(make(options))

/** `make` as a promise, for code that does not use Effect. */
export const open = (options?: PgliteOptions): Promise<StoreService> =>
  Effect.runPromise(make(options))
