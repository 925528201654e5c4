import { randomBytes } from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { isAccessKey } from './Config.js'

/**
 * The access key: given (flag or environment), else the one kept in `<data-dir>/access-key`,
 * else a fresh random 32-byte key written there (mode 0600) and reported as generated.
 */
export interface Resolved {
  readonly accessKey: string
  readonly source: 'given' | 'data-dir' | 'generated'
  readonly file: string
}

export class AccessKeyError extends Error {}

export const file = (dataDir: string) => join(resolve(dataDir), 'access-key')

export const resolveKey = (given: string | undefined, dataDir: string): Resolved => {
  const path = file(dataDir)
  if (given !== undefined) return { accessKey: given, source: 'given', file: path }
  if (existsSync(path)) {
    const stored = readFileSync(path, 'utf8').trim()
    if (!isAccessKey(stored))
      throw new AccessKeyError(
        `${path} does not hold a base64 access key; delete it to generate one`,
      )
    return { accessKey: stored, source: 'data-dir', file: path }
  }
  const key = randomBytes(32).toString('base64')
  mkdirSync(dirname(path), { recursive: true })
  writeFileSync(path, `${key}\n`, { mode: 0o600 })
  chmodSync(path, 0o600)
  return { accessKey: key, source: 'generated', file: path }
}
