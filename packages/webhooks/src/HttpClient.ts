import http from 'node:http'
import https from 'node:https'
import { Context, Data, Effect, Layer } from 'effect'

/**
 * The HTTP client port of callback delivery: POST a body, get the status. The default uses
 * `node:http`/`node:https` with keep-alive agents (one connection pool per origin); tests may
 * provide their own.
 */
export interface PostRequest {
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  readonly timeoutMs: number
}

export interface PostResponse {
  readonly status: number
}

/** The request did not get a response: connection refused or reset, timeout, bad URL. */
export class HttpClientError extends Data.TaggedError('HttpClientError')<{
  readonly reason: 'timeout' | 'connection' | 'url'
  readonly message: string
}> {}

export interface HttpClientService {
  readonly post: (request: PostRequest) => Effect.Effect<PostResponse, HttpClientError>
}

export class HttpClient extends Context.Tag('@switchboard/webhooks/HttpClient')<
  HttpClient,
  HttpClientService
>() {}

const urls = new Map<string, URL | null>()
/** Parsed URLs, kept (callback URIs repeat: one per call). */
const parse = (s: string): URL | null => {
  let u = urls.get(s)
  if (u !== undefined) return u
  try {
    u = new URL(s)
  } catch {
    u = null
  }
  if (urls.size >= 10_000) urls.clear()
  urls.set(s, u)
  return u
}

export interface NodeOptions {
  /** Open connections per origin (default 256). */
  readonly maxSockets?: number
}

/** A client on `node:http`/`node:https` with keep-alive; the agents are destroyed on release. */
export const node = (options: NodeOptions = {}) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const maxSockets = options.maxSockets ?? 256
      return {
        http: new http.Agent({ keepAlive: true, maxSockets }),
        https: new https.Agent({ keepAlive: true, maxSockets }),
      }
    }),
    (agents) =>
      Effect.sync(() => {
        agents.http.destroy()
        agents.https.destroy()
      }),
  ).pipe(
    Effect.map((agents): HttpClientService => ({
      post: (request) =>
        Effect.async<PostResponse, HttpClientError>((resume) => {
          const url = parse(request.url)
          if (url === null) {
            resume(Effect.fail(new HttpClientError({ reason: 'url', message: 'bad URL' })))
            return
          }
          const secure = url.protocol === 'https:'
          if (!secure && url.protocol !== 'http:') {
            resume(
              Effect.fail(
                new HttpClientError({ reason: 'url', message: `unsupported ${url.protocol}` }),
              ),
            )
            return
          }
          const body = Buffer.from(request.body)
          let done = false
          const finish = (e: Effect.Effect<PostResponse, HttpClientError>) => {
            if (done) return
            done = true
            clearTimeout(timer)
            resume(e)
          }
          const req = (secure ? https : http).request(
            url,
            {
              method: 'POST',
              agent: secure ? agents.https : agents.http,
              headers: { ...request.headers, 'content-length': String(body.length) },
              // the connection is refused promptly; a silent peer is cut by the timer below
            },
            (res) => {
              res.on('error', () => undefined)
              res.resume()
              res.on('end', () => finish(Effect.succeed({ status: res.statusCode ?? 0 })))
              res.on('close', () => finish(Effect.succeed({ status: res.statusCode ?? 0 })))
            },
          )
          const timer = setTimeout(() => {
            finish(
              Effect.fail(
                new HttpClientError({
                  reason: 'timeout',
                  message: `no response in ${request.timeoutMs} ms`,
                }),
              ),
            )
            req.destroy()
          }, request.timeoutMs)
          req.on('error', (e) =>
            finish(Effect.fail(new HttpClientError({ reason: 'connection', message: e.message }))),
          )
          req.end(body)
          return Effect.sync(() => {
            done = true
            clearTimeout(timer)
            req.destroy()
          })
        }),
    })),
  )

export const layer = (options: NodeOptions = {}): Layer.Layer<HttpClient> =>
  Layer.scoped(HttpClient, node(options))
