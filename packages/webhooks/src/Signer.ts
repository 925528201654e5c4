import os from 'node:os'
import { Worker } from 'node:worker_threads'
import type { SigningKey } from './Keys.js'
import * as Token from './Token.js'

/**
 * Where callback tokens are signed. An RSA-2048 signature costs about 0.4 ms of CPU, far more
 * than the rest of a delivery; `pool` makes the signatures on worker threads so the thread that
 * claims, POSTs and acknowledges keeps going meanwhile (and the machine's other cores sign).
 * `inline` signs on the calling thread. Both make the same tokens (`Token.signingInput`, built
 * on the calling thread; only the signature is made on a worker).
 */
export interface Signer {
  /** Signing threads (0: the calling thread). */
  readonly threads: number
  /** Worker threads running now (started with the pool, replaced after a failure). */
  readonly running: () => number
  /** A fresh token for these claims, signed with `key`. */
  readonly mint: (key: SigningKey, claims: Token.Claims) => Promise<string>
  /**
   * Stops the threads (idempotent). Tokens still being signed are signed on the calling
   * thread; later `mint` calls too.
   */
  readonly close: () => Promise<void>
}

/** Signs on the calling thread. */
export const inline = (): Signer => ({
  threads: 0,
  running: () => 0,
  mint: (key, claims) => {
    try {
      return Promise.resolve(Token.mint(key, claims))
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)))
    }
  },
  close: () => Promise.resolve(),
})

/** The default pool size: the cores Node may use (`os.availableParallelism()`). */
export const defaultThreads = (): number => Math.max(1, os.availableParallelism())

export interface PoolOptions {
  /** Worker threads (default `defaultThreads()`); 0 signs on the calling thread (`inline`). */
  readonly threads?: number
  /** Signatures a worker makes before it posts them back (default 4: ~1.5 ms, small batches keep latency low). */
  readonly replyEvery?: number
}

/**
 * The worker's code, self-contained (evaluated, so it runs the same under tsx, vitest or built
 * code). Messages in: `{keys?: [[kid, KeyObject]], jobs: [id, kid, input, …]}`; out: `[id,
 * signature | null, …]` every `replyEvery` signatures and at the end of a batch.
 */
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads')
const { sign } = require('node:crypto')
const keys = new Map()
const every = workerData.replyEvery
parentPort.on('message', (m) => {
  if (m.keys !== undefined) for (const [kid, key] of m.keys) keys.set(kid, key)
  const jobs = m.jobs
  let out = []
  for (let i = 0; i < jobs.length; i += 3) {
    let signature = null
    try {
      signature = sign('RSA-SHA256', Buffer.from(jobs[i + 2]), keys.get(jobs[i + 1])).toString('base64url')
    } catch {}
    out.push(jobs[i], signature)
    if (out.length >= 2 * every) {
      parentPort.postMessage(out)
      out = []
    }
  }
  if (out.length > 0) parentPort.postMessage(out)
})
`

interface Job {
  readonly key: SigningKey
  readonly input: string
  readonly resolve: (token: string) => void
  readonly reject: (e: Error) => void
}

interface Thread {
  readonly worker: Worker
  /** Key ids already sent to this worker. */
  readonly kids: Set<string>
  /** Jobs sent and not answered yet. */
  readonly outstanding: Set<number>
  alive: boolean
}

/** A pool of signing worker threads (`threads: 0` gives `inline()`). */
export const pool = (options: PoolOptions = {}): Signer => {
  const size = Math.max(0, Math.floor(options.threads ?? defaultThreads()))
  if (size === 0) return inline()
  const replyEvery = Math.max(1, Math.floor(options.replyEvery ?? 4))
  const jobs = new Map<number, Job>()
  const threads: Array<Thread> = []
  let queued: Array<number> = []
  let flushing = false
  let closed = false
  let nextId = 0

  /** Signs on the calling thread (a failed or stopped worker). */
  const signHere = (id: number) => {
    const job = jobs.get(id)
    if (job === undefined) return
    jobs.delete(id)
    try {
      job.resolve(Token.assemble(job.input, Token.signature(job.key, job.input)))
    } catch (e) {
      job.reject(e instanceof Error ? e : new Error(String(e)))
    }
  }

  const lose = (thread: Thread) => {
    if (!thread.alive) return
    thread.alive = false
    const index = threads.indexOf(thread)
    if (index >= 0) threads.splice(index, 1)
    for (const id of thread.outstanding) signHere(id)
    thread.outstanding.clear()
  }

  const spawn = (): Thread => {
    const worker = new Worker(workerSource, { eval: true, workerData: { replyEvery } })
    worker.unref()
    const thread: Thread = { worker, kids: new Set(), outstanding: new Set(), alive: true }
    worker.on('message', (answers: ReadonlyArray<number | string | null>) => {
      for (let i = 0; i < answers.length; i += 2) {
        const id = answers[i] as number
        const signature = answers[i + 1] as string | null
        thread.outstanding.delete(id)
        const job = jobs.get(id)
        if (job === undefined) continue
        if (signature === null) {
          signHere(id) // reports the signing error, if it is one
          continue
        }
        jobs.delete(id)
        job.resolve(Token.assemble(job.input, signature))
      }
    })
    worker.on('error', () => lose(thread))
    worker.on('exit', () => lose(thread))
    threads.push(thread)
    return thread
  }

  // started now: a thread takes tens of ms to start, not to be paid by the first tokens
  for (let i = 0; i < size; i++) spawn()

  const flush = () => {
    flushing = false
    const ids = queued
    queued = []
    if (closed) {
      for (const id of ids) signHere(id)
      return
    }
    while (threads.length < size) spawn()
    // the least loaded threads first, the jobs spread evenly
    const batches = new Map<Thread, Array<number>>()
    for (const id of ids) {
      let best = threads[0]!
      for (const t of threads) if (t.outstanding.size < best.outstanding.size) best = t
      best.outstanding.add(id)
      let batch = batches.get(best)
      if (batch === undefined) batches.set(best, (batch = []))
      batch.push(id)
    }
    for (const [thread, batch] of batches) {
      const keys: Array<[string, unknown]> = []
      const flat: Array<number | string> = []
      for (const id of batch) {
        const job = jobs.get(id)!
        if (!thread.kids.has(job.key.kid)) {
          thread.kids.add(job.key.kid)
          keys.push([job.key.kid, job.key.privateKey])
        }
        flat.push(id, job.key.kid, job.input)
      }
      try {
        thread.worker.postMessage(keys.length > 0 ? { keys, jobs: flat } : { jobs: flat })
      } catch {
        lose(thread)
      }
    }
  }

  const mint = (key: SigningKey, claims: Token.Claims): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const input = Token.signingInput(key.kid, claims)
      const id = nextId++
      jobs.set(id, { key, input, resolve, reject })
      if (closed) return signHere(id)
      queued.push(id)
      if (!flushing) {
        flushing = true
        queueMicrotask(flush)
      }
    })

  const close = async () => {
    if (closed) return
    closed = true
    const all = threads.splice(0)
    for (const t of all) {
      t.alive = false
      for (const id of t.outstanding) signHere(id)
      t.outstanding.clear()
    }
    await Promise.all(all.map((t) => t.worker.terminate()))
  }

  return { threads: size, running: () => threads.length, mint, close }
}
