import type { Ids, Instruction, Signal } from '@switchboard/core'
import { Identifier } from '@switchboard/core'
import { IncomingCalls, MediaPlane } from '@switchboard/runtime'
import { Effect, Layer } from 'effect'

type IncomingCallsService = IncomingCalls.IncomingCallsService
import type { Plugin } from '../src/Composition.js'

/**
 * A small scripted world for the end-to-end tests, plugged in through the composition's media
 * plane seam (until `@switchboard/media` exists): parties answer after `answerMs`, audio lasts
 * `playMs`, tones take `toneMs` each, media streams and transcription connect at once. The test
 * can make a party press keys (`press`) and place incoming calls (`incoming`).
 */
export interface World {
  readonly plugin: Plugin
  readonly log: Array<{ callId: string; instruction: Instruction.MediaInstruction }>
  /** A party of the call presses keys (one TonePressed per tone, rising press ids). */
  readonly press: (
    callId: string,
    participant: Identifier.Identifier,
    tones: ReadonlyArray<Signal.TonePressed['tone']>,
  ) => void
  /** The incoming-call registry, once the service started. */
  readonly incoming: () => IncomingCallsService
}

export const make = (
  options: { answerMs?: number; playMs?: number; toneMs?: number } = {},
): World => {
  const answerMs = options.answerMs ?? 30
  const playMs = options.playMs ?? 150
  const toneMs = options.toneMs ?? 10
  const log: World['log'] = []
  const reporters = new Map<string, (s: Signal.Signal) => void>()
  const pressIds = new Map<string, number>()
  let incoming: IncomingCallsService | undefined

  /** Parties whose raw id contains "never" never pick up. */
  const answers = (p: Identifier.Identifier) => !Identifier.rawId(p).includes('never')
  const later = (ms: number, report: (s: Signal.Signal) => void, signal: Signal.Signal) =>
    void setTimeout(() => report(signal), ms)

  const execute = (
    callId: Ids.CallConnectionId,
    instruction: Instruction.MediaInstruction,
    report: (s: Signal.Signal) => void,
  ) =>
    Effect.sync(() => {
      log.push({ callId, instruction })
      reporters.set(callId, report)
      switch (instruction._tag) {
        case 'Dial':
          for (const participant of instruction.participants)
            if (answers(participant))
              later(answerMs, report, { _tag: 'PartyAnswered', participant })
          return
        case 'ConnectCall':
          later(answerMs, report, { _tag: 'CallEstablished' })
          return
        case 'Invite':
          if (answers(instruction.participant))
            later(answerMs, report, { _tag: 'PartyAnswered', participant: instruction.participant })
          return
        case 'StartPlayback':
          later(0, report, {
            _tag: 'PlaybackStarted',
            operationId: instruction.operationId,
            durationMs: instruction.loop ? null : (playMs as never),
          })
          if (!instruction.loop)
            later(playMs, report, {
              _tag: 'PlaybackFinished',
              operationId: instruction.operationId,
            })
          return
        case 'SendTones':
          later(instruction.tones.length * toneMs, report, {
            _tag: 'TonesSent',
            operationId: instruction.operationId,
          })
          return
        case 'OpenMediaStream':
          later(0, report, { _tag: 'MediaStreamConnected', operationId: instruction.operationId })
          return
        case 'OpenTranscription':
          later(0, report, { _tag: 'TranscriptionConnected', operationId: instruction.operationId })
          return
        case 'TransferCall':
          later(answerMs, report, {
            _tag: 'TransferAccepted',
            operationId: instruction.operationId,
          })
          return
        default:
          return
      }
    })

  return {
    log,
    press: (callId, participant, tones) => {
      const report = reporters.get(callId)
      if (report === undefined) throw new Error(`no media for call ${callId}`)
      const key = `${callId}/${JSON.stringify(participant)}`
      for (const tone of tones) {
        const pressId = (pressIds.get(key) ?? 0) + 1
        pressIds.set(key, pressId)
        report({ _tag: 'TonePressed', participant, tone, pressId })
      }
    },
    incoming: () => {
      if (incoming === undefined) throw new Error('the service has not started')
      return incoming
    },
    plugin: {
      name: 'test-world',
      mediaPlane: Layer.succeed(MediaPlane.MediaPlane, { execute }),
      start: Effect.gen(function* () {
        incoming = yield* IncomingCalls.IncomingCalls
        return { banner: ['media: the test world'] }
      }),
    },
  }
}
