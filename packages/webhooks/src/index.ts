/**
 * @switchboard/webhooks: callbacks both ways. Delivery (service side): signed, ordered, retried
 * POSTs of the outbox's callbacks, the published keys and the dead-letter admin routes.
 * Ingestion (app side): a handler that verifies, decodes, deduplicates and folds the callbacks
 * ACS (or Switchboard) sends into a durable per-call projection.
 */
export * as Backoff from './Backoff.js'
export * as Delivery from './Delivery.js'
export * as EventTypes from './EventTypes.js'
export * as HttpClient from './HttpClient.js'
export * as Keys from './Keys.js'
export * as Routes from './Routes.js'
export * as Signer from './Signer.js'
export * as Token from './Token.js'
export * as Ingestion from './Ingestion.js'
export * as Projection from './Projection.js'
export * as Verifier from './Verifier.js'
