import { describe, expect, it } from 'vitest'
import type { Command, Rules } from '../src/index.js'
import { Rules as RulesModule } from '../src/index.js'
import { Call, alice, bob, playTo, playToAll, recognizeDtmf, sendDtmf } from './Fixtures.js'

/**
 * One test per cell of the media action compatibility table. The expectations are written here by
 * hand from the seed (ACS docs, reference section 6), not read from Rules.ts, so a wrong table
 * fails these tests.
 */

type Existing = Rules.ExistingKind
type Requested = Rules.RequestedKind

const seedDisallows: Record<Existing, ReadonlyArray<Requested>> = {
  PlayToAll: [],
  RecognizeNonGroup: [],
  PlayTo: ['PlayTo', 'RecognizeGroup', 'SendDtmf', 'StartContinuousDtmfRecognition'],
  RecognizeGroup: ['PlayTo', 'RecognizeGroup', 'SendDtmf', 'StartContinuousDtmfRecognition'],
  SendDtmf: ['PlayTo', 'RecognizeGroup', 'SendDtmf', 'StartContinuousDtmfRecognition'],
  ContinuousDtmfRecognition: [],
}

const mainLane: ReadonlyArray<Requested> = ['PlayToAll', 'RecognizeNonGroup']
const existingOnMain: ReadonlyArray<Existing> = ['PlayToAll', 'RecognizeNonGroup']

const existingKinds: ReadonlyArray<Existing> = [
  'PlayToAll',
  'RecognizeNonGroup',
  'PlayTo',
  'RecognizeGroup',
  'SendDtmf',
  'ContinuousDtmfRecognition',
]
const requestedKinds: ReadonlyArray<Requested> = [
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
]

/** Starts the existing operation on a call shaped for it; alice is the target, bob the second party. */
const withExisting = (existing: Existing, requested: Requested): Call => {
  const group = existing === 'RecognizeGroup'
  const call = Call.connected(group ? [alice, bob] : [alice], {
    streaming: true,
    transcription: true,
  })
  // prerequisites of the requested operation that must exist before the existing one starts
  if (requested === 'StopContinuousDtmfRecognition' && existing !== 'ContinuousDtmfRecognition')
    call.do({ _tag: 'StartContinuousDtmfRecognition', target: alice })
  if (requested === 'StopMediaStreaming') call.do({ _tag: 'StartMediaStreaming' })
  if (requested === 'StopTranscription' || requested === 'UpdateTranscription')
    call.do({ _tag: 'StartTranscription' })
  switch (existing) {
    case 'PlayToAll':
      call.do(playToAll('existing'))
      break
    case 'RecognizeNonGroup':
    case 'RecognizeGroup':
      call.do(recognizeDtmf(alice))
      break
    case 'PlayTo':
      call.do(playTo([alice], 'existing'))
      break
    case 'SendDtmf':
      call.do(sendDtmf(alice))
      break
    case 'ContinuousDtmfRecognition':
      call.do({ _tag: 'StartContinuousDtmfRecognition', target: alice })
      break
  }
  // reshape the call for the requested operation: a group recognize needs two parties, a 1:1 one
  const needsBob =
    (requested === 'RecognizeGroup' && !group) ||
    (requested === 'StartContinuousDtmfRecognition' && existing === 'ContinuousDtmfRecognition')
  if (needsBob) {
    call.do({
      _tag: 'AddParticipant',
      participant: bob,
      invitationId: 'inv-1' as never,
      invitationTimeoutMs: 30_000,
    })
    call.signal({ _tag: 'PartyAnswered', participant: bob })
  }
  if (requested === 'RecognizeNonGroup' && group)
    call.signal({ _tag: 'PartyHungUp', participant: bob })
  if (requested === 'Unhold') call.do({ _tag: 'Hold', target: alice })
  return call
}

