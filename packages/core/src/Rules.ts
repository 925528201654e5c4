/**
 * The media action compatibility table, as data.
 *
 * For a requested operation and the operations currently running or queued on the call, the
 * answer is run, queue or reject. The six rows and six columns of the seed (ACS docs, "Media action
 * compatibility table") are copied exactly; the columns Switchboard adds for the operations the
 * seed does not list are marked `origin: 'switchboard'` and explained in `notes`.
 * `docs/rules.md` is generated from this module; CI fails when it is stale.
 */

/** Operations that can be running or queued, and so block others: the rows of the table. */
export const existingKinds = [
  'PlayToAll',
  'RecognizeNonGroup',
  'PlayTo',
  'RecognizeGroup',
  'SendDtmf',
  'ContinuousDtmfRecognition',
] as const
export type ExistingKind = (typeof existingKinds)[number]

/** Operations a caller may request: the columns of the table. */
export const requestedKinds = [
  'PlayToAll',
  'RecognizeNonGroup',
  'PlayTo',
  'RecognizeGroup',
  'SendDtmf',
  'StartContinuousDtmfRecognition',
  'StopContinuousDtmfRecognition',
  'Hold',
  'Unhold',
  'CancelAllMediaOperations',
  'StartMediaStreaming',
  'StopMediaStreaming',
  'StartTranscription',
  'StopTranscription',
  'UpdateTranscription',
] as const
export type RequestedKind = (typeof requestedKinds)[number]

/** The six requested kinds of the seed table. */
export const seedRequestedKinds: ReadonlyArray<RequestedKind> = [
  'PlayToAll',
  'RecognizeNonGroup',
  'PlayTo',
  'RecognizeGroup',
  'SendDtmf',
  'StartContinuousDtmfRecognition',
]

/**
 * Where an operation runs. `main`: the application's own leg into the whole call, one FIFO queue.
 * `sub`: a participant-specific media sub-leg, a single slot. `none`: takes effect at once and
 * occupies no lane.
 */
export type Lane = 'main' | 'sub' | 'none'

export const lane: { readonly [K in RequestedKind]: Lane } = {
  PlayToAll: 'main',
  RecognizeNonGroup: 'main',
  PlayTo: 'sub',
  RecognizeGroup: 'sub',
  SendDtmf: 'sub',
  StartContinuousDtmfRecognition: 'none',
  StopContinuousDtmfRecognition: 'none',
  Hold: 'none',
  Unhold: 'none',
  CancelAllMediaOperations: 'none',
  StartMediaStreaming: 'none',
  StopMediaStreaming: 'none',
  StartTranscription: 'none',
  StopTranscription: 'none',
  UpdateTranscription: 'none',
}

/** The call leg column of the seed table, for each existing operation. */
export const leg: { readonly [K in ExistingKind]: 'main' | 'sub' } = {
  PlayToAll: 'main',
  RecognizeNonGroup: 'main',
  PlayTo: 'sub',
  RecognizeGroup: 'sub',
  SendDtmf: 'sub',
  ContinuousDtmfRecognition: 'sub',
}

export type Origin = 'seed' | 'switchboard'

export interface Cell {
  readonly existing: ExistingKind
  readonly requested: RequestedKind
  readonly allowed: boolean
  readonly origin: Origin
}

const seedRows: { readonly [K in ExistingKind]: ReadonlyArray<RequestedKind> } = {
  // Existing operation → the requested operations the seed table DISALLOWS.
  PlayToAll: [],
  RecognizeNonGroup: [],
  PlayTo: ['PlayTo', 'RecognizeGroup', 'SendDtmf', 'StartContinuousDtmfRecognition'],
  RecognizeGroup: ['PlayTo', 'RecognizeGroup', 'SendDtmf', 'StartContinuousDtmfRecognition'],
  SendDtmf: ['PlayTo', 'RecognizeGroup', 'SendDtmf', 'StartContinuousDtmfRecognition'],
  ContinuousDtmfRecognition: [],
}

/** Every cell: the 36 of the seed, and Switchboard's for the columns the seed does not have. */
export const table: ReadonlyArray<Cell> = existingKinds.flatMap((existing) =>
  requestedKinds.map((requested): Cell => ({
    existing,
    requested,
    allowed: !seedRows[existing].includes(requested),
    origin: seedRequestedKinds.includes(requested) ? 'seed' : 'switchboard',
  })),
)

