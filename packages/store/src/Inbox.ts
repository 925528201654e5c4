/**
 * Ids of received events (webhook ingestion), for deduplication. Ids are recorded by
 * `EventStore.append` (`inboxIds`), in the same transaction as the events they produced.
 */
import { Context, type Effect } from 'effect'
import type { StoreClosedError, StoreInputError, StoreUnavailableError } from './Errors.js'

export interface InboxService {
  readonly has: (
    id: string,
  ) => Effect.Effect<boolean, StoreInputError | StoreClosedError | StoreUnavailableError>
}

export class Inbox extends Context.Tag('@switchboard/store/Inbox')<Inbox, InboxService>() {}
