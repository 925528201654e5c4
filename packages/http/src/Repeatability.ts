import { createHash } from 'node:crypto'
import type { HttpRoute } from '@switchboard/runtime'
import type { Json } from '@switchboard/store'

/**
 * Repeatability headers (reference section 9). A request that carries `Repeatability-Request-ID`
 * must carry `Repeatability-First-Sent` too; the response is stored with the request's hash, and
 * the same id with the same request gets the stored response back (`Repeatability-Result:
 * accepted`) without anything being done twice.
 */

export interface Repeatability {
  readonly requestId: string
  /** The store key: the id scoped to the method and path. */
  readonly key: string
  /** The hash of method, path and body: a different request under the same id is refused. */
  readonly requestHash: string
}

export const requestIdHeader = 'repeatability-request-id'
export const firstSentHeader = 'repeatability-first-sent'
export const resultHeader = 'repeatability-result'

// eslint-disable-next-line no-control-regex -- control characters are what is refused
const control = /[\u0000-\u001f\u007f-\u009f]/

/**
 * Reads the headers: undefined when there is no Request-ID, a string (the reason for a 400) when
 * they are malformed.
 */
export const read = (
  method: string,
  rawPath: string,
  headers: Readonly<Record<string, string | string[] | undefined>>,
  body: Uint8Array,
): Repeatability | string | undefined => {
  const id = headers[requestIdHeader]
  if (id === undefined) return undefined
  if (typeof id !== 'string' || id.length === 0 || id.length > 128 || control.test(id))
    return 'Repeatability-Request-ID must be 1 to 128 printable characters.'
  const first = headers[firstSentHeader]
  if (typeof first !== 'string')
    return 'Repeatability-First-Sent is required when Repeatability-Request-ID is present.'
  if (Number.isNaN(Date.parse(first))) return 'Repeatability-First-Sent must be an RFC 1123 date.'
  const scope = createHash('sha256').update(`${method} ${rawPath}`).digest('base64url')
  const requestHash = createHash('sha256')
    .update(`${method} ${rawPath}\n`)
    .update(body)
    .digest('base64')
  return { requestId: id, key: `rq:${scope}:${id}`, requestHash }
}

/** What is kept of a response. */
export const store = (response: HttpRoute.HttpResponse): Json =>
  ({
    status: response.status,
    ...(response.body !== undefined && typeof response.body === 'object'
      ? { body: response.body }
      : {}),
  }) as unknown as Json

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === 'object' && u !== null

/** The stored response, as replayed. */
export const replay = (stored: Json): HttpRoute.HttpResponse => {
  const s = isObject(stored) ? stored : {}
  const status = typeof s.status === 'number' ? s.status : 200
  return {
    status,
    headers: { [resultHeader]: 'accepted' },
    ...(isObject(s.body) ? { body: s.body } : {}),
  }
}
