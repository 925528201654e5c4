import {
  createRemoteJWKSet,
  customFetch,
  errors,
  jwtVerify,
  type FetchImplementation,
  type JWTVerifyGetKey,
} from 'jose'

/**
 * Verifies the bearer token of a callback POST: RS256, signed by a key of the issuer's JWKS
 * (found through its OpenID configuration, fetched and cached, refetched when an unknown `kid`
 * shows up after a rotation), the expected issuer and audience, not expired.
 *
 * Real ACS: issuer `https://acscallautomation.communication.azure.com`, OpenID configuration at
 * `<issuer>/calling/.well-known/acsopenidconfiguration`, audience your ACS resource id.
 * Switchboard: issuer its public URL, OpenID configuration at `<issuer>/.well-known/openid-configuration`,
 * audience its resource id (`Keys.resourceId`).
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

export const make = (options: Options): Verifier => {
  const issuer = options.issuer.replace(/\/+$/, '')
  const doFetch = options.fetch ?? ((url, init) => fetch(url, init))
  const audience = typeof options.audience === 'string' ? [options.audience] : [...options.audience]
  const now = options.now ?? Date.now
  let keySet: Promise<JWTVerifyGetKey> | null = null

  const discover = async (): Promise<JWTVerifyGetKey> => {
    let jwksUrl = options.jwksUrl
    if (jwksUrl === undefined) {
      const res = await doFetch(options.openIdConfigurationUrl ?? defaultDiscovery(issuer))
      if (res.status !== 200) throw new Error(`OpenID configuration: HTTP ${res.status}`)
      const doc = (await res.json()) as { jwks_uri?: unknown }
      if (typeof doc.jwks_uri !== 'string') throw new Error('OpenID configuration: no jwks_uri')
      jwksUrl = doc.jwks_uri
    }
    return createRemoteJWKSet(new URL(jwksUrl), {
      cooldownDuration: options.cooldownMs ?? 30_000,
      cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
      [customFetch]: ((url, init) => doFetch(url, init)) as FetchImplementation,
    })
  }

  // verified tokens, until they expire (a token is immutable: its signature was checked once)
  const verified = new Map<string, { exp: number; claims: Record<string, unknown> }>()

  const verify = async (authorization: string | null | undefined): Promise<Outcome> => {
    if (typeof authorization !== 'string' || !/^Bearer\s+\S+$/i.test(authorization.trim()))
      return { ok: false, reason: 'missing bearer token' }
    const token = authorization.trim().replace(/^Bearer\s+/i, '')
    const at = now()
    const known = verified.get(token)
    if (known !== undefined && known.exp * 1000 > at) return { ok: true, claims: known.claims }
    try {
      if (keySet === null) keySet = discover()
      let keys: JWTVerifyGetKey
      try {
        keys = await keySet
      } catch (e) {
        keySet = null
        throw e
      }
      const { payload } = await jwtVerify(token, keys, {
        issuer,
        audience,
        algorithms: ['RS256'],
        clockTolerance: options.clockToleranceSec ?? 60,
        currentDate: new Date(at),
        requiredClaims: ['exp'],
      })
      if (verified.size >= 10_000) verified.clear()
      verified.set(token, { exp: payload.exp ?? 0, claims: payload })
      return { ok: true, claims: payload }
    } catch (e) {
      const reason =
        e instanceof errors.JWTExpired
          ? 'token expired'
          : e instanceof errors.JWTClaimValidationFailed
            ? `claim ${e.claim} rejected`
            : e instanceof errors.JWSSignatureVerificationFailed
              ? 'bad signature'
              : e instanceof errors.JWKSNoMatchingKey
                ? 'unknown signing key'
                : e instanceof Error
                  ? e.message
                  : 'invalid token'
      return { ok: false, reason }
    }
  }

  return { verify }
}
