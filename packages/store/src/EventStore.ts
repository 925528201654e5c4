/**
 * The event store port: a log of events per call, appended with an expected version.
 * One `append` is one transaction that also enqueues outbox items, sets the call's timer,
 * records inbox ids and an idempotency record, and stores a snapshot.
 */
import { Context, type Effect, type Option } from 'effect'
import type { CallId } from './CallId.js'
import type {
  StoreClosedError,
  StoreConflictError,
  StoreDuplicateError,
  StoreInputError,
  StoreUnavailableError,
} from './Errors.js'
import type { IdempotencyRecord } from './Idempotency.js'
import type { Json } from './Json.js'
import type { NewOutboxItem } from './Outbox.js'

/** An event to append. The store does not interpret it. */
export interface NewEvent {
  readonly type: string
  /** ms since the epoch */
  readonly at: number
  readonly payload: Json
}

/** An event as stored: `version` is its 1-based position in its call's log. */
export interface StoredEvent extends NewEvent {
  readonly callId: CallId
  readonly version: number
}

/** The last state folded by the caller, so a reader can skip the events up to `version`. */
export interface Snapshot {
  readonly version: number
  readonly state: Json
}

export interface AppendRequest {
  readonly callId: CallId
  /** The version the caller folded; 0 means a new call. A stale version fails with a conflict. */
  readonly expectedVersion: number
  readonly events: ReadonlyArray<NewEvent>
  /** Items enqueued in the same transaction, in this order (their `seq` follows the call's last). */
  readonly outbox?: ReadonlyArray<NewOutboxItem>
  /** The call's next deadline (ms), `null` to clear it; absent leaves it as it is. */
  readonly timer?: number | null
  /** A snapshot to keep (replaces the call's previous one); `version` must be <= the new version. */
  readonly snapshot?: Snapshot
  /** Ids of received events (webhook ingestion). If any is already recorded the append fails whole. */
  readonly inboxIds?: ReadonlyArray<string>
  /**
   * An idempotency record to keep with the append. If a live record with this key exists (any
   * hash) the append fails whole with `StoreDuplicateError` so a command is never applied twice.
   */
  readonly idempotency?: IdempotencyRecord
}

export interface AppendResult {
  /** The call's version after the append. */
  readonly version: number
  /** The enqueued outbox items, in the order given. */
  readonly outbox: ReadonlyArray<{ readonly id: string; readonly seq: number }>
}

export interface CallVersion {
  readonly callId: CallId
  readonly version: number
}

export type AppendError =
  | StoreConflictError
  | StoreDuplicateError
  | StoreInputError
  | StoreClosedError
  | StoreUnavailableError

export type ReadError = StoreInputError | StoreClosedError | StoreUnavailableError

export interface EventStoreService {
  readonly append: (request: AppendRequest) => Effect.Effect<AppendResult, AppendError>
  /** The call's events in version order; `fromVersion` (inclusive, default 1) skips earlier ones. */
  readonly read: (
    callId: CallId,
    options?: { readonly fromVersion?: number },
  ) => Effect.Effect<ReadonlyArray<StoredEvent>, ReadError>
  /** The call's current version, 0 when it has no events. */
  readonly version: (callId: CallId) => Effect.Effect<number, ReadError>
  /** Calls with their current version, ordered by id; `after` and `limit` page through them. */
  readonly listCalls: (options?: {
    readonly after?: CallId
    readonly limit?: number
  }) => Effect.Effect<ReadonlyArray<CallVersion>, ReadError>
  /** The call's latest snapshot, if one was stored. */
  readonly snapshot: (callId: CallId) => Effect.Effect<Option.Option<Snapshot>, ReadError>
}

export class EventStore extends Context.Tag('@switchboard/store/EventStore')<
  EventStore,
  EventStoreService
>() {}
