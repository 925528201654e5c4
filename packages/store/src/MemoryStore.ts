/**
 * The reference implementation: plain maps in one process, for tests and the simulator.
 * Every operation is synchronous inside its Effect, so each is atomic. Nothing survives the
 * process.
 */
import { Effect, Option } from 'effect'
import type { CallId } from './CallId.js'
import {
  isStoreError,
  StoreClosedError,
  StoreConflictError,
  StoreDuplicateError,
  StoreLeaseError,
  StoreNotFoundError,
  StoreUnavailableError,
  type StoreError,
} from './Errors.js'
import type { EventStoreService, StoredEvent } from './EventStore.js'
import type { IdempotencyRecord, IdempotencyService } from './Idempotency.js'
import type { Json } from './Json.js'
import * as Limits from './Limits.js'
import type { DeadLetter, OutboxItem, OutboxService } from './Outbox.js'
import { layerFrom, type Services, type StoreService } from './Store.js'
import type { Layer } from 'effect'

interface Call {
  version: number
  outboxSeq: number
  deadline: number | null
  events: StoredEvent[]
  snapshot: { version: number; state: string } | undefined
}

interface Item {
  id: number
  callId: string
  seq: number
  kind: string
  payload: string
  dueAt: number
  attempts: number
  lastError: string | undefined
  leaseOwner: string | undefined
  leaseUntil: number | undefined
  dead: string | undefined
}

interface Rec {
  key: string
  requestHash: string
  response: string
  at: number
}

const parse = (s: string): Json => JSON.parse(s) as Json

const toItem = (i: Item): OutboxItem => ({
  id: String(i.id),
  callId: i.callId as CallId,
  seq: i.seq,
  kind: i.kind,
  payload: parse(i.payload),
  dueAt: i.dueAt,
  attempts: i.attempts,
  ...(i.lastError === undefined ? {} : { lastError: i.lastError }),
  ...(i.leaseOwner === undefined ? {} : { leaseOwner: i.leaseOwner }),
  ...(i.leaseUntil === undefined ? {} : { leaseUntil: i.leaseUntil }),
})

const toRecord = (r: Rec): IdempotencyRecord => ({
  key: r.key,
  requestHash: r.requestHash,
  response: parse(r.response),
  at: r.at,
})

/** Opens an empty memory store. */
export const make = (options?: Limits.StoreOptions): Effect.Effect<StoreService> =>
  Effect.sync(() => open(options))

/** A layer of every port on a fresh memory store. */
export const layer = (options?: Limits.StoreOptions): Layer.Layer<Services> =>
  layerFrom(make(options))

