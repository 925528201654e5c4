/**
 * Idempotency records, one per `Repeatability-Request-ID`: the request's hash and the response
 * that was sent, live for a configurable window after `at` (ACS documents five minutes).
 */
import { Context, type Effect, type Option } from 'effect'
import type {
  StoreClosedError,
  StoreDuplicateError,
  StoreInputError,
  StoreUnavailableError,
} from './Errors.js'
import type { Json } from './Json.js'

export interface IdempotencyRecord {
  readonly key: string
  readonly requestHash: string
  readonly response: Json
  /** When the request was handled (ms); the record is live until `at + window`. */
  readonly at: number
}

type Base = StoreInputError | StoreClosedError | StoreUnavailableError

export interface IdempotencyService {
  /** The live record for `key` at `now`; expired records are ignored. */
  readonly get: (key: string, now: number) => Effect.Effect<Option.Option<IdempotencyRecord>, Base>
  /**
   * Keeps a record. A live record with the same key and hash makes this a no-op; with another
   * hash it fails with `StoreDuplicateError`. An expired record is replaced.
   */
  readonly put: (record: IdempotencyRecord) => Effect.Effect<void, Base | StoreDuplicateError>
  /** Deletes records expired at `now`; returns how many. */
  readonly purge: (now: number) => Effect.Effect<number, Base>
}

export class Idempotency extends Context.Tag('@switchboard/store/Idempotency')<
  Idempotency,
  IdempotencyService
>() {}
