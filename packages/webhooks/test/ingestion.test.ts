import { readFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Effect } from 'effect'
import { generateKeyPairSync } from 'node:crypto'
import { Identifier, PlaySource } from '@switchboard/core'
import { MemoryStore } from '@switchboard/store'
import { EventGrid } from '@switchboard/wire'
import * as Ingestion from '../src/Ingestion.js'
import * as Token from '../src/Token.js'
import { post, setup } from './Signing.js'

interface Fixture {
  readonly callConnectionId: string
  readonly bodies: ReadonlyArray<ReadonlyArray<{ id: string; type: string }>>
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/acs-call.json', import.meta.url), 'utf8'),
) as Fixture
const bodies = fixture.bodies.map((b) => JSON.stringify(b))
const callId = fixture.callConnectionId

const fresh = async () => {
  const s = await setup()
  const store = MemoryStore.open()
  const ingestion = await Ingestion.open(store, { verifier: s.verifier })
  return { ...s, store, ingestion }
}

const feed = async (
  ingestion: Ingestion.Ingestion,
  sign: () => Promise<string>,
  order: ReadonlyArray<number>,
) => {
  for (const i of order) {
    const res = await ingestion.handle(post(bodies[i]!, await sign()))
    expect(res.status).toBe(200)
  }
}

