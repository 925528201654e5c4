import type http from 'node:http'
import { randomUUID } from 'node:crypto'
import type { Command, Decision, Event, Rejection } from '@switchboard/core'
import { decide, Ids, initial, Instant } from '@switchboard/core'
import {
  EventStore,
  Inbox,
  type CallId,
  type Json,
  type NewEvent,
  type StoreService,
} from '@switchboard/store'
import { Callbacks, EventGrid } from '@switchboard/wire'
import { Cause, Data, Effect, Exit, Layer, Option, Runtime, RuntimeFlags } from 'effect'
import * as Projection from './Projection.js'
import type { Verifier } from './Verifier.js'

/**
 * Callback ingestion for apps: a handler (Web `Request` in, `Response` out; `nodeListener` for
 * `node:http`) that verifies the bearer token, decodes the CloudEvents with `@switchboard/wire`,
 * deduplicates them by id in the store (`inboxIds`), appends them to the call's log (one append
 * per call per POST: never half-applied), folds the call's projection with the core and runs the
 * app's typed handlers.
 *
 * Responses: 200 (recorded, or already seen), 400 (undecodable body), 401 (token missing,
 * expired, forged, wrong issuer or audience), 405 (not POST), 413 (body too large), 503 (store
 * unavailable). Bodies use the ACS error shape `{"error":{"code","message"}}`.
 */
export interface Options {
  /** How callback tokens are checked; `'none'` turns verification off (local experiments only). */
  readonly verifier: Verifier | 'none'
  /** Largest body accepted (bytes, default 1 MiB). */
  readonly maxBodyBytes?: number
  /** Calls whose logs are kept in memory (default 10,000). */
  readonly cacheSize?: number
  /** For `eventGrid`: a shared secret expected in the `key` query parameter (recommended by ACS docs). */
  readonly eventGridKey?: string
}

export type Tag = Callbacks.Tag

export interface Context {
  /** The CloudEvent id. */
  readonly id: string
  readonly time: string
  readonly sequence?: number
  /** The call's projection after this event was folded (with the whole POST applied). */
  readonly view: Projection.View
}

export type Handler<K extends Tag> = (
  event: Extract<Event.CallbackEvent, { _tag: K }>,
  context: Context,
) => void | Promise<void>

export type Verdict =
  | { readonly accepted: true; readonly decision: Decision.Decision }
  | { readonly accepted: false; readonly rejection: Rejection.Rejection }

export interface Ingestion {
  /** The callback endpoint. Never throws; never answers 5xx for anything a client sends. */
  readonly handle: (request: Request) => Promise<Response>
  /** The Event Grid endpoint: answers the subscription validation handshake, passes IncomingCall on. */
  readonly eventGrid: (request: Request) => Promise<Response>
  /** Runs after an IncomingCall arrives through `eventGrid`. */
  readonly onIncomingCall: (
    handler: (event: EventGrid.IncomingCall) => void | Promise<void>,
  ) => () => void
  /** Subscribes to one callback type (or `'*'` for all); returns the unsubscribe function. */
  readonly on: <K extends Tag>(type: K | '*', handler: Handler<K>) => () => void
  /** The call's projection; null when nothing was recorded for it. */
  readonly view: (callConnectionId: string) => Promise<Projection.View | null>
  /** Would the core accept this command on the call right now? (Ask before sending it to ACS.) */
  readonly wouldAccept: (
    callConnectionId: string,
    command: Command.Command,
    now?: number,
  ) => Promise<Verdict>
  /**
   * Records a command the app sent to ACS (after ACS accepted it), so the projection knows the
   * operations pending and callbacks match them by operation context.
   */
  readonly record: (
    callConnectionId: string,
    command: Command.Command,
    now?: number,
  ) => Promise<Verdict>
}

interface Cached {
  /** The call's log (grows in place: appends only push). */
  readonly entries: Array<Projection.Entry>
  readonly ids: Set<string>
  readonly version: number
  readonly fold: Projection.Fold
  /** The view, computed when first asked for. */
  view: Projection.View | null | undefined
}

