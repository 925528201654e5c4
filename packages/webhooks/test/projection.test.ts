import { describe, expect, it } from 'vitest'
import * as Projection from '../src/Projection.js'
import { callRef, playCompleted } from './Items.js'

const base = Date.parse('2025-03-21T17:22:31Z')

/** The k-th PlayCompleted of call 1 (sequence k, a second apart). */
const entry = (k: number, id = `e-${k}`): Projection.Entry => ({
  kind: 'callback',
  id,
  time: new Date(base + k * 1000).toISOString(),
  ms: base + k * 1000,
  sequence: k,
  call: callRef(1),
  event: playCompleted(k, base + k * 1000),
})

const contexts = (v: Projection.View | null) =>
  v!.operations.finished.map((f) => f.operationContext)

describe('projection folds', () => {
  it('extending one entry at a time gives the fold of them all', () => {
    const entries = Array.from({ length: 40 }, (_, i) => entry(i + 1))
    let f = Projection.empty
    for (const e of entries) f = Projection.extend(f, [e])!
    expect(Projection.view(f)).toEqual(Projection.view(Projection.foldAll(entries)))
    expect(Projection.view(f)!.callbacks).toBe(40)
  })

  it('keeps a fold and its views unchanged by later extensions, also when a fold is extended twice', () => {
    const f2 = Projection.extend(Projection.extend(Projection.empty, [entry(1)])!, [entry(2)])!
    const before = Projection.view(f2)
    const a = Projection.extend(f2, [entry(3, 'a-3'), entry(4, 'a-4')])!
    const b = Projection.extend(f2, [entry(3, 'b-3')])!
    const a5 = Projection.extend(a, [entry(5, 'a-5')])!
    expect(contexts(before)).toEqual(['ctx-1', 'ctx-2'])
    expect(contexts(Projection.view(f2))).toEqual(['ctx-1', 'ctx-2'])
    expect(Projection.view(a)!.operations.finished.map((x) => x.eventId)).toEqual([
      'e-1',
      'e-2',
      'a-3',
      'a-4',
    ])
    expect(Projection.view(b)!.operations.finished.map((x) => x.eventId)).toEqual([
      'e-1',
      'e-2',
      'b-3',
    ])
    expect(Projection.view(a5)!.operations.finished.map((x) => x.eventId)).toEqual([
      'e-1',
      'e-2',
      'a-3',
      'a-4',
      'a-5',
    ])
    expect(Projection.view(b)!.missingSequences).toEqual([])
    expect(Projection.view(Projection.extend(b, [entry(6, 'b-6')])!)!.missingSequences).toEqual([
      4, 5,
    ])
    expect(Projection.view(b)!.callbacks).toBe(3)
    expect(before!.callbacks).toBe(2)
  })
})
