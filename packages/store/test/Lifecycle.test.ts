/**
 * Opening, migrating and closing: typed errors for a bad schema name or an unreachable server,
 * migrations that run once even when two processes start together, and operations racing a close.
 */
import { Effect } from 'effect'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import type { CallId, StoreService } from '../src/index.js'
import { MemoryStore, Migrations, PgliteStore, PostgresStore } from '../src/index.js'
import { available, databaseUrl, dropSchemas, uniqueSchema } from './fixtures/Postgres.js'

const failure = async <A, E>(e: Effect.Effect<A, E>): Promise<E> =>
  Effect.runPromise(Effect.flip(e))

/** Fires many operations, closes the store halfway, and checks each ends typed. */
const raceClose = async (s: StoreService) => {
  const outcomes = await Promise.all(
    Array.from({ length: 40 }, (_, i) => {
      if (i === 20) return Effect.runPromise(Effect.as(s.close(), 'closed'))
      const callId = `close-${i % 5}` as CallId
      return Effect.runPromise(
        Effect.match(
          i % 2 === 0
            ? Effect.asVoid(
                s.events.append({
                  callId,
                  expectedVersion: 0,
                  events: [{ type: 'E', at: 0, payload: i }],
                }),
              )
            : Effect.asVoid(s.events.read(callId)),
          { onFailure: (e) => e._tag as string, onSuccess: () => 'ok' },
        ),
      )
    }),
  )
  for (const o of outcomes)
    expect(['ok', 'closed', 'StoreClosedError', 'StoreConflictError']).toContain(o)
  expect(await failure(s.events.read('close-0' as CallId))).toMatchObject({
    _tag: 'StoreClosedError',
  })
}

const schemas: string[] = []
afterAll(() => dropSchemas(schemas))

describe('lifecycle', () => {
  it('refuses a bad schema name with StoreInputError', async () => {
    expect(await failure(PgliteStore.make({ schema: 'Bad-Name' }))).toMatchObject({
      _tag: 'StoreInputError',
      field: 'schema',
    })
    expect(
      await failure(PostgresStore.make({ databaseUrl, schema: 'x; DROP TABLE y' })),
    ).toMatchObject({ _tag: 'StoreInputError', field: 'schema' })
  })

  it('refuses bad group commit options with StoreInputError', async () => {
    expect(await failure(PgliteStore.make({ groupCommit: { maxBatch: 0 } }))).toMatchObject({
      _tag: 'StoreInputError',
      field: 'groupCommit.maxBatch',
    })
    expect(
      await failure(PostgresStore.make({ databaseUrl, groupCommit: { maxInFlight: 1.5 } })),
    ).toMatchObject({ _tag: 'StoreInputError', field: 'groupCommit.maxInFlight' })
  })

  it('reports an unreachable PostgreSQL as StoreUnavailableError', async () => {
    const e = await failure(
      PostgresStore.make({ databaseUrl: 'postgres://postgres@127.0.0.1:1/none' }),
    )
    expect(e).toMatchObject({ _tag: 'StoreUnavailableError' })
  })

  it('ends operations racing a close with a result or a typed error (memory)', () =>
    raceClose(MemoryStore.open()))

  it('ends operations racing a close with a result or a typed error (pglite)', async () =>
    raceClose(await PgliteStore.open()))

  it.runIf(available)(
    'ends operations racing a close with a result or a typed error (postgres)',
    async () => {
      const schema = uniqueSchema()
      schemas.push(schema)
      await raceClose(await PostgresStore.open({ databaseUrl, schema }))
    },
  )

  it('keeps data in a PGlite data directory across reopen and migrates once', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const dir = mkdtempSync(join(tmpdir(), 'store-reopen-'))
    try {
      const a = await PgliteStore.open({ dataDir: dir })
      await Effect.runPromise(
        a.events.append({
          callId: 'kept' as CallId,
          expectedVersion: 0,
          events: [{ type: 'E', at: 1, payload: { x: 1 } }],
          timer: 42,
        }),
      )
      await Effect.runPromise(a.close())
      const b = await PgliteStore.open({ dataDir: dir })
      expect(await Effect.runPromise(b.events.version('kept' as CallId))).toBe(1)
      expect(await Effect.runPromise(b.timers.all())).toEqual([{ callId: 'kept', deadline: 42 }])
      await Effect.runPromise(b.close())
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)

  it.runIf(available)('migrates once when several processes start together', async () => {
    const schema = uniqueSchema('mig_')
    schemas.push(schema)
    const stores = await Promise.all(
      Array.from({ length: 6 }, () => PostgresStore.open({ databaseUrl, schema, poolSize: 1 })),
    )
    for (const s of stores) await Effect.runPromise(s.close())
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    const { rows } = await client.query(
      `SELECT version FROM "${schema}".schema_migrations ORDER BY version`,
    )
    await client.end()
    expect(rows.map((r: { version: number }) => r.version)).toEqual(
      Migrations.all.map((m) => m.version),
    )
  })
})
