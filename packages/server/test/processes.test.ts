import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Auth } from '@switchboard/http'
import { PostgresStore } from '@switchboard/store'
import { Effect } from 'effect'
import * as Harness from './Harness.js'

/**
 * Two `switchboard serve` processes on one PostgreSQL, the same call hammered through both: every
 * acknowledged request is recorded exactly once, refused ones record nothing, the event log has
 * no fork (versions 1..n), and the rules hold (hold / unhold and continuous DTMF start / stop
 * strictly alternate).
 */

const bin = fileURLToPath(new URL('../bin/switchboard.js', import.meta.url))
const accessKey = randomBytes(32).toString('base64')
const q = '?api-version=2026-03-12'
const phone = '+14255550142'
const target = { rawId: `4:${phone}`, phoneNumber: { value: phone } }

let up = false
let schema = ''
const children: Array<ChildProcess> = []
const urls: Array<string> = []

const serve = (dataDir: string) =>
  new Promise<string>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        bin,
        'serve',
        '--store',
        'postgres',
        '--database-url',
        Harness.databaseUrl,
        '--schema',
        schema,
        '--port',
        '0',
        '--access-key',
        accessKey,
        '--data-dir',
        dataDir,
        '--log-format',
        'none',
        '--time-scale',
        '20',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    children.push(child)
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /listening on (http:\/\/[^\s]+)/.exec(out)
      if (m !== null) resolve(m[1]!)
    })
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)))
  })

const send = async (base: string, method: string, path: string, body = '') => {
  const url = new URL(path, base)
  const res = await fetch(url, {
    method,
    headers: {
      ...(body.length > 0 ? { 'content-type': 'application/json' } : {}),
      ...Auth.signedHeaders({
        accessKey,
        method,
        pathAndQuery: url.pathname + url.search,
        host: url.host,
        body,
      }),
    },
    ...(method === 'GET' ? {} : { body }),
  })
  const text = await res.text()
  return { status: res.status, json: text.length > 0 ? (JSON.parse(text) as unknown) : undefined }
}

beforeAll(async () => {
  up = await Harness.postgresReachable()
  if (!up) return
  schema = Harness.uniqueSchema('sb_two')
  // migrate once, so the two processes do not race to create the schema
  const store = await PostgresStore.open({ databaseUrl: Harness.databaseUrl, schema })
  await Effect.runPromise(store.close())
  const [a, b] = await Promise.all([
    serve(mkdtempSync(join(tmpdir(), 'sb-a-'))),
    serve(mkdtempSync(join(tmpdir(), 'sb-b-'))),
  ])
  urls.push(a, b)
})

afterAll(async () => {
  for (const c of children) c.kill('SIGTERM')
  await Promise.all(
    children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.on('exit', r)))),
  )
  if (up) await Harness.dropSchema(schema)
})

describe('two service processes on one PostgreSQL', () => {
  it('one call hammered through both: no fork, every acknowledged request recorded once, the rules hold', async () => {
    if (!up) {
      console.warn('NOTICE: PostgreSQL unreachable: the two-process test is skipped')
      return
    }
    const [a, b] = urls as [string, string]
    const created = await send(
      a,
      'POST',
      `/calling/callConnections${q}`,
      JSON.stringify({
        targets: [{ kind: 'phoneNumber', ...target }],
        sourceCallerIdNumber: { value: '+18005550100' },
        callbackUri: 'https://app.example/cb',
      }),
    )
    expect(created.status).toBe(201)
    const id = (created.json as { callConnectionId: string }).callConnectionId
    for (let i = 0; ; i++) {
      const g = await send(b, 'GET', `/calling/callConnections/${id}${q}`)
      if ((g.json as { callConnectionState?: string }).callConnectionState === 'connected') break
      if (i > 500) throw new Error('the call did not connect')
      await new Promise((r) => setTimeout(r, 10))
    }
    const body = JSON.stringify({ targetParticipant: target })
    const actions = [
      'hold',
      'unhold',
      'startContinuousDtmfRecognition',
      'stopContinuousDtmfRecognition',
    ]
    const results = await Promise.all(
      Array.from({ length: 240 }, (_, i) => {
        const action = actions[i % actions.length]!
        return send(
          i % 2 === 0 ? a : b,
          'POST',
          `/calling/callConnections/${id}:${action}${q}`,
          body,
        ).then((r) => ({ action, status: r.status }))
      }),
    )
    for (const r of results) expect([200, 400]).toContain(r.status)
    const ok = (action: string) =>
      results.filter((r) => r.action === action && r.status === 200).length

    const store = await PostgresStore.open({ databaseUrl: Harness.databaseUrl, schema })
    try {
      const events = await Effect.runPromise(store.events.read(id as never))
      expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i + 1))
      const types = events.map((e) => e.type)
      const holds = types.filter((t) => t === 'HoldStarted' || t === 'HoldEnded')
      holds.forEach((t, i) => expect(t).toBe(i % 2 === 0 ? 'HoldStarted' : 'HoldEnded'))
      expect(holds.filter((t) => t === 'HoldStarted')).toHaveLength(ok('hold'))
      expect(holds.filter((t) => t === 'HoldEnded')).toHaveLength(ok('unhold'))
      const dtmf = types.filter(
        (t) => t === 'ContinuousDtmfRecognitionStarted' || t === 'ContinuousDtmfRecognitionStopped',
      )
      dtmf.forEach((t, i) =>
        expect(t).toBe(
          i % 2 === 0 ? 'ContinuousDtmfRecognitionStarted' : 'ContinuousDtmfRecognitionStopped',
        ),
      )
      expect(dtmf.filter((t) => t.endsWith('Started'))).toHaveLength(
        ok('startContinuousDtmfRecognition'),
      )
      expect(dtmf.filter((t) => t.endsWith('Stopped'))).toHaveLength(
        ok('stopContinuousDtmfRecognition'),
      )
      expect(ok('hold') + ok('startContinuousDtmfRecognition')).toBeGreaterThan(0)
    } finally {
      await Effect.runPromise(store.close())
    }
  })
})
