import type { CallbackEvent, Event } from './Event.js'
import { isCallback } from './Event.js'
import { evolve } from './Evolve.js'
import type { Instruction } from './Instruction.js'
import type { State } from './State.js'
import { earliest } from './Deadline.js'

/** What `decide`, `observe` and `expire` return: events to record and instructions to carry out. */
export interface Decision {
  readonly events: ReadonlyArray<Event>
  readonly instructions: ReadonlyArray<Instruction>
  /**
   * The state after the decision: always equal to folding `events` into the state decided on, so a
   * shell that keeps the state in memory need not fold the events a second time.
   */
  readonly state?: State
}

export const empty: Decision = { events: [], instructions: [] }

/** The state after a decision taken on `before`. */
export const after = (before: State, decision: Decision): State => {
  if (decision.state !== undefined) return decision.state
  let state = before
  for (const event of decision.events) state = evolve(state, event)
  return state
}

/**
 * A decision being built. Every event emitted is folded at once with `evolve`, so the logic that
 * follows sees the state the events produce, and the state after a decision is by construction the
 * fold of its events. Callback events get their `NotifyCallback` with the next per-call sequence.
 */
export class Draft {
  state: State
  private readonly before: State
  readonly events: Array<Event> = []
  readonly instructions: Array<Instruction> = []

  constructor(state: State) {
    this.state = state
    this.before = state
  }

  emit(event: Event, callbackUri?: string): void {
    this.state = evolve(this.state, event)
    this.events.push(event)
    if (isCallback(event)) this.notify(event, callbackUri)
  }

  instruct(instruction: Instruction): void {
    this.instructions.push(instruction)
  }

  private notify(event: CallbackEvent, callbackUri: string | undefined): void {
    const call = this.state.call
    if (call === null) return
    this.instructions.push({
      _tag: 'NotifyCallback',
      callbackUri: callbackUri ?? call.callbackUri,
      sequence: this.state.callbacks,
      call: {
        callConnectionId: call.callConnectionId,
        serverCallId: call.serverCallId,
        correlationId: call.correlationId,
      },
      event,
    })
  }

  done(): Decision {
    if (this.events.length > 0) {
      const after = earliest(this.state)
      if (after !== null && after !== earliest(this.before))
        this.instructions.push({ _tag: 'ArmTimer', at: after })
    }
    return { events: this.events, instructions: this.instructions, state: this.state }
  }
}
