import { Effect } from 'effect'
import * as Keys from '../src/Keys.js'
import * as Token from '../src/Token.js'
import * as Verifier from '../src/Verifier.js'

/** A key set and a verifier that reads it through a fake `fetch` (no network). */
export const issuer = 'https://switchboard.test'
export const audience = 'resource-under-test'

export const setup = async (options: Partial<Verifier.Options> = {}) => {
  const keys = await Effect.runPromise(Keys.make({ issuer }))
  let fetches = 0
  const fetch = async (url: string): Promise<Response> => {
    fetches++
    if (url === `${issuer}/.well-known/openid-configuration`)
      return Response.json(Keys.openIdConfiguration(keys))
    if (url === `${issuer}/calling/keys`)
      return Response.json({ keys: await Effect.runPromise(keys.published) })
    return new Response('not found', { status: 404 })
  }
  const verifier = Verifier.make({ issuer, audience, fetch, cooldownMs: 0, ...options })
  const sign = async (claims: Partial<Token.Claims> = {}) =>
    Token.mint(await Effect.runPromise(keys.current), {
      issuer,
      audience,
      now: Date.now(),
      ...claims,
    })
  return { keys, verifier, sign, fetches: () => fetches }
}

export const post = (body: string, token: string | null, url = 'http://app.test/callbacks') =>
  new Request(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
    },
    body,
  })
