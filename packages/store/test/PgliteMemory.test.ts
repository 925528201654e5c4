import { PGlite } from '@electric-sql/pglite'
import { Effect } from 'effect'
import { afterAll, beforeAll } from 'vitest'
import { storeContract } from '../src/contract/index.js'
import { PgliteStore } from '../src/index.js'

// One in-memory PGlite for the file; every test gets a schema of its own.
let db: PGlite
let n = 0
beforeAll(async () => {
  db = await PGlite.create()
})
afterAll(() => db.close())

storeContract('pglite (in memory)', (options) =>
  Effect.runPromise(PgliteStore.fromClient(db, { ...options, schema: `t${++n}` })),
)
