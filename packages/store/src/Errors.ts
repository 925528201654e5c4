/**
 * Typed failures of the store ports. Every method of every port fails with one of these and
 * never with a defect: I/O failures are wrapped in `StoreUnavailableError`.
 */
import { Data } from 'effect'

/** An append named an expected version that is no longer the call's current version. */
export class StoreConflictError extends Data.TaggedError('StoreConflictError')<{
  readonly callId: string
  readonly expected: number
  readonly actual: number
}> {
  override get message(): string {
    return `call ${this.callId}: expected version ${this.expected}, found ${this.actual}`
  }
}

/**
 * Something was already recorded: inbox ids of received events (`what: 'inbox'`) or a live
 * idempotency key (`what: 'idempotency'`). `ids` lists the offending ids.
 */
export class StoreDuplicateError extends Data.TaggedError('StoreDuplicateError')<{
  readonly what: 'inbox' | 'idempotency'
  readonly ids: ReadonlyArray<string>
}> {
  override get message(): string {
    return `already recorded (${this.what}): ${this.ids.join(', ')}`
  }
}

/** The input was refused before anything was written (bad id, oversized payload, bad number). */
export class StoreInputError extends Data.TaggedError('StoreInputError')<{
  readonly field: string
  readonly reason: string
}> {
  override get message(): string {
    return `invalid ${this.field}: ${this.reason}`
  }
}

/** The store was closed; nothing was done. */
export class StoreClosedError extends Data.TaggedError('StoreClosedError')<object> {
  override get message(): string {
    return 'the store is closed'
  }
}

/** The database failed or could not be reached. `cause` is the driver's error. */
export class StoreUnavailableError extends Data.TaggedError('StoreUnavailableError')<{
  readonly cause: unknown
}> {
  override get message(): string {
    const c = this.cause
    return `store unavailable: ${c instanceof Error ? c.message : String(c)}`
  }
}

/**
 * An outbox item is not leased to the given owner: its lease was reclaimed by another worker
 * after it expired, it was already acknowledged, or the id is unknown.
 */
export class StoreLeaseError extends Data.TaggedError('StoreLeaseError')<{
  readonly id: string
  readonly owner: string
}> {
  override get message(): string {
    return `outbox item ${this.id} is not leased to ${this.owner}`
  }
}

/** The named record does not exist (for example, redriving an item that is not dead-lettered). */
export class StoreNotFoundError extends Data.TaggedError('StoreNotFoundError')<{
  readonly what: string
  readonly id: string
}> {
  override get message(): string {
    return `${this.what} ${this.id} not found`
  }
}

/** Every error a store method may fail with. */
export type StoreError =
  | StoreConflictError
  | StoreDuplicateError
  | StoreInputError
  | StoreClosedError
  | StoreUnavailableError
  | StoreLeaseError
  | StoreNotFoundError

const tags = new Set([
  'StoreConflictError',
  'StoreDuplicateError',
  'StoreInputError',
  'StoreClosedError',
  'StoreUnavailableError',
  'StoreLeaseError',
  'StoreNotFoundError',
])

/** True for the errors above (used to tell typed failures from driver errors). */
export const isStoreError = (u: unknown): u is StoreError =>
  typeof u === 'object' && u !== null && tags.has((u as { _tag?: unknown })._tag as string)
