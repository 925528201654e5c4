import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Identifier } from '@switchboard/core'
import { Requests } from '@switchboard/wire'
import { Effect } from 'effect'
import * as OpenApi from '../src/OpenApi.js'
import * as Operations from '../src/Operations.js'
import * as Service from './Service.js'

let service: Service.Service

beforeAll(async () => {
  service = await Service.start()
})
afterAll(async () => {
  await service.close()
})

const createBody = JSON.stringify({
  targets: [
    { kind: 'phoneNumber', rawId: '4:+14255550123', phoneNumber: { value: '+14255550123' } },
  ],
  sourceCallerIdNumber: { value: '+18005550100' },
  callbackUri: 'https://app.example/cb',
})
const q = '?api-version=2026-03-12'

const calls = async () =>
  (await Effect.runPromise(service.store.events.listCalls({ limit: 10_000 }))).length

const created = async () => {
  const r = await service.send('POST', `/calling/callConnections${q}`, createBody)
  expect(r.status).toBe(201)
  const id = (r.json as { callConnectionId: string }).callConnectionId
  for (let i = 0; i < 200; i++) {
    const g = await service.send('GET', `/calling/callConnections/${id}${q}`)
    if ((g.json as { callConnectionState?: string }).callConnectionState === 'connected') return id
    await new Promise((r) => setTimeout(r, 5))
  }
  throw new Error('the call did not connect')
}

