import pg from 'pg'

/** Does a PostgreSQL server answer at `url` within `timeoutMs`? (The tests' and the bench's probe.) */
export const reachable = async (url: string, timeoutMs: number): Promise<boolean> => {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs })
  try {
    await client.connect()
    await client.end()
    return true
  } catch {
    return false
  }
}
