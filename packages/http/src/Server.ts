import * as http from 'node:http'
import type { AddressInfo } from 'node:net'
import { performance } from 'node:perf_hooks'
import type { Identifier as IdentifierT } from '@switchboard/core'
import { Identifier } from '@switchboard/core'
import type { HttpRoute } from '@switchboard/runtime'
import type { CallId } from '@switchboard/store'
import { EventStore, Idempotency } from '@switchboard/store'
import { Cause, Clock, Data, Effect, Exit, Runtime, RuntimeFlags, type Scope } from 'effect'
import * as Auth from './Auth.js'
import * as Failure from './Failure.js'
import * as Log from './Log.js'
import * as OpenApi from './OpenApi.js'
import * as Operations from './Operations.js'
import * as Repeatability from './Repeatability.js'
import * as Router from './Router.js'

/**
 * The HTTP server: `node:http`, no framework. For each request: route, limit, authenticate, parse,
 * check repeatability, handle, answer, log one line. Nothing a client sends produces a 5xx other
 * than 503 when the store cannot be reached; a defect is caught at the edge, logged and answered
 * with 500.
 */

export interface Config<R = never> {
  readonly host: string
  /** 0: a free port. */
  readonly port: number
  /** The ACS access key (base64). */
  readonly accessKey: string
  /** The largest accepted request body in bytes (default 1 MiB). */
  readonly maxBodyBytes?: number
  /** The application's identity, the `source` of created calls (default `8:acs:switchboard-app`). */
  readonly app?: IdentifierT.Identifier
  /** Simulator routes without authentication (only honoured on a loopback host). */
  readonly openSimulator?: boolean
  /** Routes contributed by other packages (simulator, webhooks). */
  readonly routes?: ReadonlyArray<HttpRoute.Route<R>>
  readonly logFormat?: Log.Format
  /** Where log lines go, one call per line as they come (for tests; wins over `out`). */
  readonly write?: (line: string) => void
  /**
   * A stream for log lines (default: standard output), written in batches: the lines of one
   * event-loop turn in one write.
   */
  readonly out?: (chunk: string) => void
  /** Allowed clock skew of x-ms-date (default 15 minutes). */
  readonly maxSkewMs?: number
  readonly version?: string
}

export interface Handle {
  readonly host: string
  readonly port: number
  /** `http://host:port/` */
  readonly url: string
  readonly server: http.Server
  /** Requests being handled now. */
  readonly inFlight: () => number
}

export class ServerListenError extends Data.TaggedError('ServerListenError')<{
  readonly host: string
  readonly port: number
  readonly cause: unknown
}> {
  override get message(): string {
    const c = this.cause
    return `cannot listen on ${this.host}:${this.port}: ${c instanceof Error ? c.message : String(c)}`
  }
}

export type Deps = Operations.Deps | EventStore

type Target<R> =
  | { readonly _tag: 'acs'; readonly op: Operations.Operation }
  | { readonly _tag: 'extra'; readonly route: HttpRoute.Route<R> }
  | {
      readonly _tag: 'builtin'
      readonly name: string
      readonly answer: () => Effect.Effect<HttpRoute.HttpResponse, never, Deps>
    }

const loopback = new Set(['127.0.0.1', '::1', 'localhost'])

const jsonType = /^application\/([a-z0-9.+-]*\+)?json\s*(;|$)/i

const codeOf = (body: unknown): string | undefined => {
  if (typeof body !== 'object' || body === null || body instanceof Uint8Array) return undefined
  const e = (body as { error?: { code?: unknown } }).error
  return typeof e?.code === 'string' ? e.code : undefined
}

const healthProbe = 'switchboard-healthz' as CallId

