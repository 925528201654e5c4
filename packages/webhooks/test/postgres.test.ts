/**
 * Ingestion and delivery on PostgreSQL (a schema of its own). Runs when CI=true (and must not
 * skip there); elsewhere skips with a notice when no server answers.
 */
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, describe, expect, it } from 'vitest'
import pg from 'pg'
import { MemoryStore, PostgresStore, type StoreService } from '@switchboard/store'
import { Effect } from 'effect'
import * as Ingestion from '../src/Ingestion.js'
import { reachable } from './Postgres.js'
import { post, setup } from './Signing.js'

const databaseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const schema = `webhooks_test_${randomBytes(5).toString('hex')}`

const up = await reachable(databaseUrl, 3_000)
if (!up && process.env.CI === 'true')
  throw new Error(`PostgreSQL at ${databaseUrl} does not answer`)
if (!up)
  console.warn(`NOTICE: PostgreSQL at ${databaseUrl} does not answer; PostgreSQL tests skipped.`)

const stores: Array<StoreService> = []
afterAll(async () => {
  for (const s of stores) await Effect.runPromise(s.close())
  if (!up) return
  const client = new pg.Client({ connectionString: databaseUrl })
  await client.connect()
  await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
  await client.end()
})

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/acs-call.json', import.meta.url), 'utf8'),
) as { callConnectionId: string; bodies: ReadonlyArray<unknown> }
const bodies = fixture.bodies.map((b) => JSON.stringify(b))

describe.runIf(up)('ingestion on PostgreSQL', () => {
  it('records, deduplicates (also across two app instances on one database) and folds as on memory', async () => {
    const { verifier, sign } = await setup()
    const a = await PostgresStore.open({ databaseUrl, schema })
    const b = await PostgresStore.open({ databaseUrl, schema })
    stores.push(a, b)
    const one = await Ingestion.open(a, { verifier })
    const two = await Ingestion.open(b, { verifier })
    // both instances get every body, concurrently: as two replicas behind a load balancer
    await Promise.all(
      bodies.flatMap((body) =>
        [one, two].map(async (app) => {
          const res = await app.handle(post(body, await sign()))
          expect(res.status).toBe(200)
        }),
      ),
    )
    const events = await Effect.runPromise(a.events.read(fixture.callConnectionId as never))
    expect(events).toHaveLength(bodies.length)
    const reference = await Ingestion.open(MemoryStore.open(), { verifier })
    for (const body of bodies) await reference.handle(post(body, await sign()))
    const expected = await reference.view(fixture.callConnectionId)
    expect(await one.view(fixture.callConnectionId)).toEqual(expected)
    expect(await two.view(fixture.callConnectionId)).toEqual(expected)
  })
})
