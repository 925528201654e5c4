import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import type { CallAutomationEvent } from '@azure/communication-call-automation'
import { parseCallAutomationEvent } from '@azure/communication-call-automation'
import { Auth } from '@switchboard/http'
import * as Plugins from '../src/Plugins.js'
import * as Harness from './Harness.js'
import { client, eventually, pstn } from './Sdk.js'

/**
 * The whole loop with the real adapters `serve` composes: the official SDK calls the service, the
 * simulated world (`@switchboard/media`) answers and presses keys, and the signed callbacks
 * (`@switchboard/webhooks`) reach an app server that parses them with the SDK's own parser.
 */

let service: Harness.Service
let app: http.Server
let appUrl = ''
const received: Array<{ event: CallAutomationEvent; authorization: string | undefined }> = []

beforeAll(async () => {
  app = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      try {
        received.push({
          event: parseCallAutomationEvent(Buffer.concat(chunks).toString('utf8')),
          authorization: req.headers.authorization,
        })
      } catch {
        // an event the SDK cannot parse would show up as a missing callback below
      }
      res.writeHead(200).end()
    })
  })
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r))
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}/callbacks`
  service = await Harness.start({
    store: await Harness.openStore('pglite'),
    factories: [Plugins.media, Plugins.webhooks],
    settings: { timeScale: 10 },
  })
})

afterAll(async () => {
  await service?.close()
  app?.closeAllConnections()
  await new Promise((r) => app?.close(r))
})

const kinds = (callId: string) =>
  received.filter((r) => r.event.callConnectionId === callId).map((r) => r.event.kind)

const waitFor = (callId: string, kind: string, count = 1) =>
  eventually(async () => kinds(callId).filter((k) => k === kind).length >= count, 20_000)

const simulator = async (path: string, body: object) => {
  const url = new URL(path, service.url)
  const text = JSON.stringify(body)
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...Auth.signedHeaders({
        accessKey: service.accessKey,
        method: 'POST',
        pathAndQuery: url.pathname,
        host: url.host,
        body: text,
      }),
    },
    body: text,
  })
  expect(res.status).toBeLessThan(300)
}

describe('the whole loop: SDK, simulated world, signed callbacks', () => {
  it('connects, sends DTMF, reports pressed keys in sequence, holds, plays in order, hangs up', async () => {
    const c = client(service.connectionString)
    const phone = pstn(301)
    const created = await c.createCall(
      { targetParticipant: phone, sourceCallIdNumber: { phoneNumber: '+18005550100' } },
      appUrl,
    )
    const id = created.callConnectionProperties.callConnectionId ?? ''
    const connection = created.callConnection
    const media = connection.getCallMedia()
    await waitFor(id, 'CallConnected')
    expect(received[0]?.authorization).toMatch(/^Bearer /)

    await media.sendDtmfTones(['one', 'two', 'three', 'four'], phone, { operationContext: 'dtmf' })
    await waitFor(id, 'SendDtmfTonesCompleted')

    await media.startContinuousDtmfRecognition(phone, { operationContext: 'cdtmf' })
    await simulator(
      `/simulator/calls/${id}/participants/${encodeURIComponent('4:+14255550301')}/dtmf`,
      {
        tones: ['one', 'two', 'pound'],
      },
    )
    await waitFor(id, 'ContinuousDtmfRecognitionToneReceived', 3)
    const tones = received
      .map((r) => r.event)
      .filter(
        (e) => e.callConnectionId === id && e.kind === 'ContinuousDtmfRecognitionToneReceived',
      )
      .map((e) => e as unknown as { tone: string; sequenceId: number })
    expect(tones.map((t) => t.tone)).toEqual(['one', 'two', 'pound'])
    expect(tones.map((t) => t.sequenceId)).toEqual([1, 2, 3])
    await media.stopContinuousDtmfRecognition(phone)
    await waitFor(id, 'ContinuousDtmfRecognitionStopped')

    const updates = () =>
      received
        .map((r) => r.event)
        .filter((e) => e.callConnectionId === id && e.kind === 'ParticipantsUpdated')
        .map(
          (e) =>
            (e as unknown as { participants: Array<{ isOnHold?: boolean }> }).participants[0]
              ?.isOnHold,
        )
    const before = updates().length
    await media.hold(phone, {
      playSource: { kind: 'fileSource', url: 'https://media.example/hold.wav' },
    })
    expect((await connection.getParticipant(phone)).isOnHold).toBe(true)
    await media.unhold(phone)
    await eventually(async () => updates().length >= before + 2, 20_000)
    expect(updates().slice(before, before + 2)).toEqual([true, false])

    await media.playToAll([{ kind: 'fileSource', url: 'https://media.example/1.wav' }], {
      operationContext: 'first',
    })
    await media.playToAll([{ kind: 'fileSource', url: 'https://media.example/2.wav' }], {
      operationContext: 'second',
    })
    await waitFor(id, 'PlayCompleted', 2)
    const completed = received
      .map((r) => r.event)
      .filter((e) => e.callConnectionId === id && e.kind === 'PlayCompleted')
      .map((e) => (e as { operationContext?: string }).operationContext)
    expect(completed).toEqual(['first', 'second'])

    await connection.hangUp(true)
    await waitFor(id, 'CallDisconnected')
  })
})