/** Starts the server in the scope; closing the scope stops it (in-flight requests finish). */
export const make = <R>(
  config: Config<R>,
): Effect.Effect<Handle, ServerListenError, Deps | R | Scope.Scope> =>
  Effect.gen(function* () {
    const runtime = yield* Effect.runtime<Deps | R>()
    // Effect's fiber metrics (counters and a lifetime histogram updated as every fiber starts
    // and ends) are not read anywhere: a request's fiber does without them
    const runFork = Runtime.runFork(
      Runtime.disableRuntimeFlag(runtime, RuntimeFlags.RuntimeMetrics),
    )
    const log = Log.make(
      config.logFormat ?? 'human',
      config.write !== undefined
        ? Log.direct(config.write)
        : Log.batched(config.out ?? ((chunk) => void process.stdout.write(chunk))),
    )
    const maxBody = config.maxBodyBytes ?? 1024 * 1024
    const verifier = Auth.verifier(config.accessKey, config.maxSkewMs)
    const operations = Operations.make({
      app: config.app ?? Identifier.communicationUser('8:acs:switchboard-app'),
    })
    const extras = config.routes ?? []
    const openSimulator = config.openSimulator === true && loopback.has(config.host)
    let openapi: string | undefined
    const events = yield* EventStore

    const builtins: ReadonlyArray<{ method: string; path: string; value: Target<R> }> = [
      {
        method: 'GET',
        path: '/healthz',
        value: {
          _tag: 'builtin',
          name: 'healthz',
          answer: () =>
            events.version(healthProbe).pipe(
              Effect.timeout('3 seconds'),
              Effect.match({
                onFailure: () => ({ status: 503, body: { status: 'unavailable' } }),
                onSuccess: () => ({ status: 200, body: { status: 'ok' } }),
              }),
            ),
        },
      },
      {
        method: 'GET',
        path: '/openapi.json',
        value: {
          _tag: 'builtin',
          name: 'openapi',
          answer: () =>
            Effect.sync(() => {
              openapi ??= JSON.stringify(
                OpenApi.document(operations, extras, { version: config.version ?? '0.1.0' }),
              )
              return {
                status: 200,
                headers: { 'content-type': 'application/json; charset=utf-8' },
                body: openapi,
              }
            }),
        },
      },
    ]
    const router = Router.make<Target<R>>([
      ...operations.map((op) => ({
        method: op.method,
        path: op.path,
        value: { _tag: 'acs' as const, op },
      })),
      ...builtins,
      ...extras.map((route) => ({
        method: route.method,
        path: route.path,
        value: { _tag: 'extra' as const, route },
      })),
    ])

    let inFlight = 0

    const send = (
      req: http.IncomingMessage,
      res: http.ServerResponse,
      response: HttpRoute.HttpResponse,
      extraHeaders?: Record<string, string>,
    ) => {
      if (res.headersSent || res.destroyed) return
      let payload: string | Uint8Array | undefined
      const headers: Record<string, string | number> = {}
      const b = response.body
      if (b === undefined) payload = undefined
      else if (typeof b === 'string') payload = b
      else if (b instanceof Uint8Array) payload = b
      else {
        payload = JSON.stringify(b)
        headers['content-type'] = 'application/json; charset=utf-8'
      }
      const requestId = req.headers['x-ms-client-request-id']
      if (typeof requestId === 'string' && requestId.length <= 128)
        headers['x-ms-client-request-id'] = requestId
      Object.assign(headers, extraHeaders, response.headers)
      headers['content-length'] =
        payload === undefined
          ? 0
          : typeof payload === 'string'
            ? Buffer.byteLength(payload)
            : payload.length
      res.writeHead(response.status, headers)
      res.end(payload)
    }

    const finish = (
      req: http.IncomingMessage,
      res: http.ServerResponse,
      started: number,
      path: string,
      operation: string,
      response: HttpRoute.HttpResponse,
      extra: { callId?: string; replayed?: boolean; headers?: Record<string, string> } = {},
    ) => {
      try {
        send(req, res, response, extra.headers)
      } catch (e) {
        log.defect('writing a response failed', e)
        res.destroy()
      }
      if (!log.enabled) return
      const code = response.status >= 400 ? codeOf(response.body) : undefined
      log.request({
        method: req.method ?? '',
        path,
        operation,
        ...(extra.callId !== undefined ? { callId: extra.callId } : {}),
        status: response.status,
        ...(code !== undefined ? { code } : {}),
        durationMs: performance.now() - started,
        ...(extra.replayed === true ? { replayed: true } : {}),
      })
    }

    const handleAcs = (
      op: Operations.Operation,
      method: string,
      rawPath: string,
      params: Record<string, string>,
      headers: http.IncomingHttpHeaders,
      body: Uint8Array,
    ): Effect.Effect<
      {
        response: HttpRoute.HttpResponse
        callId?: string
        replayed?: boolean
        headers?: Record<string, string>
      },
      never,
      Deps
    > => {
      // the body: JSON, declared as JSON
      let json: unknown = undefined
      if (body.length > 0) {
        const type = headers['content-type']
        if (type === undefined || !jsonType.test(type))
          return Effect.succeed({ response: Failure.unsupportedMediaType(type) })
        try {
          json = JSON.parse(Buffer.from(body.buffer, body.byteOffset, body.length).toString('utf8'))
        } catch (e) {
          return Effect.succeed({
            response: Failure.invalid(
              `Invalid request: the body is not valid JSON (${e instanceof Error ? e.message : 'parse error'}).`,
            ),
          })
        }
      }
      const repeat =
        method === 'GET' ? undefined : Repeatability.read(method, rawPath, headers, body)
      if (typeof repeat === 'string') return Effect.succeed({ response: Failure.invalid(repeat) })
      const run = op.handle({ params, json, repeatability: repeat })
      if (repeat === undefined) return run
      const accepted = { [Repeatability.resultHeader]: 'accepted' }
      return Effect.gen(function* () {
        const stored = yield* Operations.lookup(repeat)
        if (stored !== undefined) return { response: stored, replayed: stored.status < 300 }
        const result = yield* run
        const ok = result.response.status < 300
        if (ok && !result.recorded) {
          const store = yield* Idempotency
          const now = yield* Clock.currentTimeMillis
          yield* Effect.ignore(
            store.put({
              key: repeat.key,
              requestHash: repeat.requestHash,
              response: Repeatability.store(result.response),
              at: now,
            }),
          )
        }
        return { ...result, ...(ok ? { headers: accepted } : {}) }
      })
    }

    const dispatch = (
      req: http.IncomingMessage,
      res: http.ServerResponse,
      started: number,
      method: string,
      url: string,
      rawPath: string,
      match: Extract<Router.Match<Target<R>>, { _tag: 'found' }>,
      body: Uint8Array,
    ) => {
      const target = match.route.value
      const name =
        target._tag === 'acs'
          ? target.op.name
          : target._tag === 'extra'
            ? target.route.name
            : target.name
      const auth: HttpRoute.Auth =
        target._tag === 'acs' ? 'acs' : target._tag === 'extra' ? target.route.auth : 'none'
      if (auth === 'acs' || (auth === 'simulator' && !openSimulator)) {
        const why = verifier.verify({ method, url, headers: req.headers, body, now: Date.now() })
        if (why !== null) return finish(req, res, started, rawPath, name, Failure.unauthorized(why))
      }
      let effect: Effect.Effect<
        {
          response: HttpRoute.HttpResponse
          callId?: string
          replayed?: boolean
          headers?: Record<string, string>
        },
        never,
        Deps | R
      >
      switch (target._tag) {
        case 'acs':
          effect = handleAcs(target.op, method, rawPath, match.params, req.headers, body)
          break
        case 'builtin':
          effect = Effect.map(target.answer(), (response) => ({ response }))
          break
        case 'extra': {
          const q = url.indexOf('?')
          const request: HttpRoute.HttpRequest = {
            method,
            rawPath,
            query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
            headers: req.headers as Record<string, string | undefined>,
            body,
          }
          effect = Effect.map(target.route.handle(request, match.params), (response) => ({
            response,
          }))
          break
        }
      }
      inFlight++
      // the fiber starts at once; with a warm cache and a store that answers at once it is done
      // before runFork returns, and the observer answers right away
      runFork(effect).addObserver((exit) => {
        inFlight--
        try {
          if (Exit.isSuccess(exit)) {
            const r = exit.value
            return finish(req, res, started, rawPath, name, r.response, r)
          }
          log.defect(`${method} ${rawPath} (${name}) died`, Cause.pretty(exit.cause))
          finish(req, res, started, rawPath, name, Failure.internal())
        } catch (e) {
          log.defect(`${method} ${rawPath} (${name}) failed`, e)
          res.destroy()
        }
      })
    }

    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const started = performance.now()
      const method = req.method ?? 'GET'
      const url = req.url ?? '/'
      const q = url.indexOf('?')
      const rawPath = q < 0 ? url : url.slice(0, q)
      try {
        const match = router.match(method, rawPath)
        if (match._tag !== 'found') {
          req.resume()
          return finish(
            req,
            res,
            started,
            rawPath,
            match._tag === 'method' ? 'methodNotAllowed' : 'unknownRoute',
            match._tag === 'method'
              ? Failure.methodNotAllowed(method, match.allowed)
              : Failure.noRoute(method, rawPath),
          )
        }
        const declared = Number(req.headers['content-length'] ?? 0)
        if (declared > maxBody) {
          res.setHeader('connection', 'close')
          res.once('finish', () => req.destroy())
          finish(req, res, started, rawPath, 'tooLarge', Failure.tooLarge(maxBody))
          return
        }
        const chunks: Array<Buffer> = []
        let size = 0
        let refused = false
        req.on('data', (chunk: Buffer) => {
          if (refused) return
          size += chunk.length
          if (size > maxBody) {
            refused = true
            res.setHeader('connection', 'close')
            res.once('finish', () => req.destroy())
            finish(req, res, started, rawPath, 'tooLarge', Failure.tooLarge(maxBody))
            return
          }
          chunks.push(chunk)
        })
        req.on('error', () => undefined)
        req.on('end', () => {
          if (refused) return
          const body =
            chunks.length === 0
              ? new Uint8Array(0)
              : chunks.length === 1
                ? chunks[0]!
                : Buffer.concat(chunks, size)
          try {
            dispatch(req, res, started, method, url, rawPath, match, body)
          } catch (e) {
            log.defect(`${method} ${rawPath} failed`, e)
            finish(req, res, started, rawPath, 'defect', Failure.internal())
          }
        })
      } catch (e) {
        log.defect(`${method} ${rawPath} failed`, e)
        finish(req, res, started, rawPath, 'defect', Failure.internal())
      }
    }

    const server = http.createServer(
      { keepAliveTimeout: 65_000, headersTimeout: 66_000, requestTimeout: 120_000 },
      onRequest,
    )
    server.on('clientError', (_err, socket) => {
      if (socket.writable)
        socket.end(
          'HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n{"error":{"code":"8523","message":"Malformed HTTP request."}}',
        )
      else socket.destroy()
    })

    const address = yield* Effect.acquireRelease(
      Effect.async<AddressInfo, ServerListenError>((resume) => {
        const onError = (cause: unknown) =>
          resume(
            Effect.fail(new ServerListenError({ host: config.host, port: config.port, cause })),
          )
        server.once('error', onError)
        server.listen(config.port, config.host, () => {
          server.off('error', onError)
          resume(Effect.succeed(server.address() as AddressInfo))
        })
      }),
      () =>
        Effect.async<void>((resume) => {
          // stop accepting; idle keep-alive sockets close now, busy ones after their response
          server.close(() => {
            log.flush()
            resume(Effect.void)
          })
          server.closeIdleConnections()
          const timer = setInterval(() => server.closeIdleConnections(), 100)
          server.once('close', () => clearInterval(timer))
        }),
    )
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
    return {
      host: address.address,
      port: address.port,
      url: `http://${host}:${address.port}/`,
      server,
      inFlight: () => inFlight,
    }
  })
