/**
 * Crash safety: a child process appending batches is killed with SIGKILL mid-stream, several
 * times; after each restart the log holds every acknowledged batch whole, no partial batch, no
 * event without its outbox items and no outbox item without its events.
 */
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Effect } from 'effect'
import { afterAll, describe, expect, it } from 'vitest'
import type { CallId, StoreService } from '../src/index.js'
import { PgliteStore, PostgresStore } from '../src/index.js'
import { calls, shape } from './fixtures/CrashChild.js'
import { available, databaseUrl, dropSchemas, uniqueSchema } from './fixtures/Postgres.js'

const here = dirname(fileURLToPath(import.meta.url))
const child = join(here, 'fixtures', 'CrashChild.ts')

/** Runs the child until it has acknowledged `acks` more batches, then SIGKILLs it. */
const runAndKill = (args: ReadonlyArray<string>, acks: number): Promise<number[]> =>
  new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, ...args], {
      cwd: join(here, '..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const acked: number[] = []
    let buffer = ''
    let stderr = ''
    let killed = false
    p.stdout.on('data', (d: Buffer) => {
      buffer += d.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const line of lines) {
        const m = /^ack (\d+)$/.exec(line)
        if (m) acked.push(Number(m[1]))
        if (!killed && acked.length >= acks) {
          killed = true
          p.kill('SIGKILL')
        }
      }
    })
    p.stderr.on('data', (d: Buffer) => {
      stderr += d.toString()
    })
    p.on('error', reject)
    p.on('exit', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(acked)
      else reject(new Error(`child exited without being killed: ${stderr}`))
    })
  })

interface Found {
  readonly batches: Set<number>
}

/** Checks every invariant and returns the batches present in the log. */
const check = async (s: StoreService, acked: ReadonlyArray<number>): Promise<Found> => {
  const run = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(e)
  const eventBatches = new Map<number, number[]>()
  const itemBatches = new Map<number, number[]>()
  for (let c = 0; c < calls; c++) {
    const callId = `crash-${c}` as CallId
    const events = await run(s.events.read(callId))
    expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1))
    for (const e of events) {
      const p = e.payload as { batch: number; k: number; of: number }
      expect(shape(p.batch).callId).toBe(callId)
      eventBatches.set(p.batch, [...(eventBatches.get(p.batch) ?? []), p.k])
    }
    const items = await run(s.outbox.pending({ callId }))
    expect(items.map((i) => i.seq)).toEqual(items.map((_, i) => i + 1))
    for (const i of items) {
      const p = i.payload as { batch: number; i: number; of: number }
      itemBatches.set(p.batch, [...(itemBatches.get(p.batch) ?? []), p.i])
    }
  }
  // No partial batch, and events and outbox items come together.
  for (const [b, ks] of eventBatches) {
    expect(ks).toEqual(Array.from({ length: shape(b).events }, (_, k) => k))
    expect(itemBatches.get(b)).toEqual(Array.from({ length: shape(b).items }, (_, i) => i))
    expect(await run(s.inbox.has(`in-${b}`))).toBe(true)
  }
  for (const b of itemBatches.keys()) expect(eventBatches.has(b)).toBe(true)
  // Everything acknowledged is there; beyond that, at most the one append in flight.
  for (const b of acked) expect(eventBatches.has(b)).toBe(true)
  const extra = [...eventBatches.keys()].filter((b) => !acked.includes(b))
  expect(extra.length).toBeLessThanOrEqual(1)
  return { batches: new Set(eventBatches.keys()) }
}

const crashRounds = async (
  open: () => Promise<StoreService>,
  args: (first: number) => string[],
) => {
  const acked: number[] = []
  let next = 0
  for (let round = 0; round < 3; round++) {
    acked.push(...(await runAndKill(args(next), 15 + round * 10)))
    const s = await open()
    try {
      const found = await check(s, acked)
      // A batch that landed without its ack counts as landed; the next child starts after it.
      for (const b of found.batches) if (!acked.includes(b)) acked.push(b)
      next = Math.max(...found.batches) + 1
    } finally {
      await Effect.runPromise(s.close())
    }
  }
  expect(acked.length).toBeGreaterThanOrEqual(15 + 25 + 35)
}

describe('crash safety (SIGKILL mid-append)', () => {
  const dirs: string[] = []
  const schemas: string[] = []
  afterAll(async () => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true })
    await dropSchemas(schemas)
  })

  it('pglite on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'store-crash-'))
    dirs.push(dir)
    await crashRounds(
      () => PgliteStore.open({ dataDir: dir }),
      (first) => ['pglite', dir, String(first)],
    )
  }, 180_000)

  it.runIf(available)(
    'postgres',
    async () => {
      const schema = uniqueSchema('crash_')
      schemas.push(schema)
      await crashRounds(
        () => PostgresStore.open({ databaseUrl, schema, poolSize: 2 }),
        (first) => ['postgres', databaseUrl, schema, String(first)],
      )
    },
    180_000,
  )
})
