import type { CallbackEvent, Event } from './Event.js'
import { isCallback } from './Event.js'
import { evolve, foldInto } from './Evolve.js'
import type { Instruction } from './Instruction.js'
import type { Mutable, State } from './State.js'
import { clone } from './State.js'
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
 * A decision being built. Every event emitted is folded at once, so the logic that follows sees
 * the state the events produce, and the state after a decision is by construction the fold of its
 * events. Callback events get their `NotifyCallback` with the next per-call sequence.
 *
 * The draft folds into a private copy of the state, made at the first event and written in place
 * for the next ones (the fold `evolve` does, without a copy per event); nobody sees that copy
 * before `done` hands it out.
 */
export class Draft {
  state: State
  private readonly before: State
  private owned: Mutable | null
  private emitted: Array<Event> | null
  private instructed: Array<Instruction> | null

  constructor(state: State) {
    this.state = state
    this.before = state
    this.owned = null
    this.emitted = null
    this.instructed = null
  }

  /** The events emitted so far. */
  get events(): ReadonlyArray<Event> {
    return this.emitted ?? none
  }

  /** The instructions given so far. */
  get instructions(): ReadonlyArray<Instruction> {
    return this.instructed ?? none
  }

  emit(event: Event, callbackUri?: string): void {
    const callback = isCallback(event)
    let into = this.owned
    if (into === null) {
      into = clone(this.before)
      this.owned = into
      this.state = into
    }
    try {
      foldInto(into, event, callback)
    } catch {
      // a malformed event: start over from the state decided on, as `evolve` folds it
      let state = this.before
      if (this.emitted !== null) for (const e of this.emitted) state = evolve(state, e)
      into = clone(evolve(state, event))
      this.owned = into
      this.state = into
    }
    this.emitted = append(this.emitted, event)
    if (callback) this.notify(event, callbackUri)
  }

  instruct(instruction: Instruction): void {
    this.instructed = append(this.instructed, instruction)
  }

  private notify(event: CallbackEvent, callbackUri: string | undefined): void {
    const call = this.state.call
    if (call === null) return
    this.instruct({
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

  /** True when nothing was emitted nor instructed. */
  get isEmpty(): boolean {
    return this.emitted === null && this.instructed === null
  }

  done(): Decision {
    const events = this.emitted
    if (events !== null) {
      const after = earliest(this.state)
      if (after !== null && after !== earliest(this.before))
        this.instruct({ _tag: 'ArmTimer', at: after })
    }
    return {
      events: events ?? none,
      instructions: this.instructed ?? none,
      state: this.state,
    }
  }
}

const none: ReadonlyArray<never> = []

/**
 * The list with `item` appended. Lists of up to four are rebuilt at their exact length (a decision
 * rarely has more): pushing onto a one-element array would make room for seventeen.
 */
const append = <A>(list: Array<A> | null, item: A): Array<A> => {
  if (list === null) return [item]
  switch (list.length) {
    case 1:
      return [list[0]!, item]
    case 2:
      return [list[0]!, list[1]!, item]
    case 3:
      return [list[0]!, list[1]!, list[2]!, item]
  }
  list.push(item)
  return list
}
