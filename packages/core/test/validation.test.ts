import { describe, expect, it } from 'vitest'
import type { Command, Rejection } from '../src/index.js'
import { Ids, Rejection as RejectionModule } from '../src/index.js'
import {
  Call,
  alice,
  bob,
  carol,
  file,
  playTo,
  playToAll,
  recognizeDtmf,
  sendDtmf,
  teams,
  user,
} from './Fixtures.js'

/**
 * One test per validation rule of the catalogue (Rejection.ts). Each builds the situation the rule
 * is about and checks the refusal: its rule, HTTP status, ACS subcode, and that nothing was recorded.
 */

const expectRefused = (
  call: Call,
  command: Command.Command,
  rule: Rejection.RuleName,
  status: number,
  code: string,
): Rejection.Rejection => {
  const before = call.state
  const count = call.events.length
  const rejection = call.refuse(command)
  expect(rejection.rule).toBe(rule)
  expect(rejection.status).toBe(status)
  expect(rejection.code).toBe(code)
  expect(rejection.message.length).toBeGreaterThan(10)
  expect(call.state).toBe(before)
  expect(call.events.length).toBe(count)
  return rejection
}

const create = (overrides: Partial<Command.CreateCall> = {}): Command.CreateCall => ({
  _tag: 'CreateCall',
  callConnectionId: Ids.unsafe.callConnectionId('cc-2'),
  serverCallId: Ids.unsafe.serverCallId('server-2'),
  correlationId: Ids.unsafe.correlationId('corr-2'),
  callbackUri: 'https://app.example/cb',
  source: user,
  targets: [alice],
  ...overrides,
})

