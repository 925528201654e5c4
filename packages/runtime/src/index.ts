/**
 * @switchboard/runtime: the imperative shell around the pure core. For each request or media-plane
 * signal: load the call, fold, decide, append the events and their outbox items in one transaction
 * with the expected version, then dispatch. Timers, recovery, and the ports (clock, ids, store,
 * media plane) as Effect layers.
 */
export * as CallbackItem from './CallbackItem.js'
export * as IdSource from './IdSource.js'
export * as MediaPlane from './MediaPlane.js'
export * as Pipeline from './Pipeline.js'
export * as Recovery from './Recovery.js'
export * as Scheduler from './Scheduler.js'
export * as Wakeup from './Wakeup.js'
export * as HttpRoute from './HttpRoute.js'
export * as IncomingCalls from './IncomingCalls.js'
