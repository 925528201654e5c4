/**
 * Retry timing of callback delivery: exponential backoff with jitter, up to a horizon.
 * Attempt n (0-based count of failures so far) waits between half and all of
 * `min(maxDelayMs, baseDelayMs * 2^n)`. The horizon is counted in nominal delays (without
 * jitter) over the item's attempts, so it survives restarts and starts afresh on a redrive.
 */
export interface Policy {
  readonly baseDelayMs: number
  readonly maxDelayMs: number
  /** Give up (dead-letter) once the nominal delays so far reach this (ms). */
  readonly horizonMs: number
}

export const defaults: Policy = {
  baseDelayMs: 1_000,
  maxDelayMs: 10 * 60_000,
  horizonMs: 24 * 60 * 60_000,
}

export const nominal = (policy: Policy, attempt: number): number =>
  Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(attempt, 40))

/** The delay before the next attempt, given the failures so far and a random number in [0, 1). */
export const delay = (policy: Policy, failures: number, random: number): number => {
  const d = nominal(policy, failures)
  return Math.round(d / 2 + (d / 2) * random)
}

/** Whether an item that has failed `failures` times (this one included) is past the horizon. */
export const exhausted = (policy: Policy, failures: number): boolean => {
  let total = 0
  for (let i = 0; i < failures; i++) {
    total += nominal(policy, i)
    if (total >= policy.horizonMs) return true
  }
  return false
}
