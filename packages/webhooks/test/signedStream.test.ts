import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Effect, Layer, ManagedRuntime } from 'effect'
import { Pipeline } from '@switchboard/runtime'
import { MemoryStore } from '@switchboard/store'
import * as Delivery from '../src/Delivery.js'
import * as HttpClient from '../src/HttpClient.js'
import * as Ingestion from '../src/Ingestion.js'
import * as Keys from '../src/Keys.js'
import * as Routes from '../src/Routes.js'
import * as Verifier from '../src/Verifier.js'
import * as KeyServer from './KeyServer.js'
import { scenario, service } from './World.js'

const until = async (done: () => boolean | Promise<boolean>, ms = 60_000) => {
  const end = Date.now() + ms
  while (!(await done())) {
    if (Date.now() > end) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 10))
  }
}

describe('ingestion of a real signed stream', () => {
  it("receives the service's own callbacks (signed, retried, redelivered after lost acknowledgements) into the same projection as any reordering of them", async () => {
    const keyServer = await KeyServer.start()
    const world = Layer.mergeAll(
      service(MemoryStore.layer()),
      Keys.layer({ issuer: keyServer.url }),
      HttpClient.layer(),
    )
    const rt = ManagedRuntime.make(
      Layer.provideMerge(
        Delivery.layerWith({
          pollIntervalMs: 20,
          backoff: { baseDelayMs: 5, maxDelayMs: 20, horizonMs: 60_000 },
        }),
        world,
      ),
    )
    const runtime = await rt.runtime()
    keyServer.attach(Routes.routes, runtime)
    const keys = await rt.runPromise(Keys.Keys)

    // the app: discovery over HTTP from the issuer, audience = Switchboard's resource id
    const appStore = MemoryStore.open()
    const ingestion = await Ingestion.open(appStore, {
      verifier: Verifier.make({ issuer: keyServer.url, audience: keys.resourceId }),
    })
    const bodies: Array<string> = []
    const attempts = new Map<string, number>()
    const receiver = http.createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const text = Buffer.concat(chunks).toString()
        const call = (JSON.parse(text) as Array<{ data: { callConnectionId: string } }>)[0]!.data
          .callConnectionId
        const n = (attempts.get(call) ?? 0) + 1
        attempts.set(call, n)
        const request = new Request(`http://app${req.url}`, {
          method: 'POST',
          headers: {
            authorization: req.headers.authorization ?? '',
            'content-type': 'application/json',
          },
          body: text,
        })
        void ingestion.handle(request).then((response) => {
          if (response.status === 200) bodies.push(text)
          // the first two acknowledgements of every call are lost: the service redelivers
          res.statusCode = n <= 2 ? 502 : response.status
          res.end()
        })
      })
    })
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callbacks`
    try {
      const calls = 8
      const ids = await rt.runPromise(
        Effect.forEach(
          Array.from({ length: calls }, (_, i) => i),
          (i) => scenario(i, url, 's'),
          {
            concurrency: 'unbounded',
          },
        ),
      )
      await until(async () => {
        for (const id of ids)
          if ((await ingestion.view(id))?.status !== 'disconnected') return false
        return true
      })
      for (const id of ids) {
        const view = (await ingestion.view(id))!
        // every callback the service committed for the call (6, or 5 when the scripted playback
        // finished before its start was folded)
        const committed = await rt.runPromise(Effect.flatMap(Pipeline.Pipeline, (p) => p.load(id)))
        expect(view.callbacks).toBe(committed.state.callbacks)
        expect(view.callbacks).toBeGreaterThanOrEqual(5)
        expect(view.missingSequences).toEqual([])
        expect(view.operations.finished.map((f) => `${f.type}:${f.operationContext}`)).toEqual([
          'PlayCompleted:welcome',
          'SendDtmfTonesCompleted:dtmf-out',
        ])
        expect(view.participants.map((p) => p.rawId)).toEqual(['4:+14255550101'])
      }
      expect(bodies.length).toBeGreaterThan(calls * 5) // redeliveries arrived and were deduplicated
      const expected = await Promise.all(ids.map((id) => ingestion.view(id)))

      // the same bodies, shuffled and duplicated, into a fresh app: the same projections
      await fc.assert(
        fc.asyncProperty(
          fc.shuffledSubarray(bodies, { minLength: bodies.length, maxLength: bodies.length }),
          async (shuffled) => {
            const app = await Ingestion.open(MemoryStore.open(), { verifier: 'none' })
            for (const b of [...shuffled, ...shuffled.slice(0, 10)])
              expect(
                (await app.handle(new Request('http://app/cb', { method: 'POST', body: b })))
                  .status,
              ).toBe(200)
            expect(await Promise.all(ids.map((id) => app.view(id)))).toEqual(expected)
          },
        ),
        { numRuns: 5 },
      )
    } finally {
      await rt.dispose()
      await keyServer.close()
      receiver.closeAllConnections()
      await new Promise<void>((r) => receiver.close(() => r()))
    }
  })
})
