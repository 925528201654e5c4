import { describe, expect, it } from 'vitest'
import * as Log from '../src/Log.js'

const entry: Log.Entry = {
  method: 'POST',
  path: '/calling/callConnections/cc-1:hold',
  operation: 'hold',
  callId: 'cc-1',
  status: 200,
  durationMs: 1.25,
}

const nextTurn = () => new Promise((r) => setImmediate(r))

describe('request log', () => {
  it('batches the lines of one event-loop turn into one write', async () => {
    const chunks: Array<string> = []
    const log = Log.make(
      'human',
      Log.batched((c) => void chunks.push(c)),
    )
    log.request(entry)
    log.request({ ...entry, status: 412, code: '8583' })
    log.request({ ...entry, replayed: true })
    expect(chunks).toEqual([])
    await nextTurn()
    expect(chunks).toHaveLength(1)
    const lines = chunks[0]!.split('\n')
    expect(lines).toHaveLength(4)
    expect(lines[3]).toBe('')
    expect(lines[0]).toMatch(/ 200 POST {3}hold .* call=cc-1$/)
    expect(lines[1]).toMatch(/ 412 .* code=8583$/)
    expect(lines[2]).toMatch(/\(replayed\)$/)
    log.request(entry)
    await nextTurn()
    expect(chunks).toHaveLength(2)
  })

  it('writes at once what a defect or a full buffer brings, and what flush is asked for', () => {
    const chunks: Array<string> = []
    const log = Log.make(
      'json',
      Log.batched((c) => void chunks.push(c), 200),
    )
    log.request(entry)
    log.defect('boom', new Error('broken'))
    expect(chunks).toHaveLength(1)
    const [first, second] = chunks[0]!
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
    expect(first).toMatchObject({ level: 'info', status: 200, operation: 'hold' })
    expect(second).toMatchObject({ level: 'error', message: 'boom' })
    for (let i = 0; i < 3; i++) log.request(entry)
    expect(chunks.length).toBeGreaterThan(1)
    log.request(entry)
    log.flush()
    const all = chunks.join('')
    expect(all.trimEnd().split('\n')).toHaveLength(6)
  })

  it('writes each line as it comes with a direct sink, and nothing with none', () => {
    const lines: Array<string> = []
    Log.make(
      'human',
      Log.direct((l) => void lines.push(l)),
    ).request(entry)
    expect(lines).toHaveLength(1)
    const none = Log.make(
      'none',
      Log.direct((l) => void lines.push(l)),
    )
    none.request(entry)
    none.defect('x', 'y')
    expect(none.enabled).toBe(false)
    expect(lines).toHaveLength(1)
  })
})
