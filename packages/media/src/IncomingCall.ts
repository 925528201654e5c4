import { randomUUID } from 'node:crypto'
import type { Identifier } from '@switchboard/core'
import { Identifier as Id } from '@switchboard/core'
import { IncomingCalls } from '@switchboard/runtime'
import { EventGrid } from '@switchboard/wire'
import { Effect } from 'effect'
import { push } from './Phone.js'
import * as World from './World.js'

/**
 * Calls the simulated world places to the app: registered with the runtime's `IncomingCalls`
 * (the opaque `incomingCallContext` the app passes to answer, reject or redirect), announced to
 * the app by an Event Grid `Microsoft.Communication.IncomingCall` event POSTed to the configured
 * webhook, after the subscription validation handshake (once per webhook URL).
 */

export type Delivery =
  | { readonly status: 'delivered'; readonly webhookUrl: string }
  | { readonly status: 'notConfigured' }
  | { readonly status: 'failed'; readonly webhookUrl: string; readonly message: string }

export interface Placed {
  readonly incomingCallContext: string
  readonly serverCallId: string
  readonly correlationId: string
  readonly from: string
  readonly to: string
  readonly eventGrid: Delivery
}

export const defaultTopic =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/switchboard/providers/Microsoft.Communication/communicationServices/switchboard'

const base64url = (s: string): string => Buffer.from(s, 'utf8').toString('base64url')

/** An `alg: none` JWT-shaped blob, like the real ones (opaque to the app). */
const contextFor = (p: {
  readonly id: string
  readonly from: string
  readonly to: string
  readonly serverCallId: string
  readonly at: number
}): string =>
  `${base64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url(
    JSON.stringify({
      cc: p.id,
      from: p.from,
      to: p.to,
      scid: p.serverCallId,
      iat: Math.floor(p.at / 1000),
    }),
  )}.`

const validated = new WeakMap<World.WorldService, Set<string>>()

const post = (url: string, body: string, eventType: string) =>
  Effect.tryPromise({
    try: async () => {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'aeg-event-type': eventType,
          'aeg-subscription-name': 'SWITCHBOARD-INCOMING-CALLS',
          'aeg-delivery-count': '0',
          'aeg-data-version': eventType === 'Notification' ? '1.0' : '2',
          'aeg-metadata-version': '1',
        },
        body,
        signal: AbortSignal.timeout(10_000),
      })
      const text = await response.text()
      return { status: response.status, text }
    },
    catch: (e) => (e instanceof Error ? e.message : String(e)),
  })

/** The subscription validation handshake: the webhook must echo the code. */
const handshake = (webhookUrl: string, topic: string, time: string) =>
  Effect.gen(function* () {
    const validationCode = randomUUID()
    const event = EventGrid.subscriptionValidation({
      id: randomUUID(),
      topic,
      time,
      validationCode,
    })
    const r = yield* post(webhookUrl, EventGrid.encodeBatch([event]), 'SubscriptionValidation')
    if (r.status < 200 || r.status >= 300)
      return yield* Effect.fail(`the validation handshake got HTTP ${r.status}`)
    let body: unknown
    try {
      body = JSON.parse(r.text)
    } catch {
      return yield* Effect.fail('the validation handshake reply is not JSON')
    }
    const echoed =
      typeof body === 'object' && body !== null
        ? (body as { validationResponse?: unknown }).validationResponse
        : undefined
    if (echoed !== validationCode)
      return yield* Effect.fail('the validation handshake reply did not echo the validation code')
  })

const deliver = (world: World.WorldService, event: EventGrid.EventGridEvent, time: string) =>
  Effect.gen(function* () {
    const options = world.config.eventGrid
    if (options === undefined) return { status: 'notConfigured' } as const
    const { webhookUrl } = options
    const topic = options.topic ?? defaultTopic
    let seen = validated.get(world)
    if (seen === undefined) validated.set(world, (seen = new Set()))
    if (!seen.has(webhookUrl)) {
      yield* handshake(webhookUrl, topic, time)
      seen.add(webhookUrl)
    }
    const r = yield* post(webhookUrl, EventGrid.encodeBatch([event]), 'Notification')
    if (r.status < 200 || r.status >= 300)
      return yield* Effect.fail(`the webhook answered HTTP ${r.status}`)
    return { status: 'delivered', webhookUrl } as const
  }).pipe(
    Effect.catchAll((message) =>
      Effect.succeed<Delivery>({
        status: 'failed',
        webhookUrl: world.config.eventGrid?.webhookUrl ?? '',
        message,
      }),
    ),
  )

/** Places a call from `from` to the app's `to`. */
export const place = (from: Identifier.Identifier, to: Identifier.Identifier) =>
  Effect.gen(function* () {
    const world = yield* World.World
    const incoming = yield* IncomingCalls.IncomingCalls
    const at = yield* World.now
    const time = yield* World.iso
    const id = randomUUID()
    const serverCallId = base64url(`switchboard:call:${id}`)
    const correlationId = randomUUID()
    const fromRaw = Id.rawId(from)
    const toRaw = Id.rawId(to)
    const incomingCallContext = contextFor({ id, from: fromRaw, to: toRaw, serverCallId, at })
    yield* incoming.register({ incomingCallContext, from, to, serverCallId, correlationId, at })
    push(world.phone(from).incoming, { incomingCallContext, to: toRaw, serverCallId, at: time })
    const event = EventGrid.incomingCall({
      id: randomUUID(),
      topic: world.config.eventGrid?.topic ?? defaultTopic,
      time,
      to,
      from,
      serverCallId,
      incomingCallContext,
      correlationId,
    })
    const eventGrid = yield* deliver(world, event, time)
    return {
      incomingCallContext,
      serverCallId,
      correlationId,
      from: fromRaw,
      to: toRaw,
      eventGrid,
    } satisfies Placed
  })
