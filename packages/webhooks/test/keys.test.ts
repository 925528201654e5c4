import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Effect, Layer, TestClock, TestContext } from 'effect'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { MemoryStore } from '@switchboard/store'
import * as Keys from '../src/Keys.js'
import * as Routes from '../src/Routes.js'
import * as Token from '../src/Token.js'

const dirs: Array<string> = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'webhooks-keys-'))
  dirs.push(d)
  return d
}
const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(e)

describe('signing keys', () => {
  it('are made once per data directory and loaded again: same resource id, same key', async () => {
    const dataDir = tmp()
    const a = await run(Keys.make({ dataDir, issuer: 'http://sb.test/' }))
    const b = await run(Keys.make({ dataDir, issuer: 'http://sb.test' }))
    expect(b.resourceId).toBe(a.resourceId)
    expect((await run(b.current)).kid).toBe((await run(a.current)).kid)
    expect(a.issuer).toBe('http://sb.test')
    expect(statSync(join(dataDir, Keys.fileName)).mode & 0o777).toBe(0o600)
    const c = await run(Keys.make({}))
    expect(c.resourceId).not.toBe(a.resourceId)
  })

  it('refuse a malformed key file with a typed error', async () => {
    const dataDir = tmp()
    await run(Keys.make({ dataDir }))
    const path = join(dataDir, Keys.fileName)
    const { writeFileSync } = await import('node:fs')
    writeFileSync(path, '{"resourceId": 1}')
    const r = await run(Effect.either(Keys.make({ dataDir })))
    expect(r._tag === 'Left' && r.left._tag).toBe('KeysError')
    writeFileSync(path, 'not json')
    expect((await run(Effect.either(Keys.make({ dataDir }))))._tag).toBe('Left')
  })

  it('rotate: the new key signs, the old one stays published for retainMs, the file follows', async () => {
    const dataDir = tmp()
    await Effect.runPromise(
      Effect.gen(function* () {
        const keys = yield* Keys.make({ dataDir, retainMs: 60_000 })
        const old = yield* keys.current
        const oldToken = Token.mint(old, { issuer: keys.issuer, audience: 'a', now: 0 })
        const fresh = yield* keys.rotate
        expect(fresh.kid).not.toBe(old.kid)
        expect((yield* keys.current).kid).toBe(fresh.kid)
        const published = yield* keys.published
        expect(published.map((k) => k.kid)).toEqual([fresh.kid, old.kid])
        const jwks = createLocalJWKSet({ keys: [...published] })
        const verified = yield* Effect.promise(() =>
          jwtVerify(oldToken, jwks, { audience: 'a', currentDate: new Date(1_000) }),
        )
        expect(verified.protectedHeader.kid).toBe(old.kid)
        const stored = JSON.parse(readFileSync(join(dataDir, Keys.fileName), 'utf8')) as {
          keys: Array<{ kid: string }>
        }
        expect(stored.keys.map((k) => k.kid)).toEqual([fresh.kid, old.kid])
        yield* TestClock.adjust(60_001)
        expect((yield* keys.published).map((k) => k.kid)).toEqual([fresh.kid])
        // a restart keeps the current key
        const again = yield* Keys.make({ dataDir, retainMs: 60_000 })
        expect((yield* again.current).kid).toBe(fresh.kid)
      }).pipe(Effect.provide(TestContext.TestContext)),
    )
  })

  it('are published by the routes: OpenID configuration (both paths), JWKS, and rotated by the admin route', async () => {
    const layer = Layer.mergeAll(Keys.layer({ issuer: 'http://sb.test' }), MemoryStore.layer())
    const request = {
      method: 'GET',
      rawPath: '/',
      query: new URLSearchParams(),
      headers: {},
      body: new Uint8Array(),
    }
    const call = (name: string) =>
      Effect.flatMap(Effect.succeed(Routes.routes.find((r) => r.name === name)!), (r) =>
        r.handle(request, {}),
      )
    await Effect.runPromise(
      Effect.gen(function* () {
        for (const name of ['webhooks.openidConfiguration', 'webhooks.acsOpenidConfiguration']) {
          const r = yield* call(name)
          expect(r.status).toBe(200)
          expect(r.body).toMatchObject({
            issuer: 'http://sb.test',
            jwks_uri: 'http://sb.test/calling/keys',
            resource_id: (yield* Keys.Keys).resourceId,
          })
        }
        const before = (yield* call('webhooks.jwks')).body as { keys: Array<{ kid: string }> }
        expect(before.keys).toHaveLength(1)
        expect(before.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' })
        expect(JSON.stringify(before)).not.toMatch(/"d"|"p"|"q"/)
        const rotated = yield* call('webhooks.rotateKeys')
        expect(rotated.status).toBe(200)
        const after = (yield* call('webhooks.jwks')).body as { keys: Array<{ kid: string }> }
        expect(after.keys.map((k) => k.kid)).toEqual([
          (rotated.body as { kid: string }).kid,
          before.keys[0]!.kid,
        ])
        const auth = Routes.routes.filter((r) => r.path.startsWith('/admin')).map((r) => r.auth)
        expect(auth).toEqual(['acs', 'acs', 'acs'])
      }).pipe(Effect.provide(layer)),
    )
  })
})
