/**
 * The next deadline of each call, set in the append transaction, so a restarted process can
 * re-arm its timers.
 */
import { Context, type Effect } from 'effect'
import type { CallId } from './CallId.js'
import type { StoreClosedError, StoreInputError, StoreUnavailableError } from './Errors.js'

export interface Timer {
  readonly callId: CallId
  readonly deadline: number
}

type Base = StoreInputError | StoreClosedError | StoreUnavailableError

export interface TimersService {
  /** Timers whose deadline is at or before `now`, earliest first. */
  readonly due: (now: number) => Effect.Effect<ReadonlyArray<Timer>, Base>
  /** Every armed timer, earliest first. */
  readonly all: () => Effect.Effect<ReadonlyArray<Timer>, Base>
}

export class Timers extends Context.Tag('@switchboard/store/Timers')<Timers, TimersService>() {}
