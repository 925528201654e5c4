import { randomUUID, sign } from 'node:crypto'
import type { SigningKey } from './Keys.js'

/**
 * RS256 JSON Web Tokens for callback deliveries, as ACS signs them (reference section 8):
 * `iss`, `aud`, `iat`, `nbf`, `exp` (5 minutes by default) and a unique `jti`, the key's `kid`
 * in the header. Signed with node:crypto (verification, on the receiving side, uses `jose`).
 */

export const defaultLifetimeMs = 5 * 60_000

export interface Claims {
  readonly issuer: string
  readonly audience: string
  /** ms since the epoch */
  readonly now: number
  readonly lifetimeMs?: number
}

const b64url = (s: string | Buffer): string =>
  (typeof s === 'string' ? Buffer.from(s) : s).toString('base64url')

export const mint = (key: SigningKey, claims: Claims): string => {
  const iat = Math.floor(claims.now / 1000)
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid: key.kid }))
  const payload = b64url(
    JSON.stringify({
      iss: claims.issuer,
      aud: claims.audience,
      iat,
      nbf: iat,
      exp: iat + Math.ceil((claims.lifetimeMs ?? defaultLifetimeMs) / 1000),
      jti: randomUUID(),
    }),
  )
  const input = `${header}.${payload}`
  return `${input}.${b64url(sign('RSA-SHA256', Buffer.from(input), key.privateKey))}`
}
