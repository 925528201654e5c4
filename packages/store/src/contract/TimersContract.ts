/** The contract of the timers port: one deadline per call, set by the append transaction. */
import { describe, expect, it } from 'vitest'
import type { CallId } from '../CallId.js'
import { callId, failure, run, using, type Factory } from './Harness.js'

const id = (s: string) => s as CallId
const e = { type: 'E', at: 0, payload: null }

export const timersContract = (factory: Factory): void => {
  describe('Timers', () => {
    it('arms, keeps, moves and clears the deadline of a call with its appends', () =>
      using(factory, async (s) => {
        const a = id(callId())
        const b = id(callId())
        expect(await run(s.timers.all())).toEqual([])
        await run(s.events.append({ callId: a, expectedVersion: 0, events: [e], timer: 300 }))
        await run(s.events.append({ callId: b, expectedVersion: 0, events: [e], timer: 200 }))
        expect(await run(s.timers.all())).toEqual([
          { callId: b, deadline: 200 },
          { callId: a, deadline: 300 },
        ])
        expect(await run(s.timers.due(199))).toEqual([])
        expect(await run(s.timers.due(250))).toEqual([{ callId: b, deadline: 200 }])
        // Absent: kept. A number: moved. null: cleared.
        await run(s.events.append({ callId: a, expectedVersion: 1, events: [e] }))
        expect(await run(s.timers.due(300))).toEqual([
          { callId: b, deadline: 200 },
          { callId: a, deadline: 300 },
        ])
        await run(s.events.append({ callId: a, expectedVersion: 2, events: [e], timer: 100 }))
        await run(s.events.append({ callId: b, expectedVersion: 1, events: [e], timer: null }))
        expect(await run(s.timers.all())).toEqual([{ callId: a, deadline: 100 }])
        // A refused append changes nothing.
        await failure(s.events.append({ callId: a, expectedVersion: 1, events: [e], timer: null }))
        expect(await run(s.timers.all())).toEqual([{ callId: a, deadline: 100 }])
        expect(await failure(s.timers.due(-1))).toMatchObject({ _tag: 'StoreInputError' })
      }))
  })
}
