/**
 * `resultInformation` of ACS callback events: an HTTP-like code, an ACS subcode and a message.
 * The values are those the ACS docs publish (reference section 4.3); where the docs publish none,
 * Switchboard's choice is documented in `docs/rules.md`.
 */
export interface ResultInformation {
  readonly code: number
  readonly subCode: number
  readonly message: string
}

const r = (code: number, subCode: number, message: string): ResultInformation => ({
  code,
  subCode,
  message,
})

export const success = r(200, 0, 'Action completed successfully.')
export const canceled = r(400, 8508, 'Action failed, the operation was canceled.')
export const callEnded = r(200, 7000, 'The conversation has ended.')
export const callTerminated = r(400, 8528, 'Action failed, the call has already been terminated.')

export const playFileFormat = r(400, 8535, 'Action failed, file format is invalid.')
export const playFileDownload = r(400, 8536, 'Action failed, file could not be downloaded.')
export const playSpeechService = r(400, 8565, 'Action failed, bad request to Azure AI services.')
export const unknownError = r(500, 9999, 'Unknown internal server error.')
export const playDidNotStart = r(
  500,
  9999,
  'Unknown internal server error: playback did not start.',
)

export const maxDigitsReceived = r(200, 8531, 'Action completed, max digits received.')
export const stopToneDetected = r(200, 8514, 'Action completed as stop tone was detected.')
export const dtmfOptionMatched = r(200, 8533, 'Action completed, DTMF option matched.')
export const speechOptionMatched = r(200, 8545, 'Action completed, speech option matched.')
export const speechRecognized = r(200, 8545, 'Action completed, speech recognized.')
export const initialSilenceTimeout = r(400, 8510, 'Action failed, initial silence timeout reached.')
export const interDigitTimeout = r(400, 8532, 'Action failed, inter-digit silence timeout reached.')
export const playPromptFailed = r(
  500,
  8511,
  'Action failed, encountered failure while trying to play the prompt.',
)
export const speechOptionNotMatched = r(400, 8547, 'Action failed, speech option not matched.')
export const incorrectToneEntered = r(500, 8534, 'Action failed, incorrect tone entered.')

export const tonesNotConfirmed = r(500, 9999, 'Unknown internal server error: tones were not sent.')

export const calleeDeclined = r(603, 8538, 'The callee declined the call.')
export const calleeBusy = r(486, 8539, 'The callee is busy.')
export const calleeNoAnswer = r(408, 8541, 'The callee did not answer.')
export const calleeUnavailable = r(480, 8541, 'The callee is unavailable.')
export const callCanceled = r(487, 8542, 'The call was canceled.')

export const transferFailed = r(500, 9999, 'Unknown internal server error: the transfer failed.')

export const mediaStreamingFailed = (reason: string): ResultInformation =>
  r(500, 8578, `Action failed, the media streaming WebSocket could not be established: ${reason}`)
export const transcriptionFailed = (reason: string): ResultInformation =>
  r(500, 8578, `Action failed, the transcription WebSocket could not be established: ${reason}`)
