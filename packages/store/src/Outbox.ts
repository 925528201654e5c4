/**
 * The outbox port: callbacks to deliver and instructions for the media plane, written in the
 * same transaction as the events that caused them, handed to workers under a lease, one
 * outstanding item per call at a time, in the call's order.
 */
import { Context, type Effect } from 'effect'
import type { CallId } from './CallId.js'
import type {
  StoreClosedError,
  StoreInputError,
  StoreLeaseError,
  StoreNotFoundError,
  StoreUnavailableError,
} from './Errors.js'
import type { Json } from './Json.js'

export type OutboxKind = 'callback' | 'media' | (string & {})

/** An item to enqueue with an append. */
export interface NewOutboxItem {
  readonly kind: OutboxKind
  readonly payload: Json
  /** When it may first be handed out (ms). */
  readonly dueAt: number
}

export interface OutboxItem {
  readonly id: string
  readonly callId: CallId
  /** Position among the call's items: 1, 2, ... in enqueue order. */
  readonly seq: number
  readonly kind: OutboxKind
  readonly payload: Json
  readonly dueAt: number
  /** Failed deliveries so far (incremented by `reschedule`). */
  readonly attempts: number
  readonly lastError?: string
  readonly leaseOwner?: string
  readonly leaseUntil?: number
}

export interface DeadLetter extends OutboxItem {
  readonly reason: string
}

export interface ClaimRequest {
  readonly owner: string
  readonly limit: number
  readonly leaseMs: number
  readonly now: number
  /** Only items of these kinds (an item of another kind still blocks later items of its call). */
  readonly kinds?: ReadonlyArray<OutboxKind>
}

type Base = StoreInputError | StoreClosedError | StoreUnavailableError

export interface OutboxService {
  /**
   * Leases due items whose lease is free or expired, at most `limit`, ordered by `dueAt` then
   * enqueue order. An item is handed out only when every earlier item of its call has been
   * acknowledged (or dead-lettered).
   */
  readonly claim: (request: ClaimRequest) => Effect.Effect<ReadonlyArray<OutboxItem>, Base>
  /** Done: removes the item. Fails with `StoreLeaseError` if `owner` does not hold it. */
  readonly ack: (id: string, owner: string) => Effect.Effect<void, Base | StoreLeaseError>
  /** Failed this time: attempts + 1, records the error, releases the lease, due again at `dueAt`. */
  readonly reschedule: (
    id: string,
    owner: string,
    next: { readonly dueAt: number; readonly error: string },
  ) => Effect.Effect<void, Base | StoreLeaseError>
  /** Gives up: moves the item to the dead letters, so later items of its call can proceed. */
  readonly deadLetter: (
    id: string,
    owner: string,
    reason: string,
  ) => Effect.Effect<void, Base | StoreLeaseError>
  readonly listDeadLetters: (options?: {
    readonly limit?: number
  }) => Effect.Effect<ReadonlyArray<DeadLetter>, Base>
  /** Moves a dead letter back into the outbox, due at `now`, attempts reset to 0. */
  readonly redrive: (id: string, now: number) => Effect.Effect<void, Base | StoreNotFoundError>
  /** Items not yet acknowledged nor dead-lettered, of one call or of all, in order. */
  readonly pending: (options?: {
    readonly callId?: CallId
    readonly limit?: number
  }) => Effect.Effect<ReadonlyArray<OutboxItem>, Base>
}

export class Outbox extends Context.Tag('@switchboard/store/Outbox')<Outbox, OutboxService>() {}
