import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { Effect, Layer, ManagedRuntime } from 'effect'
import { createLocalJWKSet, jwtVerify } from 'jose'
import { Wakeup } from '@switchboard/runtime'
import { EventStore, MemoryStore, Outbox, PgliteStore, type Services } from '@switchboard/store'
import * as Delivery from '../src/Delivery.js'
import * as HttpClient from '../src/HttpClient.js'
import * as Keys from '../src/Keys.js'
import * as Routes from '../src/Routes.js'
import { commit, item } from './Items.js'
import * as Receiver from './Receiver.js'

const issuer = 'http://switchboard.test'
const fast = { baseDelayMs: 5, maxDelayMs: 40, horizonMs: 60_000 }

const worldOf = (store: Layer.Layer<Services, unknown>, options: Delivery.Options) => {
  const base = Layer.mergeAll(store, Wakeup.layer, Keys.layer({ issuer }), HttpClient.layer())
  return Layer.provideMerge(Delivery.layerWith(options), base)
}

type World = ReturnType<typeof worldOf>
let runtime: ManagedRuntime.ManagedRuntime<Layer.Layer.Success<World>, unknown> | null = null
const receivers: Array<Receiver.Receiver> = []

afterEach(async () => {
  await runtime?.dispose()
  runtime = null
  await Promise.all(receivers.splice(0).map((r) => r.close()))
})

const start = async (store: Layer.Layer<Services, unknown>, options: Delivery.Options) => {
  runtime = ManagedRuntime.make(worldOf(store, { pollIntervalMs: 25, backoff: fast, ...options }))
  await runtime.runPromise(Effect.void)
  return runtime
}

const until = async (done: () => boolean, ms = 30_000) => {
  const end = Date.now() + ms
  while (!done()) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}

interface Cloud {
  id: string
  type: string
  sequence: number
  source: string
  data: { callConnectionId: string; operationContext?: string }
}
const eventsOf = (r: Receiver.Received) => r.body as Array<Cloud>

/** Fails the first `n` attempts of every call (alternating 500 and connection resets). */
const flaky = (n: number) => {
  const attempts = new Map<string, number>()
  return (r: Receiver.Received): Receiver.Answer => {
    const call = eventsOf(r)[0]!.data.callConnectionId
    const k = (attempts.get(call) ?? 0) + 1
    attempts.set(call, k)
    return k <= n ? (k % 2 === 0 ? 'reset' : 500) : 204
  }
}

const burst = (calls: number, perCall: number, url: string) =>
  Effect.gen(function* () {
    const events = yield* EventStore
    const wakeup = yield* Wakeup.Wakeup
    // commits interleaved across calls, one callback per append, as a busy service does
    for (let k = 1; k <= perCall; k++)
      for (let c = 0; c < calls; c++) {
        yield* commit(events, [item(c, k, `${url}/cb/${c}`, Date.now())], Date.now())
        yield* wakeup.wake
      }
  })

const orderedExactlyOnce = (
  received: ReadonlyArray<Receiver.Received>,
  calls: number,
  perCall: number,
) => {
  const seen = new Map<string, Array<number>>()
  const unique = new Set<string>()
  const raw = new Map<string, Array<number>>()
  for (const r of received)
    for (const e of eventsOf(r)) {
      const call = e.data.callConnectionId
      raw.set(call, [...(raw.get(call) ?? []), e.sequence])
      if (unique.has(e.id)) continue
      unique.add(e.id)
      seen.set(call, [...(seen.get(call) ?? []), e.sequence])
    }
  expect(unique.size).toBe(calls * perCall)
  const expected = Array.from({ length: perCall }, (_, i) => i + 1)
  for (let c = 0; c < calls; c++) {
    expect(seen.get(`call-${c}`)).toEqual(expected)
    // never a later event before an earlier one was acknowledged: attempts are non-decreasing
    const attempts = raw.get(`call-${c}`)!
    for (let i = 1; i < attempts.length; i++)
      expect(attempts[i]!).toBeGreaterThanOrEqual(attempts[i - 1]!)
  }
}

