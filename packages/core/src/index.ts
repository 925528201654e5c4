/**
 * @switchboard/core: the pure domain of Switchboard. Commands, signals, events, instructions and
 * rejections of ACS Call Automation's mid-call media, and the rules that relate them, as plain
 * data and deterministic functions. Depends on fp-ts alone.
 */
export * as Brand from './Brand.js'
export * as Command from './Command.js'
export * as Deadline from './Deadline.js'
export * as Decision from './Decision.js'
export * as Event from './Event.js'
export * as Identifier from './Identifier.js'
export * as Ids from './Ids.js'
export * as Instant from './Instant.js'
export * as Instruction from './Instruction.js'
export * as Operation from './Operation.js'
export * as PlaySource from './PlaySource.js'
export * as Rejection from './Rejection.js'
export * as ResultInformation from './ResultInformation.js'
export * as Rules from './Rules.js'
export * as Signal from './Signal.js'
export * as State from './State.js'
export * as Timing from './Timing.js'
export * as Tone from './Tone.js'
export * as ToneSequence from './ToneSequence.js'

export { decide } from './Decide.js'
export type { Context } from './Decide.js'
export { observe } from './Observe.js'
export { expire } from './Expire.js'
export { evolve, replay } from './Evolve.js'
export { nextDeadline } from './Deadline.js'
export { initial } from './State.js'
