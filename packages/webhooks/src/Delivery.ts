import { randomUUID } from 'node:crypto'
import { CallbackItem, Wakeup } from '@switchboard/runtime'
import { Outbox, type OutboxItem } from '@switchboard/store'
import { Callbacks } from '@switchboard/wire'
import { Clock, Effect, FiberSet, Layer, Queue, Random, Scheduler } from 'effect'
import * as Backoff from './Backoff.js'
import * as EventTypes from './EventTypes.js'
import { HttpClient, layer as nodeClient } from './HttpClient.js'
import { Keys, type SigningKey } from './Keys.js'
import * as Signer from './Signer.js'
import * as Token from './Token.js'

/**
 * The callback delivery worker: drains the outbox's `callback` items, POSTs each as a JSON array
 * holding one CloudEvent to its callback URI, signed with a fresh RS256 bearer token, and
 * acknowledges the item only after a 2xx. The store hands out one outstanding item per call, so
 * a call's events arrive in order; calls are delivered concurrently. Failures are retried with
 * backoff and jitter until the horizon, then dead-lettered.
 *
 * Tokens are signed on a pool of worker threads (`signingThreads`), so claiming, POSTing and
 * acknowledging go on while signatures are made; items are claimed ahead (`prefetch`) and
 * signed while they wait for one of the `concurrency` POST slots.
 */
export interface Options {
  /** Lease owner name (default: a random id per worker). */
  readonly owner?: string
  /** Token audience (default: the resource id of `Keys`). */
  readonly audience?: string
  /** Token issuer (default: the issuer of `Keys`). */
  readonly issuer?: string
  /** Token lifetime (ms, default 5 minutes). */
  readonly tokenLifetimeMs?: number
  /**
   * Opt-in: reuse a minted token for further deliveries to the same audience for this long (ms).
   * Default 0: a fresh token per delivery, as ACS does. RSA signing costs about 0.4 ms of CPU;
   * a small window (e.g. 1000) lifts throughput when thousands of callbacks a second are sent.
   */
  readonly tokenReuseMs?: number
  /** How long one POST may take (ms, default 10,000). */
  readonly timeoutMs?: number
  /** Retry timing (defaults: 1 s base, 10 min max, 24 h horizon). */
  readonly backoff?: Partial<Backoff.Policy>
  /** Deliveries in flight at once (POSTs awaiting an answer), across calls (default 256). */
  readonly concurrency?: number
  /**
   * Items claimed ahead of the free POST slots, signed while they wait (default `concurrency /
   * 4`). Order per call is unaffected: the store hands out a call's next item only after the
   * previous one was acknowledged.
   */
  readonly prefetch?: number
  /**
   * Worker threads that sign the tokens (default `os.availableParallelism()`); 0 signs on the
   * worker's own thread. The threads stop with the worker.
   */
  readonly signingThreads?: number
  /** How long a claimed item stays leased (ms, default 2 × timeout + 5 s). */
  readonly leaseMs?: number
  /** How often to look at the outbox without a wake-up (ms, default 1,000). */
  readonly pollIntervalMs?: number
  /** Event types sent (full `Microsoft.Communication.X` names); default: what SDK 1.6.0 parses. */
  readonly allowEventTypes?: ReadonlyArray<string>
  /** The `data.version` written in events (default: wire's `defaultApiVersion`). */
  readonly apiVersion?: string
  /** Called after each attempt (for metrics and tests). */
  readonly onAttempt?: (attempt: Attempt) => void
}

export interface Attempt {
  readonly itemId: string
  readonly eventId: string
  readonly callbackUri: string
  readonly outcome: 'delivered' | 'retry' | 'deadLettered' | 'filtered'
  readonly status?: number
  readonly error?: string
}

const describe = (e: unknown): string =>
  typeof e === 'object' && e !== null && 'message' in e ? String(e.message) : String(e)

/**
 * Effect's default scheduler yields with `setTimeout(0)` (at least 1 ms) after 2,048 microtask
 * turns; the worker's many short fibers hit that often. This one yields with `setImmediate`
 * (after pending I/O, no timer floor).
 */
const immediate = (() => {
  let depth = 0
  return Scheduler.makeBatched((run) => {
    if (depth < 2_048) {
      depth++
      queueMicrotask(run)
    } else {
      depth = 0
      setImmediate(run)
    }
  })
})()

