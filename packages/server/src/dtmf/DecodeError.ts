/** Why `switchboard dtmf decode` could not decode an input: the typed error and its reasons. */
export type Reason =
  | 'not audio'
  | 'truncated'
  | 'unsupported encoding'
  | 'unsupported sample rate'
  | 'empty'
  | 'no such channel'
  | 'cannot read'
  | 'not a media-streaming session'

/** An input that cannot be decoded: the reason, and what exactly is wrong. */
export class DecodeError extends Error {
  readonly _tag = 'DecodeError'
  override readonly name = 'DecodeError'
  constructor(
    readonly reason: Reason,
    readonly detail: string,
  ) {
    super(`${reason}: ${detail}`)
  }
}
