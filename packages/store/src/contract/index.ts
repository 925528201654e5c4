/**
 * Contract suites of the store ports, for vitest: each takes a factory of fresh stores and
 * runs the same tests against any implementation.
 */
import { describe } from 'vitest'
import { concurrencyContract } from './ConcurrencyContract.js'
import { eventStoreContract } from './EventStoreContract.js'
import type { Factory } from './Harness.js'
import { idempotencyContract } from './IdempotencyContract.js'
import { inboxContract } from './InboxContract.js'
import { outboxContract } from './OutboxContract.js'
import { timersContract } from './TimersContract.js'

export type { Factory } from './Harness.js'
export {
  concurrencyContract,
  eventStoreContract,
  idempotencyContract,
  inboxContract,
  outboxContract,
  timersContract,
}

/** Every port's contract against one implementation. */
export const storeContract = (name: string, factory: Factory): void => {
  describe(name, () => {
    eventStoreContract(factory)
    outboxContract(factory)
    idempotencyContract(factory)
    timersContract(factory)
    inboxContract(factory)
    concurrencyContract(factory)
  })
}
