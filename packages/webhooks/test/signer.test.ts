import { describe, expect, it } from 'vitest'
import { Effect } from 'effect'
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose'
import * as Keys from '../src/Keys.js'
import * as Signer from '../src/Signer.js'
import * as Token from '../src/Token.js'

const issuer = 'http://switchboard.test'
const audience = 'resource-under-test'

const verifyAll = async (keys: Keys.KeysService, tokens: ReadonlyArray<string>) => {
  const jwks = createLocalJWKSet({ keys: [...(await Effect.runPromise(keys.published))] })
  const jtis = new Set<string>()
  for (const token of tokens) {
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer,
      audience,
      algorithms: ['RS256'],
    })
    expect(protectedHeader.typ).toBe('JWT')
    expect(payload.exp! - payload.iat!).toBe(300)
    expect(payload.nbf).toBe(payload.iat)
    jtis.add(payload.jti!)
  }
  expect(jtis.size).toBe(tokens.length)
}

describe('token signing on worker threads', () => {
  it('makes tokens that verify against the published JWKS, as Token.mint does, and follows a key rotation', async () => {
    const keys = await Effect.runPromise(Keys.make({ issuer }))
    const signer = Signer.pool({ threads: 2 })
    try {
      expect(signer.threads).toBe(2)
      const first = await Effect.runPromise(keys.current)
      const tokens = await Promise.all(
        Array.from({ length: 40 }, () => signer.mint(first, { issuer, audience, now: Date.now() })),
      )
      expect(signer.running()).toBe(2)
      const inline = Token.mint(first, { issuer, audience, now: Date.now() })
      expect(tokens[0]!.split('.')[0]).toBe(inline.split('.')[0]) // the same header
      await verifyAll(keys, [...tokens, inline])

      const second = await Effect.runPromise(keys.rotate)
      const after = await Promise.all(
        Array.from({ length: 10 }, () =>
          signer.mint(second, { issuer, audience, now: Date.now() }),
        ),
      )
      for (const t of after) expect(decodeProtectedHeader(t).kid).toBe(second.kid)
      await verifyAll(keys, after)
    } finally {
      await signer.close()
    }
  })

  it('shuts down: tokens under way are still made, the threads stop, later tokens are signed inline', async () => {
    const keys = await Effect.runPromise(Keys.make({ issuer }))
    const key = await Effect.runPromise(keys.current)
    const signer = Signer.pool({ threads: 2 })
    const underWay = Array.from({ length: 30 }, () =>
      signer.mint(key, { issuer, audience, now: Date.now() }),
    )
    await Promise.resolve() // the batch is handed to the threads
    await signer.close()
    expect(signer.running()).toBe(0)
    const later = await signer.mint(key, { issuer, audience, now: Date.now() })
    await signer.close() // idempotent
    await verifyAll(keys, [...(await Promise.all(underWay)), later])
  })

  it('signs on the calling thread with threads: 0, and reports a key that cannot sign as a rejection', async () => {
    const keys = await Effect.runPromise(Keys.make({ issuer }))
    const key = await Effect.runPromise(keys.current)
    const signer = Signer.pool({ threads: 0 })
    expect(signer.threads).toBe(0)
    await verifyAll(keys, [await signer.mint(key, { issuer, audience, now: Date.now() })])
    const pool = Signer.pool({ threads: 1 })
    try {
      const broken = { ...key, kid: 'broken', privateKey: key.publicJwk as never }
      await expect(pool.mint(broken, { issuer, audience, now: Date.now() })).rejects.toThrow()
      // the pool still signs afterwards
      await verifyAll(keys, [await pool.mint(key, { issuer, audience, now: Date.now() })])
    } finally {
      await pool.close()
    }
  })
})