describe('callback ingestion', () => {
  it('folds recorded ACS callbacks into the projection: operations, participants and hold, DTMF with gaps, streaming, transcription', async () => {
    const { ingestion, sign } = await fresh()
    await feed(
      ingestion,
      sign,
      bodies.map((_, i) => i),
    )
    const view = (await ingestion.view(callId))!
    expect(view.status).toBe('disconnected')
    expect(view.callbacks).toBe(bodies.length - 1) // RecordingStateChanged is kept, not folded
    expect(view.operations.finished.map((f) => `${f.type}:${f.operationContext}`)).toEqual([
      'PlayCompleted:welcome',
      'RecognizeCompleted:menu',
      'SendDtmfTonesCompleted:dtmf-out',
      'PlayFailed:bad-file',
    ])
    expect(view.operations.finished[3]!.resultInformation?.subCode).toBe(8536)
    expect(view.participants.map((p) => [p.rawId, p.isMuted, p.isOnHold])).toEqual([
      ['4:+14255550123', false, true],
      [
        '8:acs:9a1b2c3d-0000-4000-8000-1234567890ab_0000001a-b2c3-d4e5-f6a7-b8c9d0e1f2a3',
        true,
        false,
      ],
    ])
    expect(view.dtmf.keys).toBe('12#')
    expect(view.dtmf.missing).toEqual([3])
    expect(view.streaming.last?.mediaStreamingStatus).toBe('mediaStreamingStarted')
    expect(view.transcription.last?.transcriptionStatus).toBe('transcriptionStopped')
    expect(view.transcription.status).toBe('Off')
  })

  it('gives the same projection for the same callbacks in any order, any number of times', async () => {
    const reference = await fresh()
    await feed(
      reference.ingestion,
      reference.sign,
      bodies.map((_, i) => i),
    )
    const expected = await reference.ingestion.view(callId)
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(
          bodies.map((_, i) => i),
          { minLength: bodies.length, maxLength: bodies.length },
        ),
        fc.array(fc.nat(bodies.length - 1), { maxLength: 10 }),
        fc.nat(),
        async (permutation, extra, at) => {
          const { ingestion, sign } = await fresh()
          const order = [...permutation]
          for (const e of extra) order.splice(at % (order.length + 1), 0, e)
          await feed(ingestion, sign, order)
          expect(await ingestion.view(callId)).toEqual(expected)
        },
      ),
      { numRuns: 25 },
    )
  })

  it('acknowledges a redelivered event with 200 and records it once; runs handlers once', async () => {
    const { ingestion, sign, store } = await fresh()
    const seen: Array<string> = []
    ingestion.on('PlayCompleted', (e, ctx) => {
      seen.push(`${e.operationContext}@${ctx.id}`)
    })
    for (let i = 0; i < 3; i++)
      expect((await ingestion.handle(post(bodies[3]!, await sign()))).status).toBe(200)
    expect(seen).toEqual(['welcome@7b1c2d3e-0004-4a5b-8c6d-7e8f9a0b1c2d'])
    const stored = await Effect.runPromise(store.events.read(callId as never))
    expect(stored).toHaveLength(1)
    // a body repeating an id twice records it once
    const twice = JSON.stringify([...JSON.parse(bodies[2]!), ...JSON.parse(bodies[2]!)])
    expect((await ingestion.handle(post(twice, await sign()))).status).toBe(200)
    expect(await Effect.runPromise(store.events.read(callId as never))).toHaveLength(2)
  })

  it('survives a restart: the log and the deduplication are in the store', async () => {
    const { ingestion, sign, store, verifier } = await fresh()
    await feed(ingestion, sign, [0, 1, 2])
    const again = await Ingestion.open(store, { verifier })
    await feed(again, sign, [2, 3, 0])
    expect((await again.view(callId))!.callbacks).toBe(4)
    expect(await Effect.runPromise(store.events.read(callId as never))).toHaveLength(4)
  })

  it('refuses missing, malformed, forged, expired, wrong-audience and wrong-issuer tokens with 401 and records nothing', async () => {
    const { ingestion, sign, keys } = await fresh()
    const current = await Effect.runPromise(keys.current)
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
    const forged = Token.mint(
      { ...current, privateKey },
      { issuer: keys.issuer, audience: 'resource-under-test', now: Date.now() },
    )
    const tokens: Array<string | null> = [
      null,
      'not-a-jwt',
      forged,
      await sign({ now: Date.now() - 10 * 60_000 }),
      await sign({ audience: 'someone-else' }),
      await sign({ issuer: 'https://evil.test' }),
      (await sign()).replace(/\.[^.]+$/, '.AAAA'),
    ]
    for (const token of tokens) {
      const res = await ingestion.handle(post(bodies[0]!, token))
      expect(res.status).toBe(401)
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('Unauthorized')
    }
    const hs = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.x`
    expect((await ingestion.handle(post(bodies[0]!, hs))).status).toBe(401)
    expect(await ingestion.view(callId)).toBeNull()
  })

  it('follows a key rotation: tokens of the new key verify after a JWKS refetch, the old key still verifies while published', async () => {
    const { ingestion, sign, keys, fetches } = await fresh()
    const old = await sign()
    expect((await ingestion.handle(post(bodies[0]!, old))).status).toBe(200)
    const before = fetches()
    await Effect.runPromise(keys.rotate)
    expect((await ingestion.handle(post(bodies[1]!, await sign()))).status).toBe(200)
    expect(fetches()).toBeGreaterThan(before)
    expect((await ingestion.handle(post(bodies[2]!, old))).status).toBe(200)
  })

  it('answers 400 for bodies that do not decode, and applies none of a batch with one bad event', async () => {
    const { ingestion, sign } = await fresh()
    const batch = [...JSON.parse(bodies[0]!), { ...JSON.parse(bodies[1]!)[0], data: { nope: 1 } }]
    const res = await ingestion.handle(post(JSON.stringify(batch), await sign()))
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('BadRequest')
    expect(await ingestion.view(callId)).toBeNull()
    expect((await ingestion.handle(post('{"oops"', await sign()))).status).toBe(400)
  })

  it('never answers 5xx, whatever the body (signed or not)', async () => {
    const { ingestion, sign } = await fresh()
    const token = await sign()
    const cloudish = fc.record({
      id: fc.oneof(fc.string(), fc.uuid()),
      source: fc.string(),
      type: fc.oneof(fc.string(), fc.constantFrom(...fixture.bodies.map((b) => b[0]!.type))),
      specversion: fc.constant('1.0'),
      time: fc.oneof(
        fc.string(),
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      ),
      data: fc.oneof(
        fc.anything(),
        fc.record({
          callConnectionId: fc.string(),
          serverCallId: fc.string(),
          correlationId: fc.string(),
          sequenceId: fc.anything(),
          tone: fc.string(),
          participants: fc.anything(),
        }),
      ),
      sequence: fc.anything(),
    })
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.anything().map((a) => JSON.stringify(a) ?? 'null'),
          fc.array(cloudish, { maxLength: 4 }).map((a) => JSON.stringify(a)),
        ),
        fc.boolean(),
        async (body, signed) => {
          const res = await ingestion.handle(post(body, signed ? token : null))
          expect(res.status).toBeLessThan(500)
        },
      ),
      { numRuns: 300 },
    )
  })

  it('asks the core whether an operation would be accepted now, and records commands the app sent', async () => {
    const { ingestion, sign } = await fresh()
    const play = {
      _tag: 'PlayToAll' as const,
      sources: [PlaySource.file('https://example.test/a.wav')],
      loop: false,
      interrupt: false,
      operationContext: 'welcome',
    }
    await feed(ingestion, sign, [0, 1])
    const now = Date.parse('2025-03-21T17:22:31.9Z')
    const verdict = await ingestion.wouldAccept(callId, play, now)
    expect(verdict.accepted).toBe(true)
    const recorded = await ingestion.record(callId, play, now)
    expect(recorded.accepted).toBe(true)
    expect(
      (await ingestion.view(callId))!.operations.pending.map((p) => p.operationContext),
    ).toEqual(['welcome'])
    await feed(ingestion, sign, [2, 3])
    expect((await ingestion.view(callId))!.operations.pending).toEqual([])
    const caller = Identifier.phoneNumber('+14255550123')
    await feed(ingestion, sign, [15])
    const after = await ingestion.wouldAccept(
      callId,
      { _tag: 'Hold', target: caller },
      Date.parse('2025-03-21T17:23:05Z'),
    )
    expect(after.accepted).toBe(false)
  })

  it('answers the Event Grid subscription validation handshake and passes IncomingCall on', async () => {
    const { ingestion } = await fresh()
    const validation = EventGrid.subscriptionValidation({
      id: 'v-1',
      topic: '/subscriptions/x',
      time: '2025-03-21T17:00:00Z',
      validationCode: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6',
    })
    const res = await ingestion.eventGrid(post(EventGrid.encodeBatch([validation]), null))
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ validationResponse: '512d38b6-c7b8-40c8-89fe-f46f9e9622b6' })
    const calls: Array<string> = []
    ingestion.onIncomingCall((e) => {
      calls.push(e.data.incomingCallContext)
    })
    const incoming = EventGrid.incomingCall({
      id: 'ic-1',
      topic: '/subscriptions/x',
      time: '2025-03-21T17:00:01Z',
      to: Identifier.communicationUser('8:acs:app'),
      from: Identifier.phoneNumber('+14255550123'),
      serverCallId: 'server',
      incomingCallContext: 'ctx-blob',
      correlationId: 'corr',
    })
    expect((await ingestion.eventGrid(post(EventGrid.encodeBatch([incoming]), null))).status).toBe(
      200,
    )
    expect(calls).toEqual(['ctx-blob'])
    expect((await ingestion.eventGrid(post('[{"eventType":1}]', null))).status).toBe(400)
  })

  it('serves node:http through nodeListener: 200 for a signed callback, 401 unsigned, 413 over the limit', async () => {
    const { ingestion, sign } = await fresh()
    const server = http.createServer(Ingestion.nodeListener(ingestion.handle, 64 * 1024))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callbacks`
    try {
      const send = (body: string, token: string | null) =>
        fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
          },
          body,
        })
      expect((await send(bodies[0]!, await sign())).status).toBe(200)
      const refused = await send(bodies[1]!, null)
      expect(refused.status).toBe(401)
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'Unauthorized',
      )
      expect((await send('x'.repeat(100 * 1024), await sign())).status).toBe(413)
      expect((await fetch(url)).status).toBe(405)
      expect((await ingestion.view(callId))!.callbacks).toBe(1)
    } finally {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  })

  it('serves any Web handler through nodeListener (the Event Grid handshake: headers and body of its Response)', async () => {
    const { ingestion } = await fresh()
    const server = http.createServer(Ingestion.nodeListener(ingestion.eventGrid))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/eventgrid`
    try {
      const validation = EventGrid.subscriptionValidation({
        id: 'v-2',
        topic: '/subscriptions/x',
        time: '2025-03-21T17:00:00Z',
        validationCode: 'c0de',
      })
      const res = await fetch(url, { method: 'POST', body: EventGrid.encodeBatch([validation]) })
      expect(res.status).toBe(200)
      expect(res.headers.get('content-type')).toBe('application/json')
      expect(await res.json()).toEqual({ validationResponse: 'c0de' })
      expect((await fetch(url, { method: 'POST', body: 'not json' })).status).toBe(400)
    } finally {
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  })
})
