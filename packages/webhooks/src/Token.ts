import { randomUUID, sign } from 'node:crypto'
import type { SigningKey } from './Keys.js'

/**
 * RS256 JSON Web Tokens for callback deliveries, as ACS signs them (reference section 8):
 * `iss`, `aud`, `iat`, `nbf`, `exp` (5 minutes by default) and a unique `jti`, the key's `kid`
 * in the header. Signed with node:crypto (verification, on the receiving side, uses `jose`).
 *
 * `signingInput` and `assemble` split `mint` in two so the RSA signature (the costly part, about
 * 0.4 ms of CPU) can be made elsewhere (`Signer`, worker threads) of the same input.
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

/** `<header>.<payload>` (base64url), the bytes RS256 signs. */
export const signingInput = (kid: string, claims: Claims): string => {
  const iat = Math.floor(claims.now / 1000)
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid }))
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
  return `${header}.${payload}`
}

/** The token: the signing input and its base64url RS256 signature. */
export const assemble = (input: string, signature: string): string => `${input}.${signature}`

/** The base64url RS256 (RSASSA-PKCS1-v1_5, SHA-256) signature of a signing input. */
export const signature = (key: SigningKey, input: string): string =>
  b64url(sign('RSA-SHA256', Buffer.from(input), key.privateKey))

/** A token signed on the calling thread. */
export const mint = (key: SigningKey, claims: Claims): string => {
  const input = signingInput(key.kid, claims)
  return assemble(input, signature(key, input))
}
