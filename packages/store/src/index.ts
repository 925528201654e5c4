/**
 * @switchboard/store: the persistence ports of Switchboard (event store, outbox, idempotency,
 * timers, inbox) and three implementations: memory, PGlite (embedded) and PostgreSQL.
 */
export type { CallId } from './CallId.js'
export type { Json } from './Json.js'
export * from './Errors.js'
export * from './EventStore.js'
export * from './Outbox.js'
export * from './Idempotency.js'
export * from './Timers.js'
export * from './Inbox.js'
export * from './Store.js'
export type { StoreOptions } from './Limits.js'
export * as Migrations from './Migrations.js'
export * as MemoryStore from './MemoryStore.js'
export * as PgliteStore from './PgliteStore.js'
export * as PostgresStore from './PostgresStore.js'
