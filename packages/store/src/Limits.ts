/**
 * Input checks shared by every implementation, so all three refuse the same inputs with the
 * same `StoreInputError` before anything is written.
 */
import * as CallId from './CallId.js'
import { StoreInputError } from './Errors.js'
import type { Json } from './Json.js'

/** Options every implementation accepts. */
export interface StoreOptions {
  /** Largest accepted JSON encoding of one payload (event, outbox item, snapshot, response). Default 1 MiB. */
  readonly maxPayloadBytes?: number
  /** How long an idempotency record stays live after its `at`. Default 5 minutes (the ACS window). */
  readonly idempotencyWindowMs?: number
}

export interface Limits {
  readonly maxPayloadBytes: number
  readonly idempotencyWindowMs: number
}

export const defaults: Limits = { maxPayloadBytes: 1024 * 1024, idempotencyWindowMs: 5 * 60_000 }

export const resolve = (o: StoreOptions | undefined): Limits => ({
  maxPayloadBytes: o?.maxPayloadBytes ?? defaults.maxPayloadBytes,
  idempotencyWindowMs: o?.idempotencyWindowMs ?? defaults.idempotencyWindowMs,
})

export const id = (field: string, s: unknown): string => {
  const p = CallId.problem(s)
  if (p !== null) throw new StoreInputError({ field, reason: p })
  return s as string
}

/** A time or deadline in ms since the epoch: a non-negative safe integer. */
export const instant = (field: string, n: unknown): number => {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0)
    throw new StoreInputError({ field, reason: 'must be a non-negative safe integer (ms)' })
  return n
}

export const count = (field: string, n: unknown, min: number): number => {
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < min)
    throw new StoreInputError({ field, reason: `must be an integer >= ${min}` })
  return n
}

export const text = (field: string, s: unknown, max = 64 * 1024): string => {
  if (typeof s !== 'string') throw new StoreInputError({ field, reason: 'must be a string' })
  if (s.length > max)
    throw new StoreInputError({ field, reason: `must be at most ${max} characters` })
  if (s.includes('\u0000')) throw new StoreInputError({ field, reason: 'must not contain NUL' })
  return s
}

/** Encodes a JSON payload, refusing what is not JSON or is larger than the limit. */
export const json = (field: string, value: unknown, limits: Limits): string => {
  let s: string | undefined
  try {
    s = JSON.stringify(value)
  } catch (e) {
    throw new StoreInputError({
      field,
      reason: `not JSON: ${e instanceof Error ? e.message : String(e)}`,
    })
  }
  if (s === undefined) throw new StoreInputError({ field, reason: 'not JSON' })
  // A character is at most 3 bytes in UTF-8 (surrogate pairs: 4 bytes for 2 units).
  if (
    s.length * 3 > limits.maxPayloadBytes &&
    Buffer.byteLength(s, 'utf8') > limits.maxPayloadBytes
  )
    throw new StoreInputError({
      field,
      reason: `larger than ${limits.maxPayloadBytes} bytes`,
    })
  return s
}

export const array = <A>(field: string, a: unknown): ReadonlyArray<A> => {
  if (!Array.isArray(a)) throw new StoreInputError({ field, reason: 'must be an array' })
  return a as ReadonlyArray<A>
}

export type { Json }

/** An append request after its checks, with every JSON value encoded. */
export interface CheckedAppend {
  readonly callId: string
  readonly expectedVersion: number
  readonly newVersion: number
  readonly events: ReadonlyArray<{
    readonly type: string
    readonly at: number
    readonly payload: string
  }>
  readonly outbox: ReadonlyArray<{
    readonly kind: string
    readonly dueAt: number
    readonly payload: string
  }>
  /** undefined: leave as is */
  readonly timer: number | null | undefined
  readonly snapshot: { readonly version: number; readonly state: string } | undefined
  /** deduplicated and sorted */
  readonly inboxIds: ReadonlyArray<string>
  readonly idempotency: CheckedRecord | undefined
}

export interface CheckedRecord {
  readonly key: string
  readonly requestHash: string
  readonly response: string
  readonly at: number
}

const object = (field: string, o: unknown): Record<string, unknown> => {
  if (typeof o !== 'object' || o === null)
    throw new StoreInputError({ field, reason: 'must be an object' })
  return o as Record<string, unknown>
}

export const record = (r: unknown, limits: Limits): CheckedRecord => {
  const o = object('idempotency record', r)
  return {
    key: id('idempotency key', o.key),
    requestHash: text('requestHash', o.requestHash, 1024),
    response: json('response', o.response, limits),
    at: instant('at', o.at),
  }
}

export const append = (r: unknown, limits: Limits): CheckedAppend => {
  const o = object('append request', r)
  const callId = id('callId', o.callId)
  const expectedVersion = count('expectedVersion', o.expectedVersion, 0)
  const events = array<unknown>('events', o.events).map((e, i) => {
    const x = object(`events[${i}]`, e)
    return {
      type: id(`events[${i}].type`, x.type),
      at: instant(`events[${i}].at`, x.at),
      payload: json(`events[${i}].payload`, x.payload, limits),
    }
  })
  const outbox = (o.outbox === undefined ? [] : array<unknown>('outbox', o.outbox)).map((e, i) => {
    const x = object(`outbox[${i}]`, e)
    return {
      kind: id(`outbox[${i}].kind`, x.kind),
      dueAt: instant(`outbox[${i}].dueAt`, x.dueAt),
      payload: json(`outbox[${i}].payload`, x.payload, limits),
    }
  })
  const newVersion = expectedVersion + events.length
  const timer = o.timer === undefined || o.timer === null ? o.timer : instant('timer', o.timer)
  let snapshot: CheckedAppend['snapshot']
  if (o.snapshot !== undefined) {
    const s = object('snapshot', o.snapshot)
    const v = count('snapshot.version', s.version, 1)
    if (v > newVersion)
      throw new StoreInputError({ field: 'snapshot.version', reason: `must be <= ${newVersion}` })
    snapshot = { version: v, state: json('snapshot.state', s.state, limits) }
  }
  const inboxIds =
    o.inboxIds === undefined
      ? []
      : [...new Set(array<unknown>('inboxIds', o.inboxIds).map((s) => id('inboxIds', s)))].sort()
  const idempotency = o.idempotency === undefined ? undefined : record(o.idempotency, limits)
  return {
    callId,
    expectedVersion,
    newVersion,
    events,
    outbox,
    timer: timer as number | null | undefined,
    snapshot,
    inboxIds,
    idempotency,
  }
}

/** Outbox ids are decimal bigints; anything else names no item. */
export const outboxId = /^[1-9][0-9]{0,17}$/
