import type { Decision } from './Decision.js'
import { Draft } from './Decision.js'
import { earliest } from './Deadline.js'
import type { Instant } from './Instant.js'
import { isDue } from './Instant.js'
import * as Lifecycle from './Lifecycle.js'
import { notJoined, playbackEnded } from './Observe.js'
import type { Operation } from './Operation.js'
import * as Result from './ResultInformation.js'
import type { State } from './State.js'
import { isLive } from './State.js'

const expireOperation = (d: Draft, op: Operation, at: Instant): void => {
  switch (op.phase) {
    case 'queued':
      return
    case 'starting':
      // the media plane never reported the audio as started
      if (op.spec._tag === 'Recognize')
        Lifecycle.finish(d, op, at, 'failed', Result.playPromptFailed)
      else Lifecycle.finish(d, op, at, 'failed', Result.playDidNotStart)
      d.instruct({ _tag: 'StopPlayback', operationId: op.id })
      Lifecycle.afterTerminal(d, op, at)
      return
    case 'playing':
      // the audio's length has elapsed: a play completed, a prompt finished
      playbackEnded(d, at, op)
      return
    case 'listening':
      Lifecycle.finish(
        d,
        op,
        at,
        'failed',
        op.collected.length === 0 ? Result.initialSilenceTimeout : Result.interDigitTimeout,
      )
      Lifecycle.afterTerminal(d, op, at)
      return
    case 'sending':
      d.instruct({ _tag: 'CancelTones', operationId: op.id })
      Lifecycle.finish(d, op, at, 'failed', Result.tonesNotConfirmed)
      return
  }
}

/** Handles the one earliest due deadline; false when nothing is due. */
const step = (d: Draft, now: Instant): boolean => {
  const at = earliest(d.state)
  if (at === null || !isDue(at, now)) return false
  const head = d.state.main[0]
  if (head !== undefined && head.deadline === at) {
    expireOperation(d, head, now)
    return true
  }
  const sub = d.state.sub
  if (sub !== null && sub.deadline === at) {
    expireOperation(d, sub, now)
    return true
  }
  const invitation = d.state.invitations.find((i) => i.deadline === at)
  if (invitation !== undefined) {
    notJoined(d, now, invitation.participant, 'noAnswer')
    // an invitation that produced nothing would be found again: drop it explicitly
    if (d.state.invitations.includes(invitation))
      d.emit({ _tag: 'InvitationEnded', at: now, participant: invitation.participant })
    return true
  }
  return false
}

/** How many deadlines one call of `expire` may handle: a bound against any cycle. */
const maxSteps = 1_000

/**
 * Handles every deadline due at `now`, earliest first (a deadline handled may start the next
 * operation, whose own deadline may already be due too).
 */
export const expire = (state: State, now: Instant): Decision => {
  const d = new Draft(state)
  if (!isLive(state)) return d.done()
  for (let i = 0; i < maxSteps && step(d, now); i++) {
    if (!isLive(d.state)) break
  }
  return d.done()
}
