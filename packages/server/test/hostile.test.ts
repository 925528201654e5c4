import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Auth } from '@switchboard/http'
import * as Plugins from '../src/Plugins.js'
import * as Harness from './Harness.js'

/**
 * Hostile input against the whole composition `serve` runs (the ACS API plus the routes the
 * media and webhooks plugins contribute, whose services the composition must provide): arbitrary
 * bodies, headers and path parameters on every route listed in /openapi.json, signed and
 * unsigned. Never a 5xx, and the process keeps serving.
 */

let service: Harness.Service
let routes: Array<{ method: string; path: string }> = []

beforeAll(async () => {
  service = await Harness.start({
    store: await Harness.openStore('memory'),
    factories: [Plugins.media, Plugins.webhooks],
  })
  const doc = (await (await fetch(`${service.url}openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>
  }
  routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((m) => ({ method: m.toUpperCase(), path })),
  )
})

afterAll(async () => {
  await service.close()
})

describe('every route of the composed service', () => {
  it('lists the ACS operations and the plugins’ routes', () => {
    const paths = routes.map((r) => r.path)
    expect(paths).toContain('/calling/callConnections/{callConnectionId}:sendDtmfTones')
    expect(paths.some((p) => p.startsWith('/simulator/'))).toBe(true)
    expect(paths).toContain('/calling/keys')
    expect(paths.some((p) => p.startsWith('/admin/deadLetters'))).toBe(true)
  })

  it('arbitrary bodies, headers and parameters, signed and unsigned: never a 5xx', async () => {
    const param = fc.oneof(
      fc.string({ maxLength: 80 }),
      fc.constantFrom('4:+14255550101', '8:acs:user', 'nope', '%00', '1'),
    )
    const body = fc.oneof(
      fc.json(),
      fc.string({ maxLength: 200 }),
      fc
        .jsonValue()
        .map((v) =>
          JSON.stringify({ tones: v, answer: v, targetParticipant: v, limit: v, from: v, to: v }),
        ),
    )
    const header = fc.dictionary(
      fc.constantFrom('content-type', 'repeatability-request-id', 'repeatability-first-sent'),
      fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        param,
        param,
        body,
        fc.boolean(),
        header,
        async (route, a, b, text, signed, headers) => {
          let i = 0
          const path = route.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(i++ === 0 ? a : b))
          const url = new URL(
            `${path.slice(1)}?api-version=1&limit=${encodeURIComponent(a)}`,
            service.url,
          )
          const payload = route.method === 'GET' || route.method === 'DELETE' ? '' : text
          const res = await fetch(url, {
            method: route.method,
            headers: {
              ...(payload.length > 0 ? { 'content-type': 'application/json' } : {}),
              ...headers,
              ...(signed
                ? Auth.signedHeaders({
                    accessKey: service.accessKey,
                    method: route.method,
                    pathAndQuery: url.pathname + url.search,
                    host: url.host,
                    body: payload,
                  })
                : {}),
            },
            ...(payload.length > 0 ? { body: payload } : {}),
          })
          await res.arrayBuffer()
          if (res.status >= 500) throw new Error(`${route.method} ${url.pathname}: ${res.status}`)
        },
      ),
      { numRuns: 400 },
    )
    expect((await fetch(`${service.url}healthz`)).status).toBe(200)
    expect(service.logs.filter((l) => l.includes('"level":"error"'))).toEqual([])
  })
})