/** The worker: runs until interrupted. Fork it (`Effect.forkScoped`) or use `layer`. */
export const worker = (options: Options = {}) =>
  Effect.gen(function* () {
    const outbox = yield* Outbox
    const wakeup = yield* Wakeup.Wakeup
    const keys = yield* Keys
    const client = yield* HttpClient
    const owner = options.owner ?? `webhooks-${randomUUID()}`
    const issuer = options.issuer ?? keys.issuer
    const audience = options.audience ?? keys.resourceId
    const timeoutMs = options.timeoutMs ?? 10_000
    const leaseMs = options.leaseMs ?? 2 * timeoutMs + 5_000
    const concurrency = Math.max(1, options.concurrency ?? 256)
    const pollMs = options.pollIntervalMs ?? 1_000
    const policy: Backoff.Policy = { ...Backoff.defaults, ...options.backoff }
    const allowed = new Set(options.allowEventTypes ?? EventTypes.sdk160)
    const reuseMs = options.tokenReuseMs ?? 0
    const lifetimeMs = options.tokenLifetimeMs ?? Token.defaultLifetimeMs
    const report = options.onAttempt ?? (() => undefined)
    const prefetch = Math.max(0, Math.floor(options.prefetch ?? concurrency / 4))
    const capacity = concurrency + prefetch
    // claims come in batches: while many deliveries are under way, the loop waits until a good
    // share of the capacity is free (a claim scans the outbox; one per delivery would be costly)
    const batch = Math.max(1, Math.min(64, Math.floor(capacity / 4)))
    const doorbell = yield* Queue.sliding<void>(1)
    const fibers = yield* FiberSet.make()
    // POST slots: a count and the deliveries waiting for one, in plain code (an Effect semaphore
    // per delivery costs several fiber steps)
    let posting = 0
    const waiting: Array<() => void> = []
    const acquireSlot = (): Promise<void> | null => {
      if (posting < concurrency) {
        posting++
        return null
      }
      return new Promise<void>((resolve) => waiting.push(resolve))
    }
    const releaseSlot = () => {
      const next = waiting.shift()
      if (next !== undefined)
        next() // the slot passes on
      else posting--
    }
    const signer = yield* Effect.acquireRelease(
      Effect.sync(() =>
        Signer.pool(
          options.signingThreads !== undefined ? { threads: options.signingThreads } : {},
        ),
      ),
      (s) => Effect.promise(() => s.close()),
    )
    /** Items claimed and not yet settled (signing, waiting for a slot, posting, acknowledging). */
    let leased = 0
    let cached: { token: Promise<string>; kid: string; until: number } | null = null

    /** The bearer token for a delivery at `now`: fresh, or the reused one (opt-in). */
    const token = (key: SigningKey, now: number): Promise<string> => {
      if (cached !== null && cached.kid === key.kid && now < cached.until) return cached.token
      const minted = signer.mint(key, { issuer, audience, now, lifetimeMs })
      if (reuseMs > 0) {
        const entry = { token: minted, kid: key.kid, until: now + reuseMs }
        cached = entry
        minted.catch(() => {
          if (cached === entry) cached = null
        })
      }
      return minted
    }

    const retry = (item: OutboxItem, error: string, status?: number) =>
      Effect.gen(function* () {
        const failures = item.attempts + 1
        const base = {
          itemId: item.id,
          eventId: (item.payload as { eventId?: string }).eventId ?? '',
          callbackUri: (item.payload as { callbackUri?: string }).callbackUri ?? '',
          error,
          ...(status !== undefined ? { status } : {}),
        }
        if (Backoff.exhausted(policy, failures)) {
          yield* outbox.deadLetter(item.id, owner, `${failures} attempts: ${error}`)
          yield* Effect.logWarning(`callback ${item.id} dead-lettered after ${failures} attempts`)
          report({ ...base, outcome: 'deadLettered' })
          return
        }
        const now = yield* Clock.currentTimeMillis
        const r = yield* Random.next
        yield* outbox.reschedule(item.id, owner, {
          dueAt: now + Backoff.delay(policy, item.attempts, r),
          error,
        })
        report({ ...base, outcome: 'retry' })
      })

    /** What a send came to: the lease was too short to send (null), a transport error, a status. */
    type Sent = null | { readonly error: string } | { readonly status: number }

    /**
     * Signs (on the pool, while the item may still wait for a POST slot), takes a slot and POSTs,
     * as one step of the delivery's fiber: plain promises and callbacks inside, the client's
     * `post` run as its own effect only for the POST itself.
     */
    const send = (item: OutboxItem, key: SigningKey, uri: string, body: string) =>
      Effect.flatMap(
        Effect.async<string, Error>((resume) => {
          let interrupted = false
          const granted = (bearer: string) => {
            if (interrupted) releaseSlot()
            else resume(Effect.succeed(bearer))
          }
          token(key, Date.now()).then(
            (bearer) => {
              if (interrupted) return
              const wait = acquireSlot()
              if (wait === null) granted(bearer)
              else void wait.then(() => granted(bearer))
            },
            (e: unknown) => resume(Effect.fail(new Error(`signing failed: ${describe(e)}`))),
          )
          // interrupted (the worker stops) before the POST: a slot granted later is given back
          return Effect.sync(() => {
            interrupted = true
          })
        }),
        (bearer): Effect.Effect<Sent> => {
          // a prefetched item whose lease would end before the POST could time out is left
          // to be claimed again (by this worker or another), so it is never sent twice at once
          if (
            item.leaseUntil !== undefined &&
            Date.now() + Math.min(timeoutMs, leaseMs / 2) >= item.leaseUntil
          ) {
            releaseSlot()
            return Effect.succeed(null)
          }
          return client
            .post({
              url: uri,
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${bearer}`,
                'user-agent': 'switchboard-webhooks',
              },
              body,
              timeoutMs,
            })
            .pipe(
              Effect.match({
                onFailure: (e): Sent => ({ error: e.message }),
                onSuccess: (r): Sent => ({ status: r.status }),
              }),
              Effect.ensuring(Effect.sync(releaseSlot)),
            )
        },
      )

    const deliver = (item: OutboxItem, key: SigningKey): Effect.Effect<void> =>
      Effect.suspend((): Effect.Effect<void, unknown> => {
        const cb = CallbackItem.parse(item.payload)
        if (cb === null)
          return Effect.zipRight(
            outbox.deadLetter(item.id, owner, 'not a callback item this version can read'),
            Effect.sync(() =>
              report({ itemId: item.id, eventId: '', callbackUri: '', outcome: 'deadLettered' }),
            ),
          )
        const type = Callbacks.prefix + cb.event._tag
        if (!allowed.has(type))
          return Effect.logInfo(
            `callback ${cb.eventId} of type ${type} not sent (not allowed)`,
          ).pipe(
            Effect.zipRight(outbox.ack(item.id, owner)),
            Effect.zipRight(
              Effect.sync(() =>
                report({
                  itemId: item.id,
                  eventId: cb.eventId,
                  callbackUri: cb.callbackUri,
                  outcome: 'filtered',
                }),
              ),
            ),
          )
        const event = Callbacks.toCloudEvent(CallbackItem.toNotify(cb), {
          id: cb.eventId,
          ...(options.apiVersion !== undefined ? { apiVersion: options.apiVersion } : {}),
        })
        const body = Callbacks.encodeBatch([event])
        return Effect.flatMap(send(item, key, cb.callbackUri, body), (sent) => {
          if (sent === null)
            return Effect.logWarning(
              `callback ${item.id}: lease too short to send, left for a later claim`,
            )
          if ('error' in sent) return retry(item, sent.error)
          const status = sent.status
          if (status < 200 || status > 299) return retry(item, `HTTP ${status}`, status)
          return Effect.map(outbox.ack(item.id, owner), () =>
            report({
              itemId: item.id,
              eventId: cb.eventId,
              callbackUri: cb.callbackUri,
              outcome: 'delivered',
              status,
            }),
          )
        })
      }).pipe(
        Effect.catchAll((e) => Effect.logWarning(`callback ${item.id}: ${describe(e)}`)),
        Effect.ensuring(
          Effect.suspend(() => {
            leased--
            // the loop claims only when a batch's worth of capacity is free (or nothing is
            // leased): a doorbell rung before that would wake it for nothing
            const free = capacity - leased
            return leased === 0 || free >= batch ? Queue.offer(doorbell, undefined) : Effect.void
          }),
        ),
      )

    // one doorbell rung by a commit (the runtime's wake-up), the end of a delivery, or the poll
    // timer: the loop waits on it alone (no race of three fibers per turn)
    yield* Effect.forkScoped(
      Effect.forever(Effect.zipRight(wakeup.take, Queue.offer(doorbell, undefined))),
    )
    yield* Effect.forkScoped(
      Effect.forever(Effect.zipRight(Effect.sleep(pollMs), Queue.offer(doorbell, undefined))),
    )
    const waitForWork = Queue.take(doorbell)

    const round = Effect.gen(function* () {
      const free = capacity - leased
      if (free <= 0 || (leased > 0 && free < batch)) return false
      const now = yield* Clock.currentTimeMillis
      const items = yield* outbox.claim({
        owner,
        limit: free,
        leaseMs,
        now,
        kinds: [CallbackItem.kind],
      })
      // the key current now signs this batch's tokens
      const key = items.length > 0 ? yield* keys.current : null
      for (const item of items) {
        leased++
        yield* FiberSet.run(fibers, deliver(item, key!))
      }
      return items.length === free
    }).pipe(
      Effect.catchAll((e) =>
        Effect.as(Effect.logWarning(`callback delivery: claim failed: ${describe(e)}`), false),
      ),
    )

    return yield* Effect.forever(
      Effect.flatMap(round, (more) => (more ? Effect.yieldNow() : waitForWork)),
    )
  }).pipe(Effect.scoped, (e) => Effect.withScheduler(e, immediate))

/**
 * The worker as a layer: forked when the layer is built, interrupted when it is released.
 * Needs the store's `Outbox`, runtime's `Wakeup` and `Keys`; brings its own keep-alive HTTP client.
 */
export const layer = (
  options: Options = {},
): Layer.Layer<never, never, Outbox | Wakeup.Wakeup | Keys> =>
  Layer.scopedDiscard(Effect.forkScoped(worker(options))).pipe(Layer.provide(nodeClient()))

/** As `layer`, with the HTTP client taken from the context (tests, custom transports). */
export const layerWith = (
  options: Options = {},
): Layer.Layer<never, never, Outbox | Wakeup.Wakeup | Keys | HttpClient> =>
  Layer.scopedDiscard(Effect.forkScoped(worker(options)))
