/**
 * Crash safety of delivery: a child service commanding a burst of calls is killed with SIGKILL
 * mid-burst, then started again. Every call it acknowledged is in the store, and every callback
 * the store committed reaches the receiver: in order per call, none missing, none twice after
 * deduplication by CloudEvent id (and a redelivery carries the same id).
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { Effect } from 'effect'
import type { Event } from '@switchboard/core'
import { replay } from '@switchboard/core'
import { PgliteStore } from '@switchboard/store'
import * as Receiver from './Receiver.js'

const here = dirname(fileURLToPath(import.meta.url))
const child = join(here, 'fixtures', 'ServiceChild.ts')
const dirs: Array<string> = []
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true })
})

const run = (args: ReadonlyArray<string>, killWhen: ((acked: number) => boolean) | null) =>
  new Promise<{ acked: Array<string>; killed: boolean }>((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, ...args], {
      cwd: join(here, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const acked: Array<string> = []
    let buffer = ''
    let stderr = ''
    let killed = false
    const timer = setTimeout(() => {
      p.kill('SIGKILL')
      reject(new Error(`child timed out: ${stderr}`))
    }, 150_000)
    const check = () => {
      if (!killed && killWhen !== null && killWhen(acked.length)) {
        killed = true
        p.kill('SIGKILL')
      }
    }
    const poll = setInterval(check, 5)
    p.stdout.on('data', (d: Buffer) => {
      buffer += d.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const line of lines) {
        const m = /^ack (\S+)$/.exec(line)
        if (m) acked.push(m[1]!)
        check()
      }
    })
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    p.on('error', reject)
    p.on('exit', (code, signal) => {
      clearTimeout(timer)
      clearInterval(poll)
      if (signal === 'SIGKILL' && killed) resolve({ acked, killed })
      else if (code === 0) resolve({ acked, killed })
      else reject(new Error(`child exited with ${code ?? signal}: ${stderr}`))
    })
  })

describe('delivery across a SIGKILL', () => {
  it('delivers every committed callback of every acknowledged call after a restart, in order, none twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'webhooks-crash-'))
    dirs.push(dataDir)
    // every third attempt fails, so retries are in flight when the process dies
    let n = 0
    const receiver = await Receiver.start(() => (++n % 3 === 0 ? 500 : 204))
    try {
      const first = await run(
        [dataDir, `${receiver.url}/cb`, 'burst', '40'],
        (acked) => acked >= 12 && receiver.received.length > 0,
      )
      expect(first.killed).toBe(true)
      expect(first.acked.length).toBeGreaterThanOrEqual(12)
      const before = receiver.received.length
      await run([dataDir, `${receiver.url}/cb`, 'resume'], null)
      // the burst was cut short: the restart finds calls half done and callbacks undelivered
      expect(receiver.received.length).toBeGreaterThan(0)

      // what the store committed
      const store = await PgliteStore.open({ dataDir: join(dataDir, 'pg') })
      try {
        const calls = await Effect.runPromise(store.events.listCalls({ limit: 1000 }))
        const committed = new Map<string, number>()
        for (const c of calls) {
          const events = await Effect.runPromise(store.events.read(c.callId))
          committed.set(
            c.callId,
            replay(events.map((e) => e.payload as unknown as Event.Event)).callbacks,
          )
        }
        for (const id of first.acked) expect(committed.get(id)).toBeGreaterThanOrEqual(5)
        expect(await Effect.runPromise(store.outbox.pending())).toEqual([])

        // what arrived, deduplicated by CloudEvent id
        const byCall = new Map<string, Array<number>>()
        const idOf = new Map<string, string>()
        const seen = new Set<string>()
        for (const r of receiver.received) {
          const [e] = r.body as Array<{
            id: string
            sequence: number
            data: { callConnectionId: string }
          }>
          const key = `${e!.data.callConnectionId}#${e!.sequence}`
          // a redelivery carries the id of the first delivery
          expect(idOf.get(key) ?? e!.id).toBe(e!.id)
          idOf.set(key, e!.id)
          if (seen.has(e!.id)) continue
          seen.add(e!.id)
          byCall.set(e!.data.callConnectionId, [
            ...(byCall.get(e!.data.callConnectionId) ?? []),
            e!.sequence,
          ])
        }
        for (const [call, count] of committed)
          expect(byCall.get(call) ?? []).toEqual(Array.from({ length: count }, (_, i) => i + 1))
        expect([...byCall.keys()].every((c) => committed.has(c))).toBe(true)
        expect(before).toBeGreaterThan(0)
      } finally {
        await Effect.runPromise(store.close())
      }
    } finally {
      await receiver.close()
    }
  }, 300_000)
})
