/**
 * The ingestion benchmark's sender, in a process of its own (as ACS is another machine): POSTs
 * each call's callbacks in order, `inFlight` calls at a time, over keep-alive connections to the
 * app's `node:http` listener, so the app's process spends its CPU on ingestion alone.
 *
 * Protocol (IPC): the parent sends a `Job` (the bodies and tokens, sent before the timed part);
 * the sender answers `ready`; on `go` it sends everything and answers a `Result`.
 */
import http from 'node:http'

export interface Job {
  readonly url: string
  readonly inFlight: number
  /** Per call, its POSTs in order: [body, bearer token]. */
  readonly calls: ReadonlyArray<ReadonlyArray<readonly [string, string]>>
}

export interface Result {
  readonly failures: number
  readonly statuses: Readonly<Record<string, number>>
  /** CPU this sender spent sending (µs, all threads). */
  readonly cpuUs: number
}

const post = (agent: http.Agent, url: URL, body: string, token: string): Promise<number> =>
  new Promise((resolve) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          authorization: `Bearer ${token}`,
        },
      },
      (res) => {
        res.resume()
        res.on('end', () => resolve(res.statusCode ?? 0))
        res.on('error', () => resolve(0))
      },
    )
    req.on('error', () => resolve(0))
    req.end(body)
  })

const run = async (job: Job): Promise<Result> => {
  const url = new URL(job.url)
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.inFlight })
  const statuses: Record<string, number> = {}
  let failures = 0
  let next = 0
  const cpu0 = process.cpuUsage()
  await Promise.all(
    Array.from({ length: job.inFlight }, async () => {
      while (next < job.calls.length) {
        for (const [body, token] of job.calls[next++]!) {
          const status = await post(agent, url, body, token)
          if (status !== 200) {
            failures++
            statuses[status] = (statuses[status] ?? 0) + 1
          }
        }
      }
    }),
  )
  const cpu = process.cpuUsage(cpu0)
  agent.destroy()
  return { failures, statuses, cpuUs: cpu.user + cpu.system }
}

let job: Job | null = null
process.on('message', (m: { readonly job?: Job; readonly go?: true }) => {
  if (m.job !== undefined) {
    job = m.job
    process.send?.('ready')
  } else if (m.go === true && job !== null) {
    void run(job).then(
      (r) => process.send?.({ result: r }),
      (e: unknown) => process.send?.({ error: String(e) }),
    )
  }
})
process.on('disconnect', () => process.exit(0))
