import { generateKeyPairSync, randomUUID, sign } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { Effect } from 'effect'
import * as Keys from '../src/Keys.js'
import * as Token from '../src/Token.js'
import * as Verifier from '../src/Verifier.js'
import { audience, issuer, setup } from './Signing.js'

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url')

/** A token with any header and claims, signed RS256 with `key`. */
const forge = (
  key: Keys.SigningKey,
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
) => {
  const input = `${b64(header)}.${b64(claims)}`
  return `${input}.${sign('RSA-SHA256', Buffer.from(input), key.privateKey).toString('base64url')}`
}

const claimsAt = (now: number, extra: Record<string, unknown> = {}) => {
  const iat = Math.floor(now / 1000)
  return { iss: issuer, aud: audience, iat, nbf: iat, exp: iat + 300, jti: randomUUID(), ...extra }
}

describe('bearer token verification', () => {
  it('accepts RS256 tokens of the published keys and refuses, with a reason, what jose would refuse', async () => {
    const { verifier, keys } = await setup()
    const key = await Effect.runPromise(keys.current)
    const now = Date.now()
    const ok = async (token: string) => (await verifier.verify(`Bearer ${token}`)).ok
    const reason = async (token: string) => {
      const v = await verifier.verify(`Bearer ${token}`)
      return v.ok ? 'accepted' : v.reason
    }
    const header = { alg: 'RS256', typ: 'JWT', kid: key.kid }
    expect(await ok(Token.mint(key, { issuer, audience, now }))).toBe(true)
    // an audience array naming ours; no kid (the only key is tried)
    expect(await ok(forge(key, header, claimsAt(now, { aud: ['other', audience] })))).toBe(true)
    expect(await ok(forge(key, { alg: 'RS256' }, claimsAt(now)))).toBe(true)
    expect(await reason(forge(key, header, claimsAt(now, { aud: ['other'] })))).toBe(
      'claim aud rejected',
    )
    expect(await reason(forge(key, header, claimsAt(now, { exp: undefined })))).toBe(
      'claim exp rejected',
    )
    expect(await reason(forge(key, header, claimsAt(now, { nbf: now / 1000 + 3600 })))).toBe(
      'claim nbf rejected',
    )
    expect(await reason(forge(key, header, claimsAt(now - 3_600_000)))).toBe('token expired')
    expect(await reason(forge(key, { ...header, crit: ['b64'], b64: false }, claimsAt(now)))).toBe(
      'unsupported critical header',
    )
    expect(await reason(forge(key, { ...header, alg: 'RS512' }, claimsAt(now)))).toBe(
      'algorithm not allowed',
    )
    expect(await reason(`${b64({ alg: 'none' })}.${b64(claimsAt(now))}.`)).toBe(
      'algorithm not allowed',
    )
    expect(await reason(forge(key, { ...header, kid: 'nobody' }, claimsAt(now)))).toBe(
      'unknown signing key',
    )
    expect(await reason('a.b')).toBe('malformed token')
    expect(await reason(`${b64([1])}.${b64(claimsAt(now))}.AAAA`)).toBe('malformed token header')
    expect((await verifier.verify('Basic abc')).ok).toBe(false)
    expect((await verifier.verify(undefined)).ok).toBe(false)
    // the scheme in any case, whitespace around the token; nothing after it, no empty token
    const token = Token.mint(key, { issuer, audience, now })
    expect((await verifier.verify(`  bearer \t${token}  `)).ok).toBe(true)
    expect((await verifier.verify(`BEARER ${Token.mint(key, { issuer, audience, now })}`)).ok).toBe(
      true,
    )
    expect(await verifier.verify(`Bearer ${token} more`)).toEqual({
      ok: false,
      reason: 'missing bearer token',
    })
    expect((await verifier.verify('Bearer   ')).ok).toBe(false)
    expect((await verifier.verify(`Bearer${token}`)).ok).toBe(false)
    // a header accepted once does not let a refused one through (headers are remembered by value)
    expect(await reason(forge(key, { ...header, alg: 'RS512' }, claimsAt(now)))).toBe(
      'algorithm not allowed',
    )
    expect(await ok(forge(key, header, claimsAt(now)))).toBe(true)
  })

  it('refuses keys shorter than 2048 bits in the JWKS', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 })
    const jwk = privateKey.export({ format: 'jwk' }) as { n: string; e: string }
    const weak: Keys.SigningKey = {
      kid: 'weak',
      privateKey,
      publicJwk: { kty: 'RSA', n: jwk.n, e: jwk.e, kid: 'weak', alg: 'RS256', use: 'sig' },
      createdAt: 0,
    }
    const verifier = Verifier.make({
      issuer,
      audience,
      jwksUrl: `${issuer}/calling/keys`,
      fetch: async () => Response.json({ keys: [weak.publicJwk] }),
    })
    const v = await verifier.verify(
      `Bearer ${Token.mint(weak, { issuer, audience, now: Date.now() })}`,
    )
    expect(v).toEqual({ ok: false, reason: 'unknown signing key' })
  })

  it('refetches keys once they are older than cacheMaxAgeMs, keeps them while the JWKS is unreachable, and refuses (never throws) when discovery fails', async () => {
    let now = Date.now()
    let down = false
    let fetches = 0
    const keys = await Effect.runPromise(Keys.make({ issuer }))
    const key = await Effect.runPromise(keys.current)
    const fetch = async (url: string): Promise<Response> => {
      fetches++
      if (down) throw new Error('connection refused')
      if (url.endsWith('/.well-known/openid-configuration'))
        return Response.json(Keys.openIdConfiguration(keys))
      return Response.json({ keys: await Effect.runPromise(keys.published) })
    }
    const verifier = Verifier.make({
      issuer,
      audience,
      fetch,
      now: () => now,
      cacheMaxAgeMs: 60_000,
    })
    const token = () => `Bearer ${Token.mint(key, { issuer, audience, now })}`
    expect((await verifier.verify(token())).ok).toBe(true)
    const first = fetches
    expect((await verifier.verify(token())).ok).toBe(true)
    expect(fetches).toBe(first) // keys cached
    now += 61_000
    expect((await verifier.verify(token())).ok).toBe(true)
    expect(fetches).toBe(first + 1) // stale: the JWKS fetched again
    now += 61_000
    down = true
    expect((await verifier.verify(token())).ok).toBe(true) // stale and unreachable: the keys known
    expect(fetches).toBe(first + 2)

    const undiscoverable = Verifier.make({ issuer, audience, fetch })
    expect((await undiscoverable.verify(token())).ok).toBe(false)
    const notFound = Verifier.make({
      issuer,
      audience,
      fetch: async () => new Response('nope', { status: 404 }),
    })
    expect(await notFound.verify(token())).toEqual({
      ok: false,
      reason: 'OpenID configuration: HTTP 404',
    })
  })
})
