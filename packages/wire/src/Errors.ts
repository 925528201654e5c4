import type { Either } from 'fp-ts/lib/Either.js'
import { isLeft, left, right } from 'fp-ts/lib/Either.js'
import * as t from 'io-ts'
import type { Rejection } from '@switchboard/core'
import * as Failure from './Failure.js'

/**
 * Error responses (reference section 5): `{"error":{"code","message","target"?,"details"?,"innererror"?}}`
 * with the ACS subcode as the string `code` and the HTTP status as the category.
 */

const Leaf = t.intersection(
  [t.type({ code: t.string, message: t.string }), t.partial({ target: t.string })],
  'CommunicationErrorDetail',
)

export const CommunicationError = t.intersection(
  [Leaf, t.partial({ details: t.array(Leaf), innererror: Leaf })],
  'CommunicationError',
)
export type CommunicationError = t.TypeOf<typeof CommunicationError>

export const ErrorBody = t.type({ error: CommunicationError }, 'CommunicationErrorResponse')
export type ErrorBody = t.TypeOf<typeof ErrorBody>

export interface ErrorResponse {
  readonly status: number
  readonly body: ErrorBody
}

export const make = (status: number, code: string, message: string): ErrorResponse => ({
  status,
  body: { error: { code, message } },
})

/** The HTTP answer to a refused command: its status, and its subcode as `error.code`. */
export const fromRejection = (rejection: Rejection.Rejection): ErrorResponse =>
  make(rejection.status, rejection.code, rejection.message)

/** The body as sent (`Content-Type: application/json`; the SDK needs JSON to expose `code`). */
export const encode = (body: ErrorBody): string => JSON.stringify(ErrorBody.encode(body))

/** Decodes an error body (for clients and tests). Never throws. */
export const decode = (json: unknown): Either<string, ErrorBody> => {
  const r = ErrorBody.decode(json)
  return isLeft(r) ? left(Failure.toMessage(r.left)) : right(r.right)
}