const viewOfCached = (c: Cached): Projection.View | null => {
  if (c.view === undefined) c.view = Projection.view(c.fold)
  return c.view
}

/** Other writers kept winning the race to append to a call (answered 503: the sender retries). */
export class IngestionContentionError extends Data.TaggedError('IngestionContentionError')<{
  readonly callId: string
}> {
  override get message(): string {
    return `call ${this.callId}: too many concurrent writers`
  }
}

/** What a handler answers, before it is made a Web `Response` or written to `node:http`. */
interface Reply {
  readonly status: number
  /** JSON text (an ACS error), or no body. */
  readonly body: string | null
}

const failure = (status: number, code: string, message: string): Reply => ({
  status,
  body: JSON.stringify({ error: { code, message } }),
})

const okReply: Reply = { status: 200, body: null }

const jsonHeaders = { 'content-type': 'application/json' } as const

const toResponse = (r: Reply): Response =>
  r.body === null
    ? new Response(null, { status: r.status })
    : new Response(r.body, { status: r.status, headers: jsonHeaders })

const errorResponse = (status: number, code: string, message: string) =>
  toResponse(failure(status, code, message))

const ok = () => new Response(null, { status: 200 })

/**
 * The callback endpoint without Web objects: method, `Authorization` header, body text and its
 * size in bytes. `handle` carries it so `nodeListener(app.handle)` answers `node:http` requests
 * without building a `Request` and a `Response` for each.
 */
type Direct = (
  method: string,
  authorization: string | null | undefined,
  text: string,
  bytes: number,
) => Promise<Reply>

const direct: unique symbol = Symbol('@switchboard/webhooks/Ingestion.direct')

interface DirectHandler {
  (request: Request): Promise<Response>
  readonly [direct]?: Direct
}

class BodyTooLarge extends Error {}

