/**
 * All ports of one store, for code that does not use layers, and the layer that provides
 * each port as its own service.
 */
import { Context, Effect, Layer } from 'effect'
import { EventStore, type EventStoreService } from './EventStore.js'
import { Idempotency, type IdempotencyService } from './Idempotency.js'
import { Inbox, type InboxService } from './Inbox.js'
import { Outbox, type OutboxService } from './Outbox.js'
import { Timers, type TimersService } from './Timers.js'

export interface StoreService {
  readonly events: EventStoreService
  readonly outbox: OutboxService
  readonly idempotency: IdempotencyService
  readonly timers: TimersService
  readonly inbox: InboxService
  /** Releases the database; every later call fails with `StoreClosedError`. Idempotent. */
  readonly close: () => Effect.Effect<void>
}

export class Store extends Context.Tag('@switchboard/store/Store')<Store, StoreService>() {}

export type Services = Store | EventStore | Outbox | Idempotency | Timers | Inbox

/** A layer of every port from a store that is opened on build and closed on release. */
export const layerFrom = <E>(open: Effect.Effect<StoreService, E>): Layer.Layer<Services, E> =>
  Layer.scopedContext(
    Effect.map(
      Effect.acquireRelease(open, (s) => s.close()),
      (s) =>
        Context.empty().pipe(
          Context.add(Store, s),
          Context.add(EventStore, s.events),
          Context.add(Outbox, s.outbox),
          Context.add(Idempotency, s.idempotency),
          Context.add(Timers, s.timers),
          Context.add(Inbox, s.inbox),
        ),
    ),
  )
