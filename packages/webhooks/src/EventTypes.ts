import { Event } from '@switchboard/core'

/**
 * The callback event types the `@azure/communication-call-automation` 1.6.0 parser knows
 * (reference section 4.2). Its `parseCallAutomationEvent` throws on any other type, so delivery
 * sends only these by default; newer types are opt-in (`allowEventTypes`).
 */
export const sdk160: ReadonlyArray<string> = [
  // every callback event the core produces is one the 1.6.0 parser knows
  ...Event.callbackTags,
  // and it knows these too, which Switchboard never emits
  'ConnectFailed',
  'MoveParticipantSucceeded',
  'MoveParticipantFailed',
  'RecordingStateChanged',
  'StartRecordingFailed',
].map((t) => `Microsoft.Communication.${t}`)
