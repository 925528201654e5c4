/**
 * The id of a call as the store sees it: the `CallConnectionId` of `@switchboard/core`. The store
 * checks ids it is given (non-empty, at most 256 characters, no control characters) and hands
 * back the ids it stored as `CallConnectionId`s.
 */
import type { Ids } from '@switchboard/core'

export type CallId = Ids.CallConnectionId

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const control = /[\u0000-\u001f\u007f-\u009f]/

/** Why `s` is not acceptable as an id (call id, inbox id, idempotency key, owner), or null. */
export const problem = (s: unknown): string | null => {
  if (typeof s !== 'string') return 'must be a string'
  if (s.length === 0) return 'must not be empty'
  if (s.length > 256) return 'must be at most 256 characters'
  if (control.test(s)) return 'must not contain control characters'
  return null
}