/** Why Switchboard allows what the seed is silent about. Rendered into `docs/rules.md`. */
export const notes: { readonly [K in RequestedKind]?: string } = {
  StopContinuousDtmfRecognition:
    'Stopping only ends a subscription; it never conflicts with play, recognize or DTMF. Refused (400/8585) when no recognition runs for the target.',
  Hold: 'Hold changes a participant, not a media lane: always allowed by the table. Operations already running for the held participant go on; new participant-specific operations aimed at them are refused (400/8500) until unhold.',
  Unhold: 'As hold. Refused (400/8585) when the participant is not on hold.',
  CancelAllMediaOperations:
    'Always allowed: it is the way out of a busy call. It cancels every running and queued play, recognize and SendDtmfTones (PlayCanceled / RecognizeCanceled 400/8508, SendDtmfTonesFailed 400/8508); continuous DTMF recognition, hold, streaming and transcription are left alone.',
  StartMediaStreaming:
    'Streaming forks the call audio and never competes for a media lane: always allowed by the table. Refused when not configured at call setup (405/8522) or already started (400/8585).',
  StopMediaStreaming: 'As start; refused when streaming is not running (400/8585).',
  StartTranscription:
    'Transcription forks the call audio like streaming: always allowed by the table. Refused when not configured at call setup (405/8522) or already started (400/8585).',
  StopTranscription: 'As start; refused when transcription is not running (400/8585).',
  UpdateTranscription: 'As start; refused when transcription is not running (400/8585).',
}

const allowedIndex: { readonly [E in ExistingKind]: { readonly [R in RequestedKind]: boolean } } =
  Object.fromEntries(
    existingKinds.map((e) => [
      e,
      Object.fromEntries(
        requestedKinds.map((r) => [
          r,
          table.find((c) => c.existing === e && c.requested === r)?.allowed ?? true,
        ]),
      ),
    ]),
  ) as never

const allowedMap: ReadonlyMap<string, ReadonlyMap<string, boolean>> = new Map(
  existingKinds.map((e) => [e, new Map(requestedKinds.map((r) => [r, allowedIndex[e][r]]))]),
)

/** The table's answer for one cell. */
export const allows = (existing: ExistingKind, requested: RequestedKind): boolean =>
  allowedMap.get(existing)?.get(requested) ?? true

export type Verdict =
  | { readonly _tag: 'Run' }
  | { readonly _tag: 'Queue' }
  | { readonly _tag: 'Reject'; readonly blockedBy: ExistingKind }

const run: Verdict = { _tag: 'Run' }
const queue: Verdict = { _tag: 'Queue' }

/**
 * The answer for a requested operation given the kinds of the operations running or queued.
 * `mainBusy` tells whether the main lane has anything running or queued (a main-lane request
 * then queues behind it, FIFO). With `interrupt` (barge-in), the operations of the requested
 * lane are canceled first, so they neither block nor make it queue.
 */
export const verdict = (
  requested: RequestedKind,
  existing: ReadonlyArray<ExistingKind>,
  options: { readonly mainBusy: boolean; readonly interrupt: boolean },
): Verdict => {
  for (const e of existing)
    if (blocks(e, requested, options.interrupt)) return { _tag: 'Reject', blockedBy: e }
  return settle(requested, options.mainBusy, options.interrupt)
}

/**
 * Does this running or queued operation refuse the request? Not when the request interrupts
 * (barge-in) the lane it runs in, which is canceled first; otherwise as the table says.
 */
export const blocks = (
  existing: ExistingKind,
  requested: RequestedKind,
  interrupt: boolean,
): boolean => {
  if (interrupt) {
    const requestedLane = lane[requested]
    if (
      requestedLane !== 'none' &&
      leg[existing] === requestedLane &&
      existing !== 'ContinuousDtmfRecognition'
    )
      return false
  }
  return !(allowedMap.get(existing)?.get(requested) ?? true)
}

/** The verdict for a request nothing blocks: queue behind a busy main lane, or run. */
export const settle = (requested: RequestedKind, mainBusy: boolean, interrupt: boolean): Verdict =>
  lane[requested] === 'main' && mainBusy && !interrupt ? queue : run