describe('callback delivery', () => {
  for (const [name, store] of [
    ['memory', () => MemoryStore.layer()],
    ['PGlite', () => PgliteStore.layer()],
  ] as const)
    it(`delivers every event in order per call, exactly once after deduplication, to a receiver that fails the first attempts of every call (${name})`, async () => {
      const receiver = await Receiver.start(flaky(3))
      receivers.push(receiver)
      const rt = await start(store(), { concurrency: 16 })
      const calls = 12
      const perCall = 5
      await rt.runPromise(burst(calls, perCall, receiver.url))
      await until(
        () =>
          new Set(receiver.received.flatMap((r) => eventsOf(r).map((e) => e.id))).size >=
          calls * perCall,
      )
      // settle: every item acknowledged
      for (;;) {
        const pending = await rt.runPromise(Effect.flatMap(Outbox, (o) => o.pending()))
        if (pending.length === 0) break
        await new Promise((r) => setTimeout(r, 20))
      }
      orderedExactlyOnce(receiver.received, calls, perCall)
    })

  for (const signingThreads of [0, 2])
    it(`keeps the order per call with items claimed ahead of few POST slots (prefetch 40, 2 slots, ${signingThreads} signing threads), through failures`, async () => {
      const receiver = await Receiver.start(flaky(2))
      receivers.push(receiver)
      const rt = await start(MemoryStore.layer(), {
        concurrency: 2,
        prefetch: 40,
        signingThreads,
      })
      const calls = 10
      const perCall = 6
      await rt.runPromise(burst(calls, perCall, receiver.url))
      for (;;) {
        const pending = await rt.runPromise(Effect.flatMap(Outbox, (o) => o.pending()))
        if (pending.length === 0) break
        await new Promise((r) => setTimeout(r, 20))
      }
      orderedExactlyOnce(receiver.received, calls, perCall)
    })

  it('signs each POST with an RS256 bearer token that verifies against the published JWKS, and sends the CloudEvent as ACS does', async () => {
    const receiver = await Receiver.start()
    receivers.push(receiver)
    const rt = await start(MemoryStore.layer(), {})
    await rt.runPromise(burst(2, 2, receiver.url))
    await until(() => receiver.received.length >= 4)
    const keys = await rt.runPromise(Keys.Keys)
    const jwks = createLocalJWKSet({ keys: [...(await rt.runPromise(keys.published))] })
    const tokens = new Set<string>()
    for (const r of receiver.received) {
      expect(r.headers['content-type']).toBe('application/json')
      const auth = r.headers.authorization ?? ''
      expect(auth.startsWith('Bearer ')).toBe(true)
      const token = auth.slice(7)
      tokens.add(token)
      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        issuer,
        audience: keys.resourceId,
        algorithms: ['RS256'],
      })
      expect(protectedHeader.kid).toBe((await rt.runPromise(keys.current)).kid)
      expect(payload.exp! - payload.iat!).toBe(300)
      const body = eventsOf(r)
      expect(body).toHaveLength(1)
      expect(body[0]!.type).toBe('Microsoft.Communication.PlayCompleted')
      expect(body[0]!.source).toBe(`calling/callConnections/${body[0]!.data.callConnectionId}`)
      expect(r.path).toBe(`/cb/${body[0]!.data.callConnectionId.slice(5)}`)
    }
    expect(tokens.size).toBe(4)
  })

  it('dead-letters an item past the horizon (5 + 10 + 10 ms of nominal backoff >= 20 ms: the third failure), lets later events of the call through, and redrives it through the admin route', async () => {
    let down = true
    const receiver = await Receiver.start((r) =>
      down && eventsOf(r)[0]!.sequence === 1 ? 503 : 204,
    )
    receivers.push(receiver)
    const attempts: Array<Delivery.Attempt> = []
    const rt = await start(MemoryStore.layer(), {
      backoff: { baseDelayMs: 5, maxDelayMs: 10, horizonMs: 20 },
      onAttempt: (a) => attempts.push(a),
    })
    await rt.runPromise(burst(1, 2, receiver.url))
    await until(() => receiver.received.some((r) => eventsOf(r)[0]!.sequence === 2))
    const route = (name: string) => Routes.routes.find((r) => r.name === name)!
    const request = (method: string, rawPath: string) => ({
      method,
      rawPath,
      query: new URLSearchParams(),
      headers: {},
      body: new Uint8Array(),
    })
    const listed = await rt.runPromise(
      route('webhooks.deadLetters').handle(request('GET', '/admin/deadLetters'), {}),
    )
    expect(listed.status).toBe(200)
    const letters = (
      listed.body as { value: Array<{ id: string; attempts: number; reason: string }> }
    ).value
    expect(letters).toHaveLength(1)
    expect(letters[0]!.reason).toMatch(/HTTP 503/)
    down = false
    const redriven = await rt.runPromise(
      route('webhooks.redrive').handle(
        request('POST', `/admin/deadLetters/${letters[0]!.id}:redrive`),
        {
          id: letters[0]!.id,
        },
      ),
    )
    expect(redriven.status).toBe(202)
    await until(() => attempts.some((a) => a.eventId === 'evt-0-1' && a.outcome === 'delivered'))
    expect(attempts.filter((a) => a.eventId === 'evt-0-1').map((a) => a.outcome)).toEqual([
      'retry',
      'retry',
      'deadLettered',
      'delivered',
    ])
    const missing = await rt.runPromise(
      route('webhooks.redrive').handle(request('POST', '/admin/deadLetters/999999:redrive'), {
        id: '999999',
      }),
    )
    expect(missing.status).toBe(404)
  })

  it('acknowledges events of types outside allowEventTypes without sending them', async () => {
    const receiver = await Receiver.start()
    receivers.push(receiver)
    const attempts: Array<Delivery.Attempt> = []
    const rt = await start(MemoryStore.layer(), {
      allowEventTypes: ['Microsoft.Communication.CallConnected'],
      onAttempt: (a) => attempts.push(a),
    })
    await rt.runPromise(burst(1, 2, receiver.url))
    await until(() => attempts.length >= 2)
    expect(attempts.map((a) => a.outcome)).toEqual(['filtered', 'filtered'])
    expect(receiver.received).toHaveLength(0)
    expect(await rt.runPromise(Effect.flatMap(Outbox, (o) => o.pending()))).toHaveLength(0)
  })

  it('times out a receiver that does not answer and retries, and treats a non-2xx (3xx, 4xx) as a failure', async () => {
    const hung: Array<http.ServerResponse> = []
    let n = 0
    const server = http.createServer((req, res) => {
      req.resume()
      req.on('end', () => {
        n++
        if (n === 1) {
          hung.push(res) // never answered
          return
        }
        res.statusCode = n === 2 ? 302 : n === 3 ? 410 : 200
        res.end()
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const attempts: Array<Delivery.Attempt> = []
    try {
      const rt = await start(MemoryStore.layer(), {
        timeoutMs: 200,
        onAttempt: (a) => attempts.push(a),
      })
      await rt.runPromise(burst(1, 1, url))
      await until(() => attempts.some((a) => a.outcome === 'delivered'))
      expect(attempts.map((a) => [a.outcome, a.status ?? a.error])).toEqual([
        ['retry', 'no response in 200 ms'],
        ['retry', 302],
        ['retry', 410],
        ['delivered', 200],
      ])
    } finally {
      for (const r of hung) r.destroy()
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
    }
  })
})
