/**
 * Why a command was refused. Every refusal names the rule that refused it and carries the
 * HTTP status and the ACS subcode (the string `error.code` of the ACS error body).
 *
 * The catalogue below is the single list of validation rules; `docs/rules.md` is generated from
 * it (with the concurrency table of `Rules.ts`).
 */
export interface RuleInfo {
  readonly status: number
  readonly code: string
  /** What the rule says, for the docs. */
  readonly summary: string
}

export const catalogue = {
  callNotFound: {
    status: 404,
    code: '8522',
    summary: 'The call connection does not exist.',
  },
  callAlreadyExists: {
    status: 409,
    code: '8519',
    summary: 'A call connection with this id already exists (create or answer twice).',
  },
  callNotEstablished: {
    status: 400,
    code: '8501',
    summary: 'A media or participant operation was sent before the call was connected.',
  },
  callTerminated: {
    status: 400,
    code: '8528',
    summary: 'The call has already ended.',
  },
  teamsNotSupported: {
    status: 405,
    code: '8520',
    summary:
      'The target is a Microsoft Teams user or app: Call Automation does not interoperate with Teams.',
  },
  targetNotInCall: {
    status: 404,
    code: '8522',
    summary: 'The target participant is not in the call.',
  },
  invalidArgument: {
    status: 400,
    code: '8523',
    summary: 'A field of the request is malformed or out of range (the message names it).',
  },
  tonesEmpty: {
    status: 400,
    code: '8523',
    summary: 'SendDtmfTones carries no tones.',
  },
  tonesTooMany: {
    status: 400,
    code: '8523',
    summary: 'SendDtmfTones carries more than 18 tones.',
  },
  toneUnknown: {
    status: 400,
    code: '8523',
    summary: 'A tone is not one of the sixteen DTMF tone names.',
  },
  dtmfTargetNotPstn: {
    status: 400,
    code: '8523',
    summary: 'SendDtmfTones is aimed at a participant who is not a PSTN phone number.',
  },
  continuousDtmfTargetNotPstn: {
    status: 400,
    code: '8523',
    summary:
      'Continuous DTMF recognition is aimed at a participant who is not a PSTN phone number.',
  },
  incompatibleMediaOperation: {
    status: 412,
    code: '8583',
    summary:
      'The media action compatibility table forbids the requested operation while another is running or queued.',
  },
  continuousDtmfAlreadyRunning: {
    status: 400,
    code: '8500',
    summary: 'Continuous DTMF recognition is already running for this participant.',
  },
  continuousDtmfNotRunning: {
    status: 400,
    code: '8585',
    summary: 'Stop of continuous DTMF recognition for a participant who has none running.',
  },
  targetOnHold: {
    status: 400,
    code: '8500',
    summary: 'A participant-specific media operation targets a participant who is on hold.',
  },
  alreadyOnHold: {
    status: 400,
    code: '8585',
    summary: 'Hold of a participant who is already on hold.',
  },
  notOnHold: {
    status: 400,
    code: '8585',
    summary: 'Unhold of a participant who is not on hold.',
  },
  mediaStreamingNotConfigured: {
    status: 405,
    code: '8522',
    summary: 'Media streaming was not configured when the call was created or answered.',
  },
  mediaStreamingAlreadyStarted: {
    status: 400,
    code: '8585',
    summary: 'Media streaming is already started (or starting).',
  },
  mediaStreamingNotStarted: {
    status: 400,
    code: '8585',
    summary: 'Stop of media streaming that is not running.',
  },
  transcriptionNotConfigured: {
    status: 405,
    code: '8522',
    summary: 'Transcription was not configured when the call was created or answered.',
  },
  transcriptionAlreadyStarted: {
    status: 400,
    code: '8585',
    summary: 'Transcription is already started (or starting).',
  },
  transcriptionNotStarted: {
    status: 400,
    code: '8585',
    summary: 'Stop or update of transcription that is not running.',
  },
  participantAlreadyInCall: {
    status: 400,
    code: '8523',
    summary: 'Add of a participant who is already in the call or already invited.',
  },
  invitationNotFound: {
    status: 404,
    code: '8522',
    summary: 'Cancel of an add-participant invitation that is unknown or no longer pending.',
  },
  muteNotSupported: {
    status: 400,
    code: '8523',
    summary: 'Mute of a participant who is not an ACS communication user (only they can be muted).',
  },
  transferInProgress: {
    status: 409,
    code: '8519',
    summary: 'A transfer of this call is already in progress.',
  },
} as const satisfies Record<string, RuleInfo>

export type RuleName = keyof typeof catalogue

export interface Rejection {
  readonly _tag: 'Rejection'
  readonly rule: RuleName
  readonly status: number
  readonly code: string
  readonly message: string
}

export const make = (rule: RuleName, message: string): Rejection => {
  const info: RuleInfo = catalogue[rule]
  return { _tag: 'Rejection', rule, status: info.status, code: info.code, message }
}

export const ruleNames = Object.keys(catalogue) as ReadonlyArray<RuleName>