const cases: Record<Rejection.RuleName, () => void> = {
  callNotFound: () => expectRefused(new Call(), playToAll(), 'callNotFound', 404, '8522'),
  callAlreadyExists: () =>
    expectRefused(Call.connected(), create(), 'callAlreadyExists', 409, '8519'),
  callNotEstablished: () => {
    const call = new Call()
    call.do(create())
    expectRefused(call, playToAll(), 'callNotEstablished', 400, '8501')
    expectRefused(call, sendDtmf(alice), 'callNotEstablished', 400, '8501')
  },
  callTerminated: () => {
    const call = Call.connected()
    call.do({ _tag: 'HangUp', forEveryone: true })
    expectRefused(call, playToAll(), 'callTerminated', 400, '8528')
    expectRefused(call, { _tag: 'HangUp', forEveryone: false }, 'callTerminated', 400, '8528')
  },
  teamsNotSupported: () => {
    expectRefused(new Call(), create({ targets: [teams] }), 'teamsNotSupported', 405, '8520')
    const call = Call.connected()
    expectRefused(call, sendDtmf(teams), 'teamsNotSupported', 405, '8520')
    expectRefused(call, playTo([teams]), 'teamsNotSupported', 405, '8520')
    expectRefused(
      call,
      {
        _tag: 'AddParticipant',
        participant: teams,
        invitationId: Ids.unsafe.invitationId('i'),
        invitationTimeoutMs: 1000,
      },
      'teamsNotSupported',
      405,
      '8520',
    )
  },
  targetNotInCall: () => {
    const call = Call.connected()
    expectRefused(call, sendDtmf(bob), 'targetNotInCall', 404, '8522')
    expectRefused(call, playTo([carol]), 'targetNotInCall', 404, '8522')
    expectRefused(call, recognizeDtmf(bob), 'targetNotInCall', 404, '8522')
    expectRefused(call, { _tag: 'Hold', target: bob }, 'targetNotInCall', 404, '8522')
  },
  invalidArgument: () => {
    const call = Call.connected()
    const r = expectRefused(
      call,
      { _tag: 'PlayToAll', sources: [], loop: false, interrupt: false },
      'invalidArgument',
      400,
      '8523',
    )
    expect(r.message).toContain('playSources')
    expectRefused(
      call,
      { ...recognizeDtmf(alice), initialSilenceTimeoutMs: 301_000 },
      'invalidArgument',
      400,
      '8523',
    )
    expectRefused(
      call,
      { _tag: 'PlayToAll', sources: [{ _tag: 'Text', text: '  ' }], loop: false, interrupt: false },
      'invalidArgument',
      400,
      '8523',
    )
  },
  tonesEmpty: () => expectRefused(Call.connected(), sendDtmf(alice, []), 'tonesEmpty', 400, '8523'),
  tonesTooMany: () => {
    const call = Call.connected()
    const r = expectRefused(
      call,
      sendDtmf(alice, Array(19).fill('one')),
      'tonesTooMany',
      400,
      '8523',
    )
    expect(r.message).toContain('18')
    // 18 is the most a request may carry, and is accepted
    call.do(sendDtmf(alice, Array(18).fill('one')))
  },
  toneUnknown: () => {
    const call = Call.connected()
    const r = expectRefused(call, sendDtmf(alice, ['one', 'hash']), 'toneUnknown', 400, '8523')
    expect(r.message).toContain('tones[1]')
    expectRefused(
      call,
      recognizeDtmf(alice, { stopTones: ['star' as never] }),
      'toneUnknown',
      400,
      '8523',
    )
  },
  dtmfTargetNotPstn: () => {
    const call = Call.connected([alice, user])
    expectRefused(call, sendDtmf(user), 'dtmfTargetNotPstn', 400, '8523')
  },
  continuousDtmfTargetNotPstn: () => {
    const call = Call.connected([alice, user])
    expectRefused(
      call,
      { _tag: 'StartContinuousDtmfRecognition', target: user },
      'continuousDtmfTargetNotPstn',
      400,
      '8523',
    )
  },
  incompatibleMediaOperation: () => {
    const call = Call.connected()
    call.do(playTo([alice]))
    expectRefused(call, sendDtmf(alice), 'incompatibleMediaOperation', 412, '8583')
  },
  continuousDtmfAlreadyRunning: () => {
    const call = Call.connected()
    call.do({ _tag: 'StartContinuousDtmfRecognition', target: alice })
    expectRefused(
      call,
      { _tag: 'StartContinuousDtmfRecognition', target: alice },
      'continuousDtmfAlreadyRunning',
      400,
      '8500',
    )
  },
  continuousDtmfNotRunning: () =>
    expectRefused(
      Call.connected(),
      { _tag: 'StopContinuousDtmfRecognition', target: alice },
      'continuousDtmfNotRunning',
      400,
      '8585',
    ),
  targetOnHold: () => {
    const call = Call.connected()
    call.do({ _tag: 'Hold', target: alice })
    expectRefused(call, sendDtmf(alice), 'targetOnHold', 400, '8500')
    expectRefused(call, playTo([alice]), 'targetOnHold', 400, '8500')
  },
  alreadyOnHold: () => {
    const call = Call.connected()
    call.do({ _tag: 'Hold', target: alice, playSource: file('music') })
    expectRefused(call, { _tag: 'Hold', target: alice }, 'alreadyOnHold', 400, '8585')
  },
  notOnHold: () =>
    expectRefused(Call.connected(), { _tag: 'Unhold', target: alice }, 'notOnHold', 400, '8585'),
  mediaStreamingNotConfigured: () =>
    expectRefused(
      Call.connected(),
      { _tag: 'StartMediaStreaming' },
      'mediaStreamingNotConfigured',
      405,
      '8522',
    ),
  mediaStreamingAlreadyStarted: () => {
    const call = Call.connected([alice], { streaming: true })
    call.do({ _tag: 'StartMediaStreaming' })
    expectRefused(
      call,
      { _tag: 'StartMediaStreaming' },
      'mediaStreamingAlreadyStarted',
      400,
      '8585',
    )
  },
  mediaStreamingNotStarted: () =>
    expectRefused(
      Call.connected([alice], { streaming: true }),
      { _tag: 'StopMediaStreaming' },
      'mediaStreamingNotStarted',
      400,
      '8585',
    ),
  transcriptionNotConfigured: () =>
    expectRefused(
      Call.connected(),
      { _tag: 'StartTranscription' },
      'transcriptionNotConfigured',
      405,
      '8522',
    ),
  transcriptionAlreadyStarted: () => {
    const call = Call.connected([alice], { transcription: true })
    call.do({ _tag: 'StartTranscription' })
    expectRefused(call, { _tag: 'StartTranscription' }, 'transcriptionAlreadyStarted', 400, '8585')
  },
  transcriptionNotStarted: () => {
    const call = Call.connected([alice], { transcription: true })
    expectRefused(call, { _tag: 'StopTranscription' }, 'transcriptionNotStarted', 400, '8585')
    expectRefused(
      call,
      { _tag: 'UpdateTranscription', locale: 'fr-FR' },
      'transcriptionNotStarted',
      400,
      '8585',
    )
  },
  participantAlreadyInCall: () =>
    expectRefused(
      Call.connected(),
      {
        _tag: 'AddParticipant',
        participant: alice,
        invitationId: Ids.unsafe.invitationId('i-1'),
        invitationTimeoutMs: 30_000,
      },
      'participantAlreadyInCall',
      400,
      '8523',
    ),
  invitationNotFound: () =>
    expectRefused(
      Call.connected(),
      { _tag: 'CancelAddParticipant', invitationId: Ids.unsafe.invitationId('nope') },
      'invitationNotFound',
      404,
      '8522',
    ),
  muteNotSupported: () =>
    expectRefused(
      Call.connected(),
      { _tag: 'MuteParticipant', participant: alice },
      'muteNotSupported',
      400,
      '8523',
    ),
  transferInProgress: () => {
    const call = Call.connected()
    call.do({ _tag: 'TransferToParticipant', target: bob })
    expectRefused(
      call,
      { _tag: 'TransferToParticipant', target: carol },
      'transferInProgress',
      409,
      '8519',
    )
  },
}

describe('validation rules', () => {
  for (const rule of RejectionModule.ruleNames) {
    it(`${rule}: ${RejectionModule.catalogue[rule].summary}`, () => {
      const test = cases[rule]
      expect(test).toBeTypeOf('function')
      test()
    })
  }
  it('every rule of the catalogue has a test above', () => {
    expect(Object.keys(cases).sort()).toEqual([...RejectionModule.ruleNames].sort())
  })
})