/** Opens an empty memory store, synchronously. */
export const open = (options?: Limits.StoreOptions): StoreService => {
  const limits = Limits.resolve(options)
  const calls = new Map<string, Call>()
  const items = new Map<number, Item>()
  const inbox = new Set<string>()
  const records = new Map<string, Rec>()
  let nextId = 1
  let closed = false

  const op = <A, E extends StoreError = never>(f: () => A): Effect.Effect<A, E> =>
    Effect.suspend((): Effect.Effect<A, StoreError> => {
      if (closed) return Effect.fail(new StoreClosedError())
      try {
        return Effect.succeed(f())
      } catch (e) {
        return Effect.fail(isStoreError(e) ? e : new StoreUnavailableError({ cause: e }))
      }
    }) as Effect.Effect<A, E>

  const live = (r: Rec | undefined, now: number): r is Rec =>
    r !== undefined && r.at + limits.idempotencyWindowMs > now

  const leased = (id: string, owner: string): Item => {
    Limits.id('id', id)
    Limits.id('owner', owner)
    const item = Limits.outboxId.test(id) ? items.get(Number(id)) : undefined
    if (item === undefined || item.dead !== undefined || item.leaseOwner !== owner)
      throw new StoreLeaseError({ id, owner })
    return item
  }

  const events: EventStoreService = {
    append: (request) =>
      op(() => {
        const r = Limits.append(request, limits)
        const dups = r.inboxIds.filter((i) => inbox.has(i))
        if (dups.length > 0) throw new StoreDuplicateError({ what: 'inbox', ids: dups })
        const call = calls.get(r.callId)
        const actual = call?.version ?? 0
        if (actual !== r.expectedVersion)
          throw new StoreConflictError({ callId: r.callId, expected: r.expectedVersion, actual })
        if (r.idempotency !== undefined && live(records.get(r.idempotency.key), r.idempotency.at))
          throw new StoreDuplicateError({ what: 'idempotency', ids: [r.idempotency.key] })
        // Checks done: from here on nothing can fail.
        const c: Call = call ?? {
          version: 0,
          outboxSeq: 0,
          deadline: null,
          events: [],
          snapshot: undefined,
        }
        calls.set(r.callId, c)
        r.events.forEach((e, i) =>
          c.events.push({
            callId: r.callId as CallId,
            version: r.expectedVersion + i + 1,
            type: e.type,
            at: e.at,
            payload: parse(e.payload),
          }),
        )
        c.version = r.newVersion
        const out = r.outbox.map((o) => {
          const id = nextId++
          const seq = ++c.outboxSeq
          items.set(id, {
            id,
            callId: r.callId,
            seq,
            kind: o.kind,
            payload: o.payload,
            dueAt: o.dueAt,
            attempts: 0,
            lastError: undefined,
            leaseOwner: undefined,
            leaseUntil: undefined,
            dead: undefined,
          })
          return { id: String(id), seq }
        })
        if (r.timer !== undefined) c.deadline = r.timer
        if (r.snapshot !== undefined) c.snapshot = r.snapshot
        for (const i of r.inboxIds) inbox.add(i)
        if (r.idempotency !== undefined) records.set(r.idempotency.key, { ...r.idempotency })
        return { version: r.newVersion, outbox: out }
      }),
    read: (callId, options) =>
      op(() => {
        Limits.id('callId', callId)
        const from = Limits.count('fromVersion', options?.fromVersion ?? 1, 0)
        const c = calls.get(callId)
        return c === undefined
          ? []
          : c.events
              .slice(Math.max(0, from - 1))
              .map((e) => ({ ...e, payload: structuredClone(e.payload) }))
      }),
    version: (callId) =>
      op(() => {
        Limits.id('callId', callId)
        return calls.get(callId)?.version ?? 0
      }),
    listCalls: (options) =>
      op(() => {
        const after = options?.after === undefined ? undefined : Limits.id('after', options.after)
        const limit = Limits.count('limit', options?.limit ?? Number.MAX_SAFE_INTEGER, 0)
        return [...calls.entries()]
          .filter(([id, c]) => c.version > 0 && (after === undefined || id > after))
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .slice(0, limit)
          .map(([id, c]) => ({ callId: id as CallId, version: c.version }))
      }),
    snapshot: (callId) =>
      op(() => {
        Limits.id('callId', callId)
        const s = calls.get(callId)?.snapshot
        return s === undefined
          ? Option.none()
          : Option.some({ version: s.version, state: parse(s.state) })
      }),
  }

  const byOrder = (a: Item, b: Item) => a.dueAt - b.dueAt || a.id - b.id

  const outbox: OutboxService = {
    claim: (request) =>
      op(() => {
        const owner = Limits.id('owner', request.owner)
        const limit = Limits.count('limit', request.limit, 0)
        const leaseMs = Limits.count('leaseMs', request.leaseMs, 1)
        const now = Limits.instant('now', request.now)
        const kinds =
          request.kinds === undefined
            ? undefined
            : new Set(
                Limits.array<string>('kinds', request.kinds).map((k) => Limits.id('kinds', k)),
              )
        // The head of each call: its earliest item that is neither acknowledged nor dead.
        const heads = new Map<string, Item>()
        for (const i of items.values()) {
          if (i.dead !== undefined) continue
          const h = heads.get(i.callId)
          if (h === undefined || i.seq < h.seq) heads.set(i.callId, i)
        }
        const picked = [...heads.values()]
          .filter(
            (i) =>
              i.dueAt <= now &&
              (i.leaseUntil === undefined || i.leaseUntil <= now) &&
              (kinds === undefined || kinds.has(i.kind)),
          )
          .sort(byOrder)
          .slice(0, limit)
        for (const i of picked) {
          i.leaseOwner = owner
          i.leaseUntil = now + leaseMs
        }
        return picked.map(toItem)
      }),
    ack: (id, owner) =>
      op(() => {
        items.delete(leased(id, owner).id)
      }),
    reschedule: (id, owner, next) =>
      op(() => {
        const dueAt = Limits.instant('dueAt', next.dueAt)
        const error = Limits.text('error', next.error)
        const i = leased(id, owner)
        i.attempts += 1
        i.lastError = error
        i.dueAt = dueAt
        i.leaseOwner = undefined
        i.leaseUntil = undefined
      }),
    deadLetter: (id, owner, reason) =>
      op(() => {
        const why = Limits.text('reason', reason)
        const i = leased(id, owner)
        i.dead = why
        i.leaseOwner = undefined
        i.leaseUntil = undefined
      }),
    listDeadLetters: (options) =>
      op(() => {
        const limit = Limits.count('limit', options?.limit ?? 100, 0)
        return [...items.values()]
          .filter((i) => i.dead !== undefined)
          .sort((a, b) => a.id - b.id)
          .slice(0, limit)
          .map((i): DeadLetter => ({ ...toItem(i), reason: i.dead as string }))
      }),
    redrive: (id, now) =>
      op(() => {
        Limits.id('id', id)
        const at = Limits.instant('now', now)
        const i = Limits.outboxId.test(id) ? items.get(Number(id)) : undefined
        if (i === undefined || i.dead === undefined)
          throw new StoreNotFoundError({ what: 'dead letter', id: String(id) })
        i.dead = undefined
        i.attempts = 0
        i.lastError = undefined
        i.dueAt = at
      }),
    pending: (options) =>
      op(() => {
        const callId =
          options?.callId === undefined ? undefined : Limits.id('callId', options.callId)
        const limit = Limits.count('limit', options?.limit ?? Number.MAX_SAFE_INTEGER, 0)
        return [...items.values()]
          .filter((i) => i.dead === undefined && (callId === undefined || i.callId === callId))
          .sort((a, b) => a.id - b.id)
          .slice(0, limit)
          .map(toItem)
      }),
  }

  const idempotency: IdempotencyService = {
    get: (key, now) =>
      op(() => {
        Limits.id('key', key)
        Limits.instant('now', now)
        const r = records.get(key)
        return live(r, now) ? Option.some(toRecord(r)) : Option.none()
      }),
    put: (record) =>
      op(() => {
        const r = Limits.record(record, limits)
        const old = records.get(r.key)
        if (live(old, r.at)) {
          if (old.requestHash === r.requestHash) return
          throw new StoreDuplicateError({ what: 'idempotency', ids: [r.key] })
        }
        records.set(r.key, { ...r })
      }),
    purge: (now) =>
      op(() => {
        Limits.instant('now', now)
        let n = 0
        for (const [k, r] of records)
          if (!live(r, now)) {
            records.delete(k)
            n++
          }
        return n
      }),
  }

  const timers = {
    due: (now: number) =>
      op(() => {
        Limits.instant('now', now)
        return list().filter((t) => t.deadline <= now)
      }),
    all: () => op(() => list()),
  }
  const list = () =>
    [...calls.entries()]
      .filter(([, c]) => c.deadline !== null)
      .map(([id, c]) => ({ callId: id as CallId, deadline: c.deadline as number }))
      .sort((a, b) => a.deadline - b.deadline || (a.callId < b.callId ? -1 : 1))

  return {
    events,
    outbox,
    idempotency,
    timers,
    inbox: {
      has: (id) =>
        op(() => {
          Limits.id('id', id)
          return inbox.has(id)
        }),
    },
    close: () =>
      Effect.sync(() => {
        closed = true
      }),
  }
}