describe('authentication (reference 1.2)', () => {
  it('refuses a wrong key, an altered body, a stale date and missing headers with 401/7509; nothing is recorded', async () => {
    const before = await calls()
    const path = `/calling/callConnections${q}`
    const wrongKey = Buffer.from('x'.repeat(32)).toString('base64')
    const attempts = [
      await service.send('POST', path, createBody, {}, { key: wrongKey }),
      await service.send('POST', path, createBody, {
        'x-ms-content-sha256': 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
      }),
      await service.send(
        'POST',
        path,
        createBody,
        {},
        { date: new Date(Date.now() - 20 * 60_000) },
      ),
      await service.send(
        'POST',
        path,
        createBody,
        {},
        { date: new Date(Date.now() + 20 * 60_000) },
      ),
      await service.send('POST', path, createBody, { authorization: undefined }),
      await service.send('POST', path, createBody, { 'x-ms-date': undefined }),
      await service.send('POST', path, createBody, { 'x-ms-content-sha256': undefined }),
    ]
    for (const r of attempts) {
      expect(r.status).toBe(401)
      expect(r.json).toMatchObject({ error: { code: '7509' } })
    }
    expect(await calls()).toBe(before)
  })
  it('an altered body under a valid signature is refused', async () => {
    const before = await calls()
    const res = await fetch(`${service.url}calling/callConnections${q}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(await signedFor(createBody)),
      },
      body: createBody.replace('+14255550123', '+14255550124'),
    })
    expect(res.status).toBe(401)
    const elsewhere = await fetch(`${service.url}calling/callConnections?api-version=other`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await signedFor(createBody)) },
      body: createBody,
    })
    expect(elsewhere.status).toBe(401)
    expect(await calls()).toBe(before)
  })
})

const signedFor = async (body: string) => {
  const { Auth } = await import('../src/index.js')
  return Auth.signedHeaders({
    accessKey: service.accessKey,
    method: 'POST',
    pathAndQuery: `/calling/callConnections${q}`,
    host: service.host,
    body,
  })
}

describe('repeatability (reference 9)', () => {
  it('the same id and body: the stored response, accepted, nothing done twice', async () => {
    const before = await calls()
    const headers = {
      'repeatability-request-id': 'f3c1a9f0-4b0a-4c1e-9d51-0d2b1c7c0001',
      'repeatability-first-sent': new Date().toUTCString(),
    }
    const first = await service.send('POST', `/calling/callConnections${q}`, createBody, headers)
    const second = await service.send('POST', `/calling/callConnections${q}`, createBody, headers)
    expect(first.status).toBe(201)
    expect(second.status).toBe(201)
    expect(first.headers.get('repeatability-result')).toBe('accepted')
    expect(second.headers.get('repeatability-result')).toBe('accepted')
    expect(second.json).toEqual(first.json)
    expect(await calls()).toBe(before + 1)
  })
  it('the same id with another body is refused with 409/8519', async () => {
    const headers = {
      'repeatability-request-id': 'f3c1a9f0-4b0a-4c1e-9d51-0d2b1c7c0002',
      'repeatability-first-sent': new Date().toUTCString(),
    }
    const first = await service.send('POST', `/calling/callConnections${q}`, createBody, headers)
    expect(first.status).toBe(201)
    const other = await service.send(
      'POST',
      `/calling/callConnections${q}`,
      createBody.replace('+14255550123', '+14255550999'),
      headers,
    )
    expect(other.status).toBe(409)
    expect(other.json).toMatchObject({ error: { code: '8519' } })
  })
  it('a repeated sendDtmfTones is sent once', async () => {
    const id = await created()
    const body = JSON.stringify({
      tones: ['one', 'two'],
      targetParticipant: { rawId: '4:+14255550123', phoneNumber: { value: '+14255550123' } },
      operationContext: 'once',
    })
    const headers = {
      'repeatability-request-id': 'f3c1a9f0-4b0a-4c1e-9d51-0d2b1c7c0003',
      'repeatability-first-sent': new Date().toUTCString(),
    }
    const path = `/calling/callConnections/${id}:sendDtmfTones${q}`
    const a = await service.send('POST', path, body, headers)
    const b = await service.send('POST', path, body, headers)
    expect([a.status, b.status]).toEqual([202, 202])
    expect(b.json).toEqual({ operationContext: 'once' })
    const events = await Effect.runPromise(service.store.events.read(id as never))
    expect(events.filter((e) => e.type === 'OperationAccepted')).toHaveLength(1)
  })
  it('Repeatability-First-Sent is required with a Request-ID (400/8523)', async () => {
    const r = await service.send('POST', `/calling/callConnections${q}`, createBody, {
      'repeatability-request-id': 'f3c1a9f0-4b0a-4c1e-9d51-0d2b1c7c0004',
    })
    expect(r.status).toBe(400)
    expect(r.json).toMatchObject({ error: { code: '8523' } })
  })
})

describe('bad input gets a 4xx in the ACS error shape', () => {
  it('malformed JSON 400/8523, wrong content type 415, unknown call 404/8522, unknown route 404, wrong method 405', async () => {
    const id = await created()
    const play = `/calling/callConnections/${id}:play${q}`
    const bad = await service.send('POST', play, '{"playSources":[', {})
    expect(bad.status).toBe(400)
    expect(bad.json).toMatchObject({ error: { code: '8523' } })
    const type = await service.send('POST', play, '{}', { 'content-type': 'text/plain' })
    expect(type.status).toBe(415)
    const missing = await service.send('POST', play, '{}')
    expect(missing.status).toBe(400)
    expect((missing.json as { error: { message: string } }).error.message).toMatch(/playSources/)
    const unknown = await service.send(
      'POST',
      `/calling/callConnections/nope:play${q}`,
      '{"playSources":[{"kind":"file","file":{"uri":"https://x/a.wav"}}]}',
    )
    expect(unknown.status).toBe(404)
    expect(unknown.json).toMatchObject({ error: { code: '8522' } })
    const route = await service.send('GET', '/calling/nothing')
    expect(route.status).toBe(404)
    const method = await service.send('PUT', `/calling/callConnections/${id}`)
    expect(method.status).toBe(405)
    expect(method.headers.get('allow')).toBe('GET, DELETE')
  })
  it('a body over the limit is 413', async () => {
    const big = JSON.stringify({ operationContext: 'x'.repeat(100_000) })
    const r = await service.send(
      'POST',
      `/calling/callConnections/any:startMediaStreaming${q}`,
      big,
    )
    expect(r.status).toBe(413)
  })
  it('healthz answers 200 and openapi.json lists every operation with its codec', async () => {
    const h = await fetch(`${service.url}healthz`)
    expect(h.status).toBe(200)
    const doc = (await (await fetch(`${service.url}openapi.json`)).json()) as {
      openapi: string
      paths: Record<
        string,
        Record<
          string,
          {
            operationId: string
            requestBody?: { content: Record<string, { schema: { $ref?: string } }> }
            responses: Record<string, unknown>
          }
        >
      >
      components: { schemas: Record<string, unknown> }
    }
    expect(doc.openapi).toBe('3.1.0')
    const ops = Operations.make({ app: Identifier.communicationUser('8:acs:app') })
    expect(ops).toHaveLength(27)
    for (const op of ops) {
      const entry = doc.paths[op.path]?.[op.method.toLowerCase()]
      expect(entry?.operationId).toBe(op.name)
      if (op.name in Requests.byOperation && op.request?.name !== 'unknown') {
        const codec = Requests.byOperation[op.name as keyof typeof Requests.byOperation]
        expect(entry?.requestBody?.content['application/json']?.schema.$ref).toBe(
          `#/components/schemas/${codec.name}`,
        )
        expect(doc.components.schemas[codec.name]).toBeDefined()
      }
    }
    expect(OpenApi.document(ops, []).paths).toEqual(doc.paths)
  })
})

