import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto'

/**
 * Verifies the bearer token of a callback POST: RS256, signed by a key of the issuer's JWKS
 * (found through its OpenID configuration, fetched and cached, refetched when an unknown `kid`
 * shows up after a rotation), the expected issuer and audience, not expired.
 *
 * Real ACS: issuer `https://acscallautomation.communication.azure.com`, OpenID configuration at
 * `<issuer>/calling/.well-known/acsopenidconfiguration`, audience your ACS resource id.
 * Switchboard: issuer its public URL, OpenID configuration at `<issuer>/.well-known/openid-configuration`,
 * audience its resource id (`Keys.resourceId`).
 *
 * The JWKS keys are imported once into `node:crypto` key objects (RSA, at least 2048 bits) and
 * each token's signature is checked with `crypto.verify` (RSASSA-PKCS1-v1_5 with SHA-256); a
 * token that verified is remembered until it expires, so a repeated token is checked once.
 */
export const acsIssuer = 'https://acscallautomation.communication.azure.com'

export interface Options {
  readonly issuer: string
  /** Accepted audiences (one or more). */
  readonly audience: string | ReadonlyArray<string>
  /** Default: the ACS path for the ACS issuer, `<issuer>/.well-known/openid-configuration` otherwise. */
  readonly openIdConfigurationUrl?: string
  /** Skip discovery and use this JWKS URL. */
  readonly jwksUrl?: string
  /** A `fetch` for discovery and JWKS (tests, proxies); default the global `fetch`. */
  readonly fetch?: (url: string, init?: RequestInit) => Promise<Response>
  /** Clock skew tolerated on `exp`/`nbf` (seconds, default 60). */
  readonly clockToleranceSec?: number
  /** Minimum time between JWKS refetches caused by an unknown key id (ms, default 30,000). */
  readonly cooldownMs?: number
  /** How long fetched keys are trusted before a refetch (ms, default 10 minutes). */
  readonly cacheMaxAgeMs?: number
  /** Tokens remembered as verified (until their `exp`), at most (default 10,000). */
  readonly verifiedCacheSize?: number
  /** The current time (ms), for tests; default `Date.now`. */
  readonly now?: () => number
}

export type Outcome =
  | { readonly ok: true; readonly claims: Readonly<Record<string, unknown>> }
  | { readonly ok: false; readonly reason: string }

export interface Verifier {
  /** Verifies an `Authorization` header value. Never throws. */
  readonly verify: (authorization: string | null | undefined) => Promise<Outcome>
}

const defaultDiscovery = (issuer: string): string =>
  issuer === acsIssuer
    ? `${issuer}/calling/.well-known/acsopenidconfiguration`
    : `${issuer}/.well-known/openid-configuration`

/** A refusal with the reason reported to the caller. */
class Refused extends Error {}

interface KeySet {
  readonly byKid: ReadonlyMap<string, KeyObject>
  /** Every usable key, for tokens that name none. */
  readonly all: ReadonlyArray<KeyObject>
  readonly fetchedAt: number
}

/** Imports the usable keys of a JWKS document: RSA, RS256 (or no alg), for signing (or no use). */
const importKeys = (doc: unknown, at: number): KeySet => {
  const list = (doc as { keys?: unknown } | null)?.keys
  if (!Array.isArray(list)) throw new Error('JWKS: no keys array')
  const byKid = new Map<string, KeyObject>()
  const all: Array<KeyObject> = []
  for (const jwk of list as Array<Record<string, unknown>>) {
    if (typeof jwk !== 'object' || jwk === null || jwk.kty !== 'RSA') continue
    if (jwk.alg !== undefined && jwk.alg !== 'RS256') continue
    if (jwk.use !== undefined && jwk.use !== 'sig') continue
    if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') continue
    let key: KeyObject
    try {
      key = createPublicKey({ key: { kty: 'RSA', n: jwk.n, e: jwk.e }, format: 'jwk' })
    } catch {
      continue
    }
    if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) continue
    all.push(key)
    if (typeof jwk.kid === 'string') byKid.set(jwk.kid, key)
  }
  return { byKid, all, fetchedAt: at }
}

const segment = /^[A-Za-z0-9_-]*$/

const bearerPrefix = /^\s*Bearer\s+/i
const whitespace = /\s/

/** The token of `Bearer <token>` (surrounding whitespace allowed, none inside); null otherwise. */
const bearer = (authorization: string): string | null => {
  const prefix = bearerPrefix.exec(authorization)
  if (prefix === null) return null
  const token = authorization.slice(prefix[0].length).trimEnd()
  return token.length === 0 || whitespace.test(token) ? null : token
}

