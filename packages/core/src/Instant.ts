import type { Brand } from './Brand.js'

/** A point in time: milliseconds since the Unix epoch. The core never reads a clock: time is an input. */
export type Instant = Brand<number, 'Instant'>
/** A length of time in milliseconds. */
export type Millis = number

export const fromMillis = (ms: number): Instant => ms as Instant
export const plus = (t: Instant, ms: Millis): Instant => (t + ms) as Instant
export const min = (a: Instant, b: Instant): Instant => (a <= b ? a : b)
export const isDue = (deadline: Instant, now: Instant): boolean => deadline <= now