const routes = Operations.make({ app: Identifier.communicationUser('8:acs:app') })
const pathOf = (pattern: string, id: string, raw: string) =>
  pattern
    .replace('{callConnectionId}', encodeURIComponent(id))
    .replace('{participantRawId}', encodeURIComponent(raw))

describe('hostile input', () => {
  it('arbitrary bodies, headers and paths on every route, signed and unsigned: never a 5xx', async () => {
    const id = await created()
    const json = fc.oneof(
      fc.json(),
      fc.string(),
      fc.jsonValue().map((v) => JSON.stringify({ targetParticipant: v, tones: v, playSources: v })),
      fc.constantFrom(
        '{"tones":["one"],"targetParticipant":{"rawId":"4:+14255550123","phoneNumber":{"value":"+14255550123"}}}',
        '{"playSources":[{"kind":"file","file":{"uri":"https://x/a.wav"}}],"playTo":[]}',
        '{"incomingCallContext":"x","callbackUri":"https://a/b"}',
        '{"targets":[],"callbackUri":""}',
      ),
    )
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        json,
        fc.boolean(),
        fc.oneof(fc.constant(id), fc.string({ maxLength: 300 }), fc.constant('%00')),
        fc.string({ maxLength: 40 }),
        fc.dictionary(
          fc.constantFrom(
            'repeatability-request-id',
            'repeatability-first-sent',
            'content-type',
            'x-ms-client-request-id',
          ),
          fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
        ),
        async (route, body, signed, callId, raw, headers) => {
          const path = `${pathOf(route.path, callId, raw)}${q}`
          const r = signed
            ? await service.send(route.method, path, route.method === 'GET' ? '' : body, headers)
            : await fetch(`${service.url}${path.slice(1)}`, {
                method: route.method,
                ...(route.method === 'GET' ? {} : { body }),
              }).then(async (x) => ({ status: x.status, json: await x.text() }))
          expect(r.status).toBeLessThan(500)
          expect(r.status).toBeGreaterThanOrEqual(200)
        },
      ),
      { numRuns: 300 },
    )
    const paths = fc.string({ maxLength: 200 }).map((s) => `/${s}`)
    await fc.assert(
      fc.asyncProperty(
        paths,
        fc.constantFrom('GET', 'POST', 'DELETE', 'PUT', 'PATCH'),
        async (p, m) => {
          const r = await fetch(`${service.url}${encodeURI(p).slice(1)}`, { method: m }).catch(
            () => null,
          )
          if (r !== null) expect(r.status).toBeLessThan(500)
        },
      ),
      { numRuns: 200 },
    )
    expect(service.logs.filter((l) => l.includes('"level":"error"'))).toEqual([])
  })
})

describe('the store unreachable', () => {
  it('healthz answers 503 and requests 503/9999, the process keeps serving', async () => {
    const id = await created()
    await Effect.runPromise(service.store.close())
    const h = await fetch(`${service.url}healthz`)
    expect(h.status).toBe(503)
    const r = await service.send(
      'POST',
      `/calling/callConnections/other-call:play${q}`,
      '{"playSources":[{"kind":"file","file":{"uri":"https://x/a.wav"}}]}',
    )
    expect(r.status).toBe(503)
    expect(r.json).toMatchObject({ error: { code: '9999' } })
    const g = await service.send('GET', `/calling/callConnections/${id}/participants${q}`)
    expect([200, 503]).toContain(g.status) // a cached call may still be read
    expect((await fetch(`${service.url}openapi.json`)).status).toBe(200)
  })
})