const readText = async (request: Request, max: number): Promise<string> => {
  const declared = request.headers.get('content-length')
  const length = Number(declared ?? '0')
  if (length > max) throw new BodyTooLarge()
  if (request.body === null) return ''
  if (declared === null) {
    // no declared length: a text() would buffer anything, so read within the limit
  } else {
    const text = await request.text()
    if (Buffer.byteLength(text) > max) throw new BodyTooLarge()
    return text
  }
  const reader = request.body.getReader()
  const chunks: Array<Uint8Array> = []
  let size = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      await reader.cancel().catch(() => undefined)
      throw new BodyTooLarge()
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const toEntry = (i: Callbacks.Ingested): Projection.Entry | null => {
  if (i._tag === 'Known')
    return {
      kind: 'callback',
      id: i.id,
      time: i.time,
      ms: i.event.at as number,
      ...(i.sequence !== undefined ? { sequence: i.sequence } : {}),
      call: i.call,
      event: i.event,
    }
  return null
}

const callOfUnknown = (raw: unknown): string | null => {
  const data = (raw as { data?: { callConnectionId?: unknown } } | null)?.data
  return typeof data?.callConnectionId === 'string' &&
    Ids.callConnectionId(data.callConnectionId) !== null
    ? data.callConnectionId
    : null
}

const toNewEvent = (e: Projection.Entry): NewEvent => ({
  type: e.kind === 'callback' ? e.event._tag : e.kind === 'command' ? 'Command' : 'Unknown',
  at: Number.isFinite(e.ms) ? e.ms : 0,
  payload: e as unknown as Json,
})

/** The ingestion endpoint on a store's `EventStore` and `Inbox`. */
export const make = (options: Options) =>
  Effect.gen(function* () {
    const events = yield* EventStore
    const inbox = yield* Inbox
    const runtime = yield* Effect.runtime<never>()
    const run = Runtime.runPromise(runtime)
    // Effect's fiber metrics (counters and a lifetime histogram updated as each fiber starts and
    // ends) are read by nobody: the store operations of a POST run without them
    const fork = Runtime.runFork(Runtime.disableRuntimeFlag(runtime, RuntimeFlags.RuntimeMetrics))
    /** Runs an effect to its exit (no promise rejection, no `Either` wrapping). */
    const exit = <A, E>(effect: Effect.Effect<A, E>): Promise<Exit.Exit<A, E>> =>
      new Promise((resolve) => {
        fork(effect).addObserver(resolve)
      })
    /** The typed error of a failed exit; a defect or an interruption is thrown. */
    const failureOf = <E>(cause: Cause.Cause<E>): E => {
      const f = Cause.failureOption(cause)
      if (Option.isSome(f)) return f.value
      throw Cause.squash(cause)
    }
    const maxBody = options.maxBodyBytes ?? 1024 * 1024
    const cacheSize = options.cacheSize ?? 10_000
    const cache = new Map<string, Cached>()
    const handlers = new Map<string, Set<Handler<Tag>>>()
    const incoming = new Set<(e: EventGrid.IncomingCall) => void | Promise<void>>()

    /** Runs a store operation: its value, or its typed error thrown. */
    const store = async <A, E>(effect: Effect.Effect<A, E>): Promise<A> => {
      const r = await exit(effect)
      if (Exit.isSuccess(r)) return r.value
      throw failureOf(r.cause)
    }

    const remember = (callId: string, c: Cached) => {
      cache.delete(callId)
      cache.set(callId, c)
      if (cache.size > cacheSize) {
        const oldest = cache.keys().next()
        if (oldest.done !== true) cache.delete(oldest.value)
      }
    }

    /** The call's log: the cached one plus what others appended since (read from the store). */
    const load = async (callId: string): Promise<Cached> => {
      const known = cache.get(callId)
      const stored = await store(
        events.read(callId as unknown as CallId, { fromVersion: (known?.version ?? 0) + 1 }),
      )
      if (known !== undefined && stored.length === 0) return known
      const added = stored.map((s) => s.payload as unknown as Projection.Entry)
      const entries = [...(known?.entries ?? []), ...added]
      const fresh: Cached = {
        entries,
        ids: new Set(entries.map((e) => e.id)),
        version: (known?.version ?? 0) + stored.length,
        fold:
          (known !== undefined ? Projection.extend(known.fold, added) : null) ??
          Projection.foldAll(entries),
        view: undefined,
      }
      remember(callId, fresh)
      return fresh
    }

    /**
     * One call's work at a time, in arrival order (a promise chain per call: calls proceed
     * concurrently, so their appends reach the store together and its group commit batches them).
     */
    const tails = new Map<string, Promise<void>>()
    const settle = () => undefined
    const serialized = <A>(callId: string, f: () => Promise<A>): Promise<A> => {
      const previous = tails.get(callId)
      const result = previous === undefined ? f() : previous.then(f)
      const tail = result.then(settle, settle)
      tails.set(callId, tail)
      void tail.then(() => {
        if (tails.get(callId) === tail) tails.delete(callId)
      })
      return result
    }

    /**
     * Appends the entries not seen yet; returns them and the call's log after. The cached log is
     * trusted (another writer shows up as a version conflict, then the call is read again), and
     * a call not in the cache is first taken to be new (no read before its first append).
     */
    const append = (callId: string, given: ReadonlyArray<Projection.Entry>, dedup: boolean) =>
      serialized(
        callId,
        async (): Promise<{ fresh: ReadonlyArray<Projection.Entry>; cached: Cached }> => {
          let candidates = given
          let current: Cached = cache.get(callId) ?? {
            entries: [],
            ids: new Set(),
            version: 0,
            fold: Projection.empty,
            view: undefined,
          }
          for (let attempt = 0; attempt < 100; attempt++) {
            const fresh = candidates.filter((e) => !current.ids.has(e.id))
            if (fresh.length === 0) return { fresh, cached: current }
            const r = await exit(
              events.append({
                callId: callId as unknown as CallId,
                expectedVersion: current.version,
                events: fresh.map(toNewEvent),
                ...(dedup ? { inboxIds: fresh.map((e) => e.id) } : {}),
              }),
            )
            if (Exit.isSuccess(r)) {
              // the log only grows: extend the arrays and sets in place (older views keep theirs)
              const entries = current.entries
              for (const e of fresh) {
                entries.push(e)
                current.ids.add(e.id)
              }
              const next: Cached = {
                entries,
                ids: current.ids,
                version: r.value.version,
                fold: Projection.extend(current.fold, fresh) ?? Projection.foldAll(entries),
                view: undefined,
              }
              remember(callId, next)
              return { fresh, cached: next }
            }
            const error = failureOf(r.cause)
            if (error._tag === 'StoreConflictError') {
              cache.delete(callId)
              current = await load(callId)
              continue
            }
            if (error._tag === 'StoreDuplicateError') {
              // seen before (perhaps under another call, or by another process): drop those ids
              const seen = new Set<string>(error.ids)
              if (seen.size === 0)
                for (const e of fresh) if (await store(inbox.has(e.id))) seen.add(e.id)
              candidates = candidates.filter((e) => !seen.has(e.id))
              continue
            }
            throw error
          }
          throw new IngestionContentionError({ callId })
        },
      )

    const dispatch = (fresh: ReadonlyArray<Projection.Entry>, cached: Cached) =>
      handlers.size === 0 ? undefined : dispatchTo(fresh, cached)
    const dispatchTo = async (fresh: ReadonlyArray<Projection.Entry>, cached: Cached) => {
      const view = viewOfCached(cached)
      if (view === null) return
      for (const entry of fresh) {
        if (entry.kind !== 'callback') continue
        const context: Context = {
          id: entry.id,
          time: entry.time,
          ...(entry.sequence !== undefined ? { sequence: entry.sequence } : {}),
          view,
        }
        for (const key of [entry.event._tag, '*'])
          for (const h of handlers.get(key) ?? []) {
            try {
              await h(entry.event as never, context)
            } catch (e) {
              await run(Effect.logWarning(`callback handler for ${entry.event._tag} threw`, e))
            }
          }
      }
    }

    /** The entry of one decoded CloudEvent and its call (null: no call to file it under). */
    const entryOf = (i: Callbacks.Ingested): [string, Projection.Entry] | null => {
      if (i._tag === 'Known') {
        const entry = toEntry(i)
        return entry === null ? null : [i.call.callConnectionId, entry]
      }
      const callId = callOfUnknown(i.raw)
      if (callId === null) return null
      const time = (i.raw as { time?: unknown }).time
      const ms = typeof time === 'string' ? Date.parse(time) : Number.NaN
      return [
        callId,
        { kind: 'unknown', id: i.id, ms: Number.isFinite(ms) ? ms : 0, type: i.type, raw: i.raw },
      ]
    }

    const ingest = async (text: string): Promise<Reply> => {
      const decoded = Callbacks.decodeBatchText(text)
      if (decoded._tag === 'Left')
        return failure(400, 'BadRequest', `Invalid callback body: ${decoded.left.message}`)
      // group by call, dropping ids repeated within the body (one event per POST: no grouping)
      const batch = decoded.right
      let byCall: Map<string, Array<Projection.Entry>>
      if (batch.length === 1) {
        const one = entryOf(batch[0]!)
        byCall = one === null ? new Map() : new Map([[one[0], [one[1]]]])
      } else {
        byCall = new Map()
        const seen = new Set<string>()
        for (const i of batch) {
          if (seen.has(i.id)) continue
          seen.add(i.id)
          const one = entryOf(i)
          if (one === null) continue
          const list = byCall.get(one[0])
          if (list === undefined) byCall.set(one[0], [one[1]])
          else list.push(one[1])
        }
      }
      for (const [callId, entries] of byCall) {
        let r: Awaited<ReturnType<typeof append>>
        try {
          r = await append(callId, entries, true)
        } catch (error) {
          const e = error as { _tag?: string; message?: string }
          if (e._tag === 'StoreInputError')
            return failure(400, 'BadRequest', `Invalid callback body: ${e.message}`)
          await run(Effect.logWarning(`callback ingestion: ${e.message ?? String(e)}`))
          return failure(503, 'ServiceUnavailable', 'The store is unavailable; retry later.')
        }
        const dispatched = dispatch(r.fresh, r.cached)
        if (dispatched !== undefined) await dispatched
      }
      return okReply
    }

    const tooLarge = () => failure(413, 'PayloadTooLarge', `The body exceeds ${maxBody} bytes.`)

    /** Method and token checked, then the body read (`read`) and ingested. */
    const receive = async (
      method: string,
      authorization: string | null | undefined,
      read: (() => Promise<string>) | string,
    ): Promise<Reply> => {
      try {
        if (method !== 'POST') return failure(405, 'MethodNotAllowed', 'Callbacks are POSTed.')
        if (options.verifier !== 'none') {
          const v = await options.verifier.verify(authorization)
          if (!v.ok) return failure(401, 'Unauthorized', `Callback refused: ${v.reason}.`)
        }
        return await ingest(typeof read === 'string' ? read : await read())
      } catch (e) {
        if (e instanceof BodyTooLarge) return tooLarge()
        await run(Effect.logWarning('callback ingestion failed', e)).catch(() => undefined)
        return failure(400, 'BadRequest', 'The request could not be read.')
      }
    }

    const handle: DirectHandler = Object.assign(
      async (request: Request): Promise<Response> =>
        toResponse(
          await receive(request.method, request.headers.get('authorization'), () =>
            readText(request, maxBody),
          ),
        ),
      {
        [direct]: ((method, authorization, text, bytes) =>
          bytes > maxBody
            ? Promise.resolve(tooLarge())
            : receive(method, authorization, text)) satisfies Direct,
      },
    )

    const eventGrid = async (request: Request): Promise<Response> => {
      try {
        if (request.method !== 'POST')
          return errorResponse(405, 'MethodNotAllowed', 'Event Grid deliveries are POSTed.')
        if (options.eventGridKey !== undefined) {
          const key = new URL(request.url).searchParams.get('key')
          if (key !== options.eventGridKey)
            return errorResponse(401, 'Unauthorized', 'Missing or wrong key.')
        }
        const text = await readText(request, maxBody)
        let json: unknown
        try {
          json = JSON.parse(text)
        } catch {
          return errorResponse(400, 'BadRequest', 'The body is not JSON.')
        }
        const decoded = EventGrid.decodeBatch(json)
        if (decoded._tag === 'Left')
          return errorResponse(
            400,
            'BadRequest',
            `Invalid Event Grid body: ${decoded.left.message}`,
          )
        const validation = decoded.right.find((e) => e._tag === 'SubscriptionValidation')
        if (validation !== undefined && validation._tag === 'SubscriptionValidation')
          return new Response(
            JSON.stringify(EventGrid.validationResponse(validation.validationCode)),
            {
              status: 200,
              headers: { 'content-type': 'application/json' },
            },
          )
        for (const e of decoded.right)
          if (e._tag === 'IncomingCall')
            for (const h of incoming)
              try {
                await h(e)
              } catch (err) {
                await run(Effect.logWarning('IncomingCall handler threw', err))
              }
        return ok()
      } catch (e) {
        if (e instanceof BodyTooLarge)
          return errorResponse(413, 'PayloadTooLarge', `The body exceeds ${maxBody} bytes.`)
        return errorResponse(400, 'BadRequest', 'The request could not be read.')
      }
    }

    const viewOf = (callId: string) =>
      serialized(callId, async () => viewOfCached(await load(callId)))

    const judge = (
      view: Projection.View | null,
      command: Command.Command,
      now: number,
    ): Verdict => {
      const r = decide(view?.state ?? initial, command, { now: Instant.fromMillis(now) })
      return r._tag === 'Left'
        ? { accepted: false, rejection: r.left }
        : { accepted: true, decision: r.right }
    }

    const ingestion: Ingestion = {
      handle,
      eventGrid,
      onIncomingCall: (h) => {
        incoming.add(h)
        return () => incoming.delete(h)
      },
      on: (type, handler) => {
        const set = handlers.get(type) ?? new Set()
        set.add(handler as unknown as Handler<Tag>)
        handlers.set(type, set)
        return () => set.delete(handler as unknown as Handler<Tag>)
      },
      view: viewOf,
      wouldAccept: async (callId, command, now = Date.now()) =>
        judge(await viewOf(callId), command, now),
      record: async (callId, command, now = Date.now()) => {
        const view = await viewOf(callId)
        const verdict = judge(view, command, now)
        if (!verdict.accepted || verdict.decision.events.length === 0) return verdict
        await append(
          callId,
          [{ kind: 'command', id: randomUUID(), ms: now, events: verdict.decision.events }],
          false,
        )
        return verdict
      },
    }
    return ingestion
  })

/** `make` on a store object, as a promise (for apps that do not use Effect). */
export const open = (store: StoreService, options: Options): Promise<Ingestion> =>
  Effect.runPromise(
    make(options).pipe(
      Effect.provide(
        Layer.mergeAll(Layer.succeed(EventStore, store.events), Layer.succeed(Inbox, store.inbox)),
      ),
    ),
  )

/**
 * A `node:http` request listener for a Web handler (`handle` or `eventGrid`): the body is read
 * up to `maxBodyBytes` (413 beyond), the Response written back. For `handle` the listener
 * passes the method, the `Authorization` header and the body straight to the handler, without
 * building a Web `Request` and `Response` per request (same checks, same answers).
 */
export const nodeListener = (
  handler: (request: Request) => Promise<Response>,
  maxBodyBytes = 1024 * 1024,
) => {
  const fast = (handler as DirectHandler)[direct]
  const writeReply = (res: http.ServerResponse, r: Reply) => {
    if (r.body === null) {
      res.statusCode = r.status
      res.end()
    } else {
      res.writeHead(r.status, jsonHeaders)
      res.end(r.body)
    }
  }
  const send = (res: http.ServerResponse, response: Response) =>
    response.arrayBuffer().then(
      (buf) => {
        const headers: Record<string, string> = {}
        response.headers.forEach((v, k) => {
          headers[k] = v
        })
        res.writeHead(response.status, headers)
        res.end(Buffer.from(buf))
      },
      () => {
        res.statusCode = 400
        res.end()
      },
    )
  const badRequest = failure(400, 'BadRequest', 'Bad request.')
  return (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const chunks: Array<Buffer> = []
    let size = 0
    let refused = false
    req.on('data', (c: Buffer) => {
      if (refused) return
      size += c.length
      if (size > maxBodyBytes) {
        refused = true
        writeReply(res, failure(413, 'PayloadTooLarge', `The body exceeds ${maxBodyBytes} bytes.`))
        return
      }
      chunks.push(c)
    })
    req.on('error', () => undefined)
    req.on('end', () => {
      if (refused) return
      const method = req.method ?? 'GET'
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)
      if (fast !== undefined) {
        fast(method, req.headers.authorization, body.toString('utf8'), size).then(
          (r) => writeReply(res, r),
          () => writeReply(res, badRequest),
        )
        return
      }
      const headers = new Headers()
      for (const [k, v] of Object.entries(req.headers))
        if (typeof v === 'string') headers.set(k, v)
        else if (Array.isArray(v)) headers.set(k, v.join(', '))
      const request = new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, {
        method,
        headers,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
      })
      void handler(request).then(
        (response) => send(res, response),
        () => writeReply(res, badRequest),
      )
    })
  }
}
