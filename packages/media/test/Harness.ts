import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Command, Event } from '@switchboard/core'
import { Identifier, Ids } from '@switchboard/core'
import type { HttpRoute } from '@switchboard/runtime'
import {
  CallbackItem,
  IdSource,
  IncomingCalls,
  Pipeline,
  Scheduler,
  Wakeup,
} from '@switchboard/runtime'
import { MemoryStore, Outbox } from '@switchboard/store'
import { Effect, Layer, TestContext } from 'effect'
import { WebSocketServer, type WebSocket } from 'ws'
import { Media, Simulator } from '../src/index.js'

/** Response bodies and received messages are read loosely in tests. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Loose = any

export const app = Identifier.communicationUser('8:acs:app')
export const alice = Identifier.phoneNumber('+14255550101')
export const bob = Identifier.phoneNumber('+14255550102')

/** A whole service in memory on the test clock: store, pipeline, the simulated world. */
export const service = (options: Media.Options = {}) => {
  const store = MemoryStore.layer()
  const media = Layer.provideMerge(Media.layer({ textToSpeech: 'estimate', ...options }), store)
  const base = Layer.mergeAll(
    media,
    IdSource.sequential(),
    Wakeup.layer,
    Scheduler.layer,
    IncomingCalls.memory,
  )
  return Layer.provideMerge(Pipeline.layer(), base)
}

type Service = ReturnType<typeof service>
export type Provided = Layer.Layer.Success<Service>

export const run = <A, E>(effect: Effect.Effect<A, E, Provided>, options: Media.Options = {}) =>
  Effect.runPromise(
    effect.pipe(Effect.provide(service(options)), Effect.provide(TestContext.TestContext)),
  )

/** Waits real time (for sockets and HTTP, which the test clock does not drive). */
export const realWait = (ms: number) =>
  Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

/** Polls (in real time) until `check` holds; fails after `timeoutMs`. */
export const until = <E, R>(
  what: string,
  check: Effect.Effect<boolean, E, R>,
  timeoutMs = 15_000,
): Effect.Effect<void, E | Error, R> =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      if (yield* check) return
      if (Date.now() > deadline)
        return yield* Effect.fail(new Error(`timed out waiting for ${what}`))
      yield* realWait(5)
    }
  })

export const callId = (n = 1) => Ids.unsafe.callConnectionId(`call-${n}`)

export const createCall = (
  id: Ids.CallConnectionId,
  targets: ReadonlyArray<Identifier.Identifier>,
  extra: Partial<Command.CreateCall> = {},
): Command.CreateCall => ({
  _tag: 'CreateCall',
  callConnectionId: id,
  serverCallId: Ids.unsafe.serverCallId(`server-${id}`),
  correlationId: Ids.unsafe.correlationId(`corr-${id}`),
  callbackUri: 'https://app.example/cb',
  source: app,
  targets,
  ...extra,
})

/** The callback events of the call in the outbox, in order. */
export const callbacks = (id: Ids.CallConnectionId) =>
  Effect.gen(function* () {
    const outbox = yield* Outbox
    const items = yield* outbox.pending({ callId: id as never })
    return items
      .filter((i) => i.kind === CallbackItem.kind)
      .map((i) => CallbackItem.parse(i.payload)!)
      .sort((a, b) => a.sequence - b.sequence)
      .map((c) => c.event as Event.CallbackEvent)
  })

export const tags = (events: ReadonlyArray<{ _tag: string }>) => events.map((e) => e._tag)

/** Calls a simulator route's handler directly. */
export const request = (
  name: string,
  params: Record<string, string>,
  body?: unknown,
  rawBody?: string,
) =>
  Effect.gen(function* () {
    const route = Simulator.routes.find((r) => r.name === name)
    if (route === undefined) throw new Error(`no route ${name}`)
    const text = rawBody ?? (body === undefined ? '' : JSON.stringify(body))
    const req: HttpRoute.HttpRequest = {
      method: route.method,
      rawPath: route.path,
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/json' },
      body: new TextEncoder().encode(text),
    }
    const response = yield* route.handle(req, params)
    return response as { status: number; body: Loose }
  })

export const raw = (id: Identifier.Identifier) => Identifier.rawId(id) as string

// ------------------------------------------------------------------ loopback servers

export interface WsServer {
  readonly url: string
  readonly messages: Array<{ connection: number; data: Loose }>
  readonly sockets: Array<WebSocket>
  readonly headers: Array<IncomingMessage['headers']>
  readonly close: () => Promise<void>
}

export const wsServer = (): Promise<WsServer> =>
  new Promise((resolve) => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 })
    const messages: WsServer['messages'] = []
    const sockets: Array<WebSocket> = []
    const headers: WsServer['headers'] = []
    wss.on('connection', (socket, req) => {
      const n = sockets.length
      sockets.push(socket)
      headers.push(req.headers)
      socket.on('message', (data) =>
        messages.push({ connection: n, data: JSON.parse(data.toString()) }),
      )
    })
    wss.on('listening', () => {
      const port = (wss.address() as AddressInfo).port
      resolve({
        url: `ws://127.0.0.1:${port}/media`,
        messages,
        sockets,
        headers,
        close: () =>
          new Promise((r) => {
            for (const s of sockets) s.terminate()
            wss.close(() => r())
          }),
      })
    })
  })

export interface HttpServer {
  readonly url: string
  readonly requests: Array<{
    method: string
    url: string
    headers: IncomingMessage['headers']
    body: string
  }>
  readonly close: () => Promise<void>
}

export const httpServer = (
  handle: (req: IncomingMessage, body: string, res: ServerResponse) => void,
): Promise<HttpServer> =>
  new Promise((resolve) => {
    const requests: HttpServer['requests'] = []
    const server: Server = createServer((req, res) => {
      const chunks: Array<Buffer> = []
      req.on('data', (c: Buffer) => chunks.push(c))
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString()
        requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body })
        handle(req, body, res)
      })
    })
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port
      resolve({
        url: `http://127.0.0.1:${port}`,
        requests,
        close: () => new Promise((r) => server.close(() => r())),
      })
    })
  })
