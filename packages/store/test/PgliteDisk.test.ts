import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PGlite } from '@electric-sql/pglite'
import { Effect } from 'effect'
import { afterAll, beforeAll } from 'vitest'
import { storeContract } from '../src/contract/index.js'
import { PgliteStore } from '../src/index.js'

// One PGlite on disk for the file; every test gets a schema of its own.
const dir = mkdtempSync(join(tmpdir(), 'store-pglite-'))
let db: PGlite
let n = 0
beforeAll(async () => {
  db = await PGlite.create(dir)
})
afterAll(async () => {
  await db.close()
  rmSync(dir, { recursive: true, force: true })
})

storeContract('pglite (on disk)', (options) =>
  Effect.runPromise(PgliteStore.fromClient(db, { ...options, schema: `t${++n}` })),
)
