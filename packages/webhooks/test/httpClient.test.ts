import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { Effect, Either } from 'effect'
import * as HttpClient from '../src/HttpClient.js'

interface Seen {
  readonly method: string
  readonly url: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: string
}

/** A receiver that never answers paths starting with /hang and answers 204 otherwise. */
const receiver = async () => {
  const seen: Array<Seen> = []
  const hung: Array<http.ServerResponse> = []
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
      })
      if (req.url?.startsWith('/hang') === true) hung.push(res)
      else {
        res.statusCode = 204
        res.end()
      }
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const close = async () => {
    for (const r of hung) r.destroy()
    server.closeAllConnections()
    await new Promise<void>((r) => server.close(() => r()))
  }
  return { url, seen, close }
}

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()))
})

/** Runs `f` with a node client (released afterwards). */
const withClient = <A, E>(f: (client: HttpClient.HttpClientService) => Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(HttpClient.node(), f)))

describe('node HTTP client', () => {
  it('POSTs the body and headers to the path and query of the URL, with the content length in bytes', async () => {
    const r = await receiver()
    closers.push(r.close)
    const body = '[{"id":"é"}]'
    const response = await withClient((client) =>
      client.post({
        url: `${r.url}/cb/x?a=1&b=two`,
        headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
        body,
        timeoutMs: 5_000,
      }),
    ).catch((e: unknown) => e)
    expect(response).toEqual({ status: 204 })
    expect(r.seen).toHaveLength(1)
    const [s] = r.seen
    expect(s!.method).toBe('POST')
    expect(s!.url).toBe('/cb/x?a=1&b=two')
    expect(s!.body).toBe(body)
    expect(s!.headers['content-length']).toBe(String(Buffer.byteLength(body)))
    expect(s!.headers['authorization']).toBe('Bearer t')
    expect(s!.headers['content-type']).toBe('application/json')
  })

  it('cuts each silent request at its own deadline, a shorter one sent after a longer one included, and keeps answering others', async () => {
    const r = await receiver()
    closers.push(r.close)
    const outcomes = await withClient((client) => {
      const post = (path: string, timeoutMs: number) =>
        Effect.either(client.post({ url: `${r.url}${path}`, headers: {}, body: 'x', timeoutMs }))
      // the long deadline arms the timer first; the short one, sent next, must not wait for it
      return Effect.all(
        [
          post('/hang/long', 30_000).pipe(Effect.timeout('1500 millis'), Effect.option),
          post('/hang/short', 100),
          post('/ok', 5_000),
        ],
        { concurrency: 'unbounded' },
      )
    })
    const [long, short, ok] = outcomes
    // the long one is still waiting when the test stops it (its deadline is 30 s away)
    expect(long._tag).toBe('None')
    expect(Either.isLeft(short)).toBe(true)
    if (Either.isLeft(short)) {
      expect(short.left.reason).toBe('timeout')
      expect(short.left.message).toBe('no response in 100 ms')
    }
    expect(ok).toEqual(Either.right({ status: 204 }))
  })

  it('refuses a bad URL and an unsupported scheme with a typed error, and reports a refused connection', async () => {
    const results = await withClient((client) =>
      Effect.all(
        [
          'not a url',
          'ftp://127.0.0.1/cb',
          // port 1 (tcpmux): nothing listens there on a test machine
          'http://127.0.0.1:1/cb',
        ].map((url) =>
          Effect.either(client.post({ url, headers: {}, body: 'x', timeoutMs: 5_000 })),
        ),
      ),
    )
    const reasons = results.map((e) => (Either.isLeft(e) ? [e.left.reason, e.left.message] : null))
    expect(reasons[0]).toEqual(['url', 'bad URL'])
    expect(reasons[1]).toEqual(['url', 'unsupported ftp:'])
    expect(reasons[2]?.[0]).toBe('connection')
  })
})
