/** The layers provide every port as its own service, and close the store on release. */
import { Effect, type Layer } from 'effect'
import { describe, expect, it } from 'vitest'
import type { CallId, Services } from '../src/index.js'
import {
  EventStore,
  Idempotency,
  Inbox,
  MemoryStore,
  Outbox,
  PgliteStore,
  Store,
  Timers,
} from '../src/index.js'

const program = Effect.gen(function* () {
  const events = yield* EventStore
  const outbox = yield* Outbox
  const callId = 'layer-call' as CallId
  const r = yield* events.append({
    callId,
    expectedVersion: 0,
    events: [{ type: 'CallConnected', at: 1, payload: { ok: true } }],
    outbox: [{ kind: 'callback', payload: 'cb', dueAt: 1 }],
    timer: 9,
    inboxIds: ['evt-1'],
    idempotency: { key: 'rrid', requestHash: 'h', response: 202, at: 1 },
  })
  const claimed = yield* outbox.claim({ owner: 'w', limit: 5, leaseMs: 10, now: 1 })
  yield* outbox.ack(claimed[0]?.id ?? '', 'w')
  return {
    version: r.version,
    claimed: claimed.map((i) => i.payload),
    timers: yield* (yield* Timers).all(),
    inbox: yield* (yield* Inbox).has('evt-1'),
    idem: (yield* (yield* Idempotency).get('rrid', 2))._tag,
    store: yield* Effect.map(Store, (s) => typeof s.close),
  }
})

const check = async <E>(layer: Layer.Layer<Services, E>) => {
  expect(await Effect.runPromise(Effect.provide(program, layer))).toEqual({
    version: 1,
    claimed: ['cb'],
    timers: [{ callId: 'layer-call', deadline: 9 }],
    inbox: true,
    idem: 'Some',
    store: 'function',
  })
}

describe('layers', () => {
  it('MemoryStore.layer provides every port', () => check(MemoryStore.layer()))
  it('PgliteStore.layer provides every port (in memory) and closes on release', async () => {
    const layer = PgliteStore.layer({ schema: 'layered' })
    await check(layer)
    // A store taken out of its scope is closed: using it fails with StoreClosedError.
    const escaped = await Effect.runPromise(Effect.provide(Store, layer))
    const closed = await Effect.runPromise(Effect.flip(escaped.events.version('x' as CallId)))
    expect(closed).toMatchObject({ _tag: 'StoreClosedError' })
  }, 60_000)
})
