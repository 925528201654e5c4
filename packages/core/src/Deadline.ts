import type { Option } from 'fp-ts/lib/Option.js'
import { none, some } from 'fp-ts/lib/Option.js'
import type { Instant } from './Instant.js'
import type { State } from './State.js'

/**
 * Timers live in the state: each running operation and each ringing invitation may carry a
 * deadline. The next one is derived, never stored twice.
 */
export const earliest = (state: State): Instant | null => {
  let best: number | null = null
  const head = state.main[0]
  if (head !== undefined && head.deadline !== null) best = head.deadline
  if (
    state.sub !== null &&
    state.sub.deadline !== null &&
    (best === null || state.sub.deadline < best)
  )
    best = state.sub.deadline
  for (const i of state.invitations)
    if (i.deadline !== null && (best === null || i.deadline < best)) best = i.deadline
  return best as Instant | null
}

/** The next instant at which `expire` has something to do, if any. */
export const nextDeadline = (state: State): Option<Instant> => {
  const at = earliest(state)
  return at === null ? none : some(at)
}
