/** The contract of the inbox port: ids recorded by appends, for deduplication. */
import { describe, expect, it } from 'vitest'
import type { CallId } from '../CallId.js'
import { callId, failure, run, using, type Factory } from './Harness.js'

export const inboxContract = (factory: Factory): void => {
  describe('Inbox', () => {
    it('records the ids of an append, once each, and only when the append lands', () =>
      using(factory, async (s) => {
        const c = callId() as CallId
        const [x, y, z] = [callId('evt'), callId('evt'), callId('evt')]
        expect(await run(s.inbox.has(x))).toBe(false)
        await run(
          s.events.append({
            callId: c,
            expectedVersion: 0,
            events: [{ type: 'E', at: 1, payload: null }],
            inboxIds: [x, y, x],
          }),
        )
        expect(await run(s.inbox.has(x))).toBe(true)
        expect(await run(s.inbox.has(y))).toBe(true)
        // A conflicting append records nothing.
        expect(
          await failure(
            s.events.append({ callId: c, expectedVersion: 0, events: [], inboxIds: [z] }),
          ),
        ).toMatchObject({
          _tag: 'StoreConflictError',
        })
        expect(await run(s.inbox.has(z))).toBe(false)
        // An append without events may record ids (an ignored callback is still a received one).
        await run(s.events.append({ callId: c, expectedVersion: 1, events: [], inboxIds: [z] }))
        expect(await run(s.inbox.has(z))).toBe(true)
      }))
  })
}
