/**
 * GroupCommit's `gather`: an operation that finds the slot free waits one turn of the event loop,
 * so operations issued by other callbacks of that turn go in the same statement. This is what
 * lets a PGlite store (whose statements hold the event loop) group the appends of requests that
 * arrived together; without it each of them found the slot free and went alone.
 */
import { describe, expect, it } from 'vitest'
import * as GroupCommit from '../src/GroupCommit.js'
import { StoreInputError } from '../src/Errors.js'

interface Calls {
  readonly statements: Array<ReadonlyArray<number>>
}

const engine = (gather: boolean | undefined, engineDefault: boolean) => {
  const calls: Calls = { statements: [] }
  const send = GroupCommit.make<number, number>(
    GroupCommit.resolve(gather === undefined ? {} : { gather }, engineDefault),
    async (r) => {
      calls.statements.push([r])
      return r * 10
    },
    async (rs) => {
      calls.statements.push(rs)
      return rs.map((r) => (r === 3 ? { ok: false, error: 'three' } : { ok: true, value: r * 10 }))
    },
  )
  return { calls, send }
}

type Outcome = { readonly ok: boolean; readonly v: unknown }
const settle = (p: Promise<number>): Promise<Outcome> =>
  p.then(
    (v) => ({ ok: true, v }),
    (e: unknown) => ({ ok: false, v: e }),
  )

/**
 * Issues 2, 3 and 4 from callbacks queued for this turn's check phase (as the other requests of
 * a turn run, before anything queued after them), then 1 at once.
 */
const burst = (send: (r: number) => Promise<number>): Promise<ReadonlyArray<Outcome>> => {
  const later = [2, 3, 4].map(
    (r) => new Promise<Outcome>((resolve) => setImmediate(() => resolve(settle(send(r))))),
  )
  const first = settle(send(1))
  return Promise.all([first, ...later])
}

describe('group commit gather', () => {
  it('sends a lone operation at once without gather, and with it after one turn, alone', async () => {
    const off = engine(false, false)
    const p = off.send(7)
    expect(off.calls.statements).toEqual([[7]])
    await expect(p).resolves.toBe(70)

    const on = engine(true, false)
    const q = on.send(7)
    expect(on.calls.statements).toEqual([])
    await expect(q).resolves.toBe(70)
    expect(on.calls.statements).toEqual([[7]])
  })

  it('puts operations issued by callbacks of the same turn in one statement, each with its own outcome', async () => {
    const on = engine(undefined, true)
    // 2, 3 and 4 are issued before the turn the first one waits for: all four meet
    const settled = await burst(on.send)
    expect(on.calls.statements).toEqual([[1, 2, 3, 4]])
    expect(settled).toEqual([
      { ok: true, v: 10 },
      { ok: true, v: 20 },
      { ok: false, v: 'three' },
      { ok: true, v: 40 },
    ])
  })

  it('without gather, the first of such a burst goes alone and the rest together', async () => {
    const off = engine(undefined, false)
    await burst(off.send)
    expect(off.calls.statements[0]).toEqual([1])
    expect(off.calls.statements.flat()).toEqual([1, 2, 3, 4])
  })

  it('refuses a gather that is not a boolean', () => {
    expect(() => GroupCommit.resolve({ gather: 'yes' as unknown as boolean })).toThrow(
      StoreInputError,
    )
  })
})
