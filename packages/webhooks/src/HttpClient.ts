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

const parse = (s: string): URL | null => {
  try {
    return new URL(s)
  } catch {
    return null
  }
}

export interface NodeOptions {
  /** Open connections per origin (default 256). */
  readonly maxSockets?: number
}

/** A request in flight, cut when its deadline passes. */
interface Pending {
  readonly deadline: number
  readonly expire: () => void
}

/**
 * The deadlines of the requests in flight, watched by one timer armed for the earliest (a
 * `setTimeout` per POST, set and cleared, costs more than the POST's bookkeeping here). When it
 * fires, the requests past their deadline are cut and it is armed again for the next.
 */
const deadlines = () => {
  const pending = new Set<Pending>()
  let timer: NodeJS.Timeout | null = null
  let armedFor = Number.POSITIVE_INFINITY
  const arm = (at: number) => {
    if (timer !== null) clearTimeout(timer)
    armedFor = at
    timer = setTimeout(fire, Math.max(0, at - Date.now()))
    timer.unref()
  }
  const fire = () => {
    timer = null
    armedFor = Number.POSITIVE_INFINITY
    const now = Date.now()
    let next = Number.POSITIVE_INFINITY
    for (const p of pending) {
      if (p.deadline <= now) {
        pending.delete(p)
        p.expire()
      } else if (p.deadline < next) next = p.deadline
    }
    if (next !== Number.POSITIVE_INFINITY) arm(next)
  }
  return {
    add: (p: Pending) => {
      pending.add(p)
      if (p.deadline < armedFor) arm(p.deadline)
    },
    remove: (p: Pending) => {
      pending.delete(p)
    },
    close: () => {
      if (timer !== null) clearTimeout(timer)
      timer = null
      armedFor = Number.POSITIVE_INFINITY
      pending.clear()
    },
  }
}

/** What `http.request` needs of a URL, kept per URL (callback URIs repeat: one per call). */
interface Target {
  readonly secure: boolean
  readonly hostname: string
  readonly port: string
  readonly path: string
  readonly auth: string | undefined
}

const targets = new Map<string, Target | HttpClientError>()
const target = (s: string): Target | HttpClientError => {
  let t = targets.get(s)
  if (t !== undefined) return t
  const url = parse(s)
  if (url === null) t = new HttpClientError({ reason: 'url', message: 'bad URL' })
  else if (url.protocol !== 'https:' && url.protocol !== 'http:')
    t = new HttpClientError({ reason: 'url', message: `unsupported ${url.protocol}` })
  else
    t = {
      secure: url.protocol === 'https:',
      // as `http.request(url)` does: an IPv6 literal without its brackets
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port,
      path: `${url.pathname}${url.search}`,
      auth:
        url.username !== '' || url.password !== ''
          ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`
          : undefined,
    }
  if (targets.size >= 10_000) targets.clear()
  targets.set(s, t)
  return t
}

/** A client on `node:http`/`node:https` with keep-alive; the agents are destroyed on release. */
export const node = (options: NodeOptions = {}) =>
  Effect.acquireRelease(
    Effect.sync(() => {
      const maxSockets = options.maxSockets ?? 256
      return {
        http: new http.Agent({ keepAlive: true, maxSockets }),
        https: new https.Agent({ keepAlive: true, maxSockets }),
        deadlines: deadlines(),
      }
    }),
    (agents) =>
      Effect.sync(() => {
        agents.deadlines.close()
        agents.http.destroy()
        agents.https.destroy()
      }),
  ).pipe(
    Effect.map((agents): HttpClientService => ({
      post: (request) =>
        Effect.async<PostResponse, HttpClientError>((resume) => {
          const t = target(request.url)
          if (t instanceof HttpClientError) {
            resume(Effect.fail(t))
            return
          }
          const headers: Record<string, string> = { ...request.headers }
          headers['content-length'] = String(Buffer.byteLength(request.body))
          const pending: Pending = {
            deadline: Date.now() + request.timeoutMs,
            expire: () => {
              finish(
                Effect.fail(
                  new HttpClientError({
                    reason: 'timeout',
                    message: `no response in ${request.timeoutMs} ms`,
                  }),
                ),
              )
              req.destroy()
            },
          }
          let done = false
          const finish = (e: Effect.Effect<PostResponse, HttpClientError>) => {
            if (done) return
            done = true
            agents.deadlines.remove(pending)
            resume(e)
          }
          const req = (t.secure ? https : http).request(
            {
              method: 'POST',
              protocol: t.secure ? 'https:' : 'http:',
              hostname: t.hostname,
              port: t.port,
              path: t.path,
              ...(t.auth !== undefined ? { auth: t.auth } : {}),
              agent: t.secure ? agents.https : agents.http,
              headers,
              // the connection is refused promptly; a silent peer is cut at its deadline
            },
            (res) => {
              res.on('error', () => undefined)
              res.resume()
              res.on('end', () => finish(Effect.succeed({ status: res.statusCode ?? 0 })))
              res.on('close', () => finish(Effect.succeed({ status: res.statusCode ?? 0 })))
            },
          )
          agents.deadlines.add(pending)
          req.on('error', (e) =>
            finish(Effect.fail(new HttpClientError({ reason: 'connection', message: e.message }))),
          )
          req.end(request.body)
          return Effect.sync(() => {
            done = true
            agents.deadlines.remove(pending)
            req.destroy()
          })
        }),
    })),
  )

export const layer = (options: NodeOptions = {}): Layer.Layer<HttpClient> =>
  Layer.scoped(HttpClient, node(options))