const request = (requested: Requested, call: Call): Command.Command => {
  switch (requested) {
    case 'PlayToAll':
      return playToAll('requested')
    case 'RecognizeNonGroup':
    case 'RecognizeGroup':
      return recognizeDtmf(alice)
    case 'PlayTo':
      return playTo([alice], 'requested')
    case 'SendDtmf':
      return sendDtmf(alice, ['five'])
    case 'StartContinuousDtmfRecognition':
      // a second recognition for the same party is refused by its own rule: use another party
      return {
        _tag: 'StartContinuousDtmfRecognition',
        target: call.state.continuous.length > 0 ? bob : alice,
      }
    case 'StopContinuousDtmfRecognition':
      return { _tag: 'StopContinuousDtmfRecognition', target: alice }
    case 'Hold':
      return { _tag: 'Hold', target: alice }
    case 'Unhold':
      return { _tag: 'Unhold', target: alice }
    case 'CancelAllMediaOperations':
      return { _tag: 'CancelAllMediaOperations' }
    case 'StartMediaStreaming':
      return { _tag: 'StartMediaStreaming' }
    case 'StopMediaStreaming':
      return { _tag: 'StopMediaStreaming' }
    case 'StartTranscription':
      return { _tag: 'StartTranscription' }
    case 'StopTranscription':
      return { _tag: 'StopTranscription' }
    case 'UpdateTranscription':
      return { _tag: 'UpdateTranscription', locale: 'es-ES' }
  }
}

/** The kinds of the running and queued operations, as the table sees them. */
const runningKinds = (call: Call): ReadonlyArray<string> => [
  ...call.state.main.map((op) => op.kind),
  ...(call.state.sub !== null ? [call.state.sub.kind] : []),
  ...(call.state.continuous.length > 0 ? ['ContinuousDtmfRecognition'] : []),
]

describe('media action compatibility table', () => {
  for (const existing of existingKinds) {
    describe(`while ${existing} is running`, () => {
      for (const requested of requestedKinds) {
        const allowed = !seedDisallows[existing].includes(requested)
        const queues = allowed && mainLane.includes(requested) && existingOnMain.includes(existing)
        const verdict = !allowed ? 'is refused with 412/8583' : queues ? 'is queued' : 'runs'
        it(`${requested} ${verdict}`, () => {
          const call = withExisting(existing, requested)
          expect(runningKinds(call)).toContain(existing)
          const from = call.events.length
          const result = call.try(request(requested, call))
          if (!allowed) {
            expect(result._tag).toBe('Left')
            if (result._tag === 'Left') {
              expect(result.left.status).toBe(412)
              expect(result.left.code).toBe('8583')
              expect(result.left.rule).toBe('incompatibleMediaOperation')
              expect(result.left.message).toContain(existing)
            }
            expect(call.events.length).toBe(from)
            return
          }
          expect(result._tag).toBe('Right')
          const accepted = call.events.slice(from).find((e) => e._tag === 'OperationAccepted')
          if (
            mainLane.includes(requested) ||
            ['PlayTo', 'RecognizeGroup', 'SendDtmf'].includes(requested)
          ) {
            expect(accepted).toBeDefined()
            if (accepted?._tag === 'OperationAccepted') {
              expect(accepted.operation.kind).toBe(requested)
              expect(accepted.operation.phase === 'queued').toBe(queues)
            }
          } else expect(accepted).toBeUndefined()
        })
      }
    })
  }
})

describe('Rules.ts matches the seed', () => {
  it('has a cell for every existing and requested kind', () => {
    expect(RulesModule.table).toHaveLength(existingKinds.length * requestedKinds.length)
  })
  it('reproduces the 36 seed cells exactly', () => {
    for (const cell of RulesModule.table.filter((c) => c.origin === 'seed'))
      expect([cell.existing, cell.requested, cell.allowed]).toEqual([
        cell.existing,
        cell.requested,
        !seedDisallows[cell.existing].includes(cell.requested),
      ])
    expect(RulesModule.table.filter((c) => c.origin === 'seed')).toHaveLength(36)
  })
  it('documents every requested kind the seed is silent about', () => {
    for (const kind of requestedKinds.filter((k) => !RulesModule.seedRequestedKinds.includes(k)))
      expect(RulesModule.notes[kind]).toMatch(/\w/)
  })
})
