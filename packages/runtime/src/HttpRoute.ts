import type { Effect } from 'effect'

/**
 * The contract between the HTTP server (`@switchboard/http`) and the packages that contribute
 * routes to it (the simulator API of `@switchboard/media`, the keys and admin routes of
 * `@switchboard/webhooks`), so none of them imports another's internals. The server parses,
 * authenticates and limits; a route only handles.
 */
export interface HttpRequest {
  readonly method: string
  /** The path as sent (still percent-encoded), without the query. */
  readonly rawPath: string
  readonly query: URLSearchParams
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>
  /** The raw body (empty for none). */
  readonly body: Uint8Array
}

export interface HttpResponse {
  readonly status: number
  readonly headers?: Readonly<Record<string, string>>
  /** A string is sent as is; an object as JSON (`application/json`); absent: an empty body. */
  readonly body?: string | Uint8Array | object
}

/**
 * How a route is authenticated: `acs` with the ACS HMAC scheme; `simulator` like `acs`, unless the
 * server runs with `--open-simulator` on a loopback address; `none` for public documents
 * (`/.well-known/...`, `/healthz`, `/openapi.json`).
 */
export type Auth = 'acs' | 'simulator' | 'none'

export interface Route<R = never> {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  /**
   * A path pattern: literal segments and `{name}` parameters, e.g.
   * `/simulator/calls/{callConnectionId}/participants/{rawId}/dtmf`. A parameter matches one
   * segment and is given percent-decoded. ACS action suffixes are literal: `/calling/callConnections/{id}:play`
   * matches `/calling/callConnections/abc:play`.
   */
  readonly path: string
  readonly auth: Auth
  /** A short name for logs (`simulator.dtmf`). */
  readonly name: string
  readonly handle: (
    request: HttpRequest,
    params: Readonly<Record<string, string>>,
  ) => Effect.Effect<HttpResponse, never, R>
}

/** An ACS-shaped error response: `{"error":{"code","message"}}`. */
export const error = (status: number, code: string, message: string): HttpResponse => ({
  status,
  body: { error: { code, message } },
})