const decodeJson = (part: string, what: string): Record<string, unknown> => {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))
  } catch {
    throw new Refused(`malformed token ${what}`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Refused(`malformed token ${what}`)
  return value as Record<string, unknown>
}

export const make = (options: Options): Verifier => {
  const issuer = options.issuer.replace(/\/+$/, '')
  const doFetch = options.fetch ?? ((url, init) => fetch(url, init))
  const audiences = new Set(
    typeof options.audience === 'string' ? [options.audience] : options.audience,
  )
  const now = options.now ?? Date.now
  const tolerance = options.clockToleranceSec ?? 60
  const cooldownMs = options.cooldownMs ?? 30_000
  const maxAgeMs = options.cacheMaxAgeMs ?? 600_000
  const cacheSize = Math.max(1, options.verifiedCacheSize ?? 10_000)

  let jwksUrl: Promise<string> | null = null
  let keySet: KeySet | null = null
  let fetching: Promise<KeySet> | null = null
  let lastRefetch = Number.NEGATIVE_INFINITY

  const discover = async (): Promise<string> => {
    if (options.jwksUrl !== undefined) return options.jwksUrl
    const res = await doFetch(options.openIdConfigurationUrl ?? defaultDiscovery(issuer))
    if (res.status !== 200) throw new Error(`OpenID configuration: HTTP ${res.status}`)
    const doc = (await res.json()) as { jwks_uri?: unknown }
    if (typeof doc.jwks_uri !== 'string') throw new Error('OpenID configuration: no jwks_uri')
    return doc.jwks_uri
  }

  /** Fetches the JWKS (one fetch at a time; concurrent callers share it). */
  const refresh = (): Promise<KeySet> => {
    if (fetching !== null) return fetching
    const run = async () => {
      try {
        if (jwksUrl === null) jwksUrl = discover()
        let url: string
        try {
          url = await jwksUrl
        } catch (e) {
          jwksUrl = null
          throw e
        }
        const res = await doFetch(url)
        if (res.status !== 200) throw new Error(`JWKS: HTTP ${res.status}`)
        const set = importKeys(await res.json(), now())
        keySet = set
        return set
      } finally {
        fetching = null
      }
    }
    fetching = run()
    return fetching
  }

  /** The keys to try for a token naming `kid` (fetched, refreshed when stale or on a new kid). */
  const keysFor = async (
    kid: string | undefined,
    at: number,
  ): Promise<ReadonlyArray<KeyObject>> => {
    let set = keySet
    if (set === null) set = await refresh()
    else if (at - set.fetchedAt >= maxAgeMs) set = await refresh().catch(() => set as KeySet) // an unreachable JWKS: keep the keys known
    const pick = (s: KeySet) => {
      if (kid === undefined) return s.all
      const k = s.byKid.get(kid)
      return k === undefined ? [] : [k]
    }
    let found = pick(set)
    if (found.length === 0 && at - lastRefetch >= cooldownMs) {
      lastRefetch = at
      set = await refresh()
      found = pick(set)
    }
    if (found.length === 0) throw new Refused('unknown signing key')
    return found
  }

  // verified tokens, until they expire (a token is immutable: its signature was checked once)
  const verified = new Map<string, { exp: number; claims: Record<string, unknown> }>()
  // accepted JWT headers (the encoded segment) and the key id each names: a sender's tokens
  // share one header, so it is decoded and checked once
  const headers = new Map<string, { readonly kid: string | undefined }>()

  const headerOf = (part: string): { readonly kid: string | undefined } => {
    const known = headers.get(part)
    if (known !== undefined) return known
    const header = decodeJson(part, 'header')
    if (header.alg !== 'RS256') throw new Refused('algorithm not allowed')
    if (header.crit !== undefined) throw new Refused('unsupported critical header')
    if (header.kid !== undefined && typeof header.kid !== 'string')
      throw new Refused('malformed token header')
    const accepted = { kid: header.kid as string | undefined }
    if (headers.size >= 64) headers.clear()
    headers.set(part, accepted)
    return accepted
  }

  const check = async (token: string, at: number): Promise<Record<string, unknown>> => {
    const parts = token.split('.')
    if (parts.length !== 3 || !parts.every((p) => segment.test(p)))
      throw new Refused('malformed token')
    const header = headerOf(parts[0]!)
    const claims = decodeJson(parts[1]!, 'payload')
    const keys = await keysFor(header.kid, at)
    const data = Buffer.from(token.slice(0, parts[0]!.length + 1 + parts[1]!.length), 'latin1')
    const signature = Buffer.from(parts[2]!, 'base64url')
    if (!keys.some((k) => verifySignature('RSA-SHA256', data, k, signature)))
      throw new Refused('bad signature')
    const seconds = Math.floor(at / 1000)
    const exp = claims.exp
    if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new Refused('claim exp rejected')
    if (exp <= seconds - tolerance) throw new Refused('token expired')
    const nbf = claims.nbf
    if (nbf !== undefined && (typeof nbf !== 'number' || nbf > seconds + tolerance))
      throw new Refused('claim nbf rejected')
    if (claims.iat !== undefined && typeof claims.iat !== 'number')
      throw new Refused('claim iat rejected')
    if (claims.iss !== issuer) throw new Refused('claim iss rejected')
    const aud = claims.aud
    const auds = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : []
    if (!auds.some((a) => typeof a === 'string' && audiences.has(a)))
      throw new Refused('claim aud rejected')
    return claims
  }

  const verify = async (authorization: string | null | undefined): Promise<Outcome> => {
    if (typeof authorization !== 'string') return { ok: false, reason: 'missing bearer token' }
    const token = bearer(authorization)
    if (token === null) return { ok: false, reason: 'missing bearer token' }
    const at = now()
    const known = verified.get(token)
    if (known !== undefined) {
      if ((known.exp + tolerance) * 1000 > at) return { ok: true, claims: known.claims }
      verified.delete(token)
    }
    try {
      const claims = await check(token, at)
      if (verified.size >= cacheSize) {
        // drop the oldest entries (insertion order), a tenth of the cache
        let n = Math.max(1, Math.floor(cacheSize / 10))
        for (const k of verified.keys()) {
          verified.delete(k)
          if (--n === 0) break
        }
      }
      verified.set(token, { exp: claims.exp as number, claims })
      return { ok: true, claims }
    } catch (e) {
      return {
        ok: false,
        reason: e instanceof Refused ? e.message : e instanceof Error ? e.message : 'invalid token',
      }
    }
  }

  return { verify }
}
