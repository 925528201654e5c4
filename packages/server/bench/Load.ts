/**
 * The load generator of the HTTP benchmark, run as a separate process: `connections` workers on
 * keep-alive sockets, each driving its own connected call with signed mid-call actions (hold,
 * unhold, alternately), signed as the SDK signs them, over raw keep-alive sockets. Prints one JSON line: requests, rate, latencies.
 *
 * argv[2]: JSON {url, accessKey, calls: [{id, rawId, phone}], connections, warmupMs, durationMs}
 */
import * as net from 'node:net'
import { performance } from 'node:perf_hooks'
import { Auth } from '@switchboard/http'

interface Plan {
  readonly url: string
  readonly accessKey: string
  readonly calls: ReadonlyArray<{ readonly id: string; readonly phone: string }>
  readonly connections: number
  readonly warmupMs: number
  readonly durationMs: number
}

const plan = JSON.parse(process.argv[2] ?? '{}') as Plan
const target = new URL(plan.url)
const host = target.host

const body = (phone: string) =>
  JSON.stringify({
    targetParticipant: { rawId: `4:${phone}`, phoneNumber: { value: phone, isAnonymous: false } },
    operationContext: 'bench',
  })

/**
 * The request bytes, signed once (x-ms-date stays within the 15-minute window for the run, and the
 * server verifies every request anyway), so the generator spends its CPU on sending, not signing.
 */
const build = (path: string, payload: string): Buffer => {
  const signed = Auth.signedHeaders({
    accessKey: plan.accessKey,
    method: 'POST',
    pathAndQuery: path,
    host,
    body: payload,
  })
  const head = [
    `POST ${path} HTTP/1.1`,
    `host: ${host}`,
    'accept: application/json',
    'content-type: application/json',
    `content-length: ${Buffer.byteLength(payload)}`,
    `x-ms-date: ${signed['x-ms-date']}`,
    `x-ms-content-sha256: ${signed['x-ms-content-sha256']}`,
    `authorization: ${signed.authorization}`,
    'connection: keep-alive',
    '',
    '',
  ].join('\r\n')
  return Buffer.concat([Buffer.from(head), Buffer.from(payload)])
}

/** A keep-alive connection sending one request at a time and reading status and body length. */
const connection = () => {
  const socket = net.connect(Number(target.port), target.hostname)
  socket.setNoDelay(true)
  let buffer: Buffer = Buffer.alloc(0)
  let waiting: ((status: number) => void) | null = null
  socket.on('data', (chunk: Buffer) => {
    buffer = buffer.length === 0 ? chunk : Buffer.concat([buffer, chunk])
    for (;;) {
      const end = buffer.indexOf('\r\n\r\n')
      if (end < 0) return
      const head = buffer.subarray(0, end).toString('latin1')
      const m = /content-length:\s*(\d+)/i.exec(head)
      const length = m === null ? 0 : Number(m[1])
      if (buffer.length < end + 4 + length) return
      buffer = buffer.subarray(end + 4 + length)
      const status = Number(head.slice(9, 12))
      const w = waiting
      waiting = null
      w?.(status)
    }
  })
  socket.on('error', () => {
    const w = waiting
    waiting = null
    w?.(0)
  })
  return {
    send: (request: Buffer) =>
      new Promise<number>((resolve) => {
        waiting = resolve
        socket.write(request)
      }),
    close: () => socket.destroy(),
  }
}

const latencies: Array<number> = []
const statuses = new Map<number, number>()
let measuring = false
let stop = false
/** Every answered request, warm-up included (the server's CPU time is divided by it). */
let answered = 0

const worker = async (i: number) => {
  const call = plan.calls[i % plan.calls.length]!
  const payload = body(call.phone)
  const requests = [
    build(`/calling/callConnections/${call.id}:hold?api-version=2026-03-12`, payload),
    build(`/calling/callConnections/${call.id}:unhold?api-version=2026-03-12`, payload),
  ]
  const conn = connection()
  for (let n = 0; !stop; n++) {
    const started = performance.now()
    const status = await conn.send(requests[n % 2]!)
    answered++
    if (measuring) {
      latencies.push(performance.now() - started)
      statuses.set(status, (statuses.get(status) ?? 0) + 1)
    }
  }
  conn.close()
}

const main = async () => {
  const workers = Array.from({ length: plan.connections }, (_, i) => worker(i))
  await new Promise((r) => setTimeout(r, plan.warmupMs))
  measuring = true
  const started = performance.now()
  await new Promise((r) => setTimeout(r, plan.durationMs))
  measuring = false
  const elapsed = performance.now() - started
  stop = true
  await Promise.all(workers)
  const used = process.cpuUsage()
  latencies.sort((a, b) => a - b)
  const at = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0
  const ok = [...statuses].filter(([s]) => s >= 200 && s < 300).reduce((n, [, c]) => n + c, 0)
  process.stdout.write(
    `${JSON.stringify({
      requests: latencies.length,
      answered,
      // the generator's own CPU time per answered request, to check it is not the bottleneck
      loadCpuUs: (used.user + used.system) / Math.max(1, answered),
      ok,
      rps: (latencies.length / elapsed) * 1000,
      p50: at(0.5),
      p99: at(0.99),
      max: latencies[latencies.length - 1] ?? 0,
      statuses: Object.fromEntries(statuses),
    })}\n`,
  )
}

void main()
