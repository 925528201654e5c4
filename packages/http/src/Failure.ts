import type { Rejection } from '@switchboard/core'
import type { HttpRoute } from '@switchboard/runtime'
import { Errors } from '@switchboard/wire'

/**
 * Every error answer of the HTTP layer, in the ACS error shape `{"error":{"code","message"}}`.
 * Where the reference leaves the status or code open (UNCONFIRMED), the choice is made here, once,
 * and documented in docs/http.md.
 */

export const json = (status: number, code: string, message: string): HttpRoute.HttpResponse => ({
  status,
  body: Errors.make(status, code, message).body,
})

export const fromRejection = (r: Rejection.Rejection): HttpRoute.HttpResponse => {
  const e = Errors.fromRejection(r)
  return { status: e.status, body: e.body }
}

/** 401 / 7509 "Hmac Validation Error" (the subcode ACS lists; the status is UNCONFIRMED). */
export const unauthorized = (why: string) => json(401, '7509', `Hmac validation error: ${why}.`)

/** 400 / 8523: a malformed body or parameter. */
export const invalid = (message: string) => json(400, '8523', message)

/** 404 / 8522: no such call connection (or participant). */
export const callNotFound = (callConnectionId: string) =>
  json(404, '8522', `Call connection ${JSON.stringify(callConnectionId)} was not found.`)

/** 404 / 8522: no route answers this path. */
export const noRoute = (method: string, path: string) =>
  json(404, '8522', `No resource at ${method} ${path}.`)

/** 405 / 8520: the path exists, not with this method. */
export const methodNotAllowed = (method: string, allowed: ReadonlyArray<string>) => ({
  ...json(405, '8520', `Method ${method} is not allowed here; allowed: ${allowed.join(', ')}.`),
  headers: { allow: allowed.join(', ') },
})

/** 413 / 8523: the body is larger than the limit. */
export const tooLarge = (limit: number) =>
  json(413, '8523', `Request body too large: the limit is ${limit} bytes.`)

/** 415 / 8523: a body that is not declared as JSON. */
export const unsupportedMediaType = (contentType: string | undefined) =>
  json(
    415,
    '8523',
    `Unsupported content type ${JSON.stringify(contentType ?? '')}: request bodies are application/json.`,
  )

/** 409 / 8519: a Repeatability-Request-ID reused with another request. */
export const repeatabilityConflict = (id: string) =>
  json(
    409,
    '8519',
    `Repeatability-Request-ID ${JSON.stringify(id)} was already used with a different request.`,
  )

/** 409 / 8519: writers kept colliding on the call. */
export const contention = (callId: string) =>
  json(409, '8519', `Too many concurrent changes to call ${JSON.stringify(callId)}; retry.`)

/** 503 / 9999: the store cannot be reached (the SDK retries 503). */
export const unavailable = () =>
  json(503, '9999', 'The service is temporarily unavailable (the store cannot be reached).')

/** 500 / 9999: a defect; logged, never expected. */
export const internal = () => json(500, '9999', 'Unknown internal server error.')
