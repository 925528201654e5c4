import { afterAll, describe } from 'vitest'
import { storeContract } from '../src/contract/index.js'
import { PostgresStore } from '../src/index.js'
import { available, databaseUrl, dropSchemas, uniqueSchema } from './fixtures/Postgres.js'

// Every test gets a schema of its own (store_test_<random>), dropped at the end.
const schemas: string[] = []
afterAll(() => dropSchemas(schemas))

describe.runIf(available)('postgres', () => {
  storeContract('postgres', (options) => {
    const schema = uniqueSchema()
    schemas.push(schema)
    return PostgresStore.open({ ...options, databaseUrl, schema, poolSize: 8 })
  })
  // Every operation on its own, as before group commit.
  storeContract('postgres, group commit off', (options) => {
    const schema = uniqueSchema()
    schemas.push(schema)
    return PostgresStore.open({ ...options, databaseUrl, schema, poolSize: 8, groupCommit: false })
  })
})
