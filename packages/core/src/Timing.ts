import type { Millis } from './Instant.js'

/**
 * The deadlines the core arms on its own. They are watchdogs for a media plane that went quiet
 * (a real one reports every start and finish); ACS' own timeouts come from the request.
 */

/** A playback (or recognize prompt) the media plane has not reported as started by then fails. */
export const playbackStartTimeoutMs: Millis = 30_000
/** After the reported length of the audio, a playback not reported finished is taken as finished. */
export const playbackGraceMs: Millis = 5_000
/** Budget per tone for SendDtmfTones before the media plane must confirm. */
export const toneBudgetMs: Millis = 1_000
/** Grace added to the tone budget. */
export const dtmfGraceMs: Millis = 5_000
/** How long the targets of a create-call ring before the call fails with no answer. */
export const ringTimeoutMs: Millis = 60_000
