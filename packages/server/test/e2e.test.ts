import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DtmfTone } from '@azure/communication-call-automation'
import { Identifier } from '@switchboard/core'
import { Effect } from 'effect'
import * as Harness from './Harness.js'
import {
  callback,
  client,
  connectedCall,
  countCalls,
  eventTypes,
  eventually,
  pstn,
  refused,
  user,
} from './Sdk.js'
import * as World from './World.js'

/**
 * The official SDK (1.6.0) end to end against the service over real HTTP: every call and media
 * method of reference 1.4, success paths and refusals, on the embedded store and on PostgreSQL.
 * The media plane is the test world (parties answer, audio plays, tones are sent, keys pressed).
 */

const count = (types: ReadonlyArray<string>, t: string) => types.filter((x) => x === t).length

const suite = (kind: 'pglite' | 'postgres', enabled: () => boolean) => {
  let service: Harness.Service
  let world: World.World
  let schema: string | undefined

  beforeAll(async () => {
    if (!enabled()) return
    world = World.make()
    schema = kind === 'postgres' ? Harness.uniqueSchema('sb_e2e') : undefined
    service = await Harness.start({
      store: await Harness.openStore(kind, schema),
      plugins: [world.plugin],
    })
  })
  afterAll(async () => {
    if (!enabled()) return
    await service.close()
    if (schema !== undefined) await Harness.dropSchema(schema)
  })

  const test = (name: string, body: () => Promise<void>) =>
    it(name, async () => {
      if (!enabled()) {
        console.warn(`NOTICE: skipped on ${kind}: ${name}`)
        return
      }
      await body()
    })

  test('create a call, read it, its participants, one participant by raw id', async () => {
    const c = client(service.connectionString)
    const before = await countCalls(service.store)
    const created = await c.createCall(
      { targetParticipant: pstn(1), sourceCallIdNumber: { phoneNumber: '+18005550100' } },
      callback,
      { operationContext: 'ctx-create' },
    )
    expect(created.callConnectionProperties.callConnectionId).toMatch(/^[0-9a-f-]{36}$/)
    expect(created.callConnectionProperties.callConnectionState).toBe('connecting')
    const connection = created.callConnection
    const props = await eventually(async () => {
      const p = await connection.getCallConnectionProperties()
      return p.callConnectionState === 'connected' ? p : undefined
    })
    expect(props.serverCallId).toBeTruthy()
    expect(props.correlationId).toMatch(/^[0-9a-f-]{36}$/)
    const list = await connection.listParticipants()
    expect(list.values?.map((p) => p.identifier)).toMatchObject([
      { phoneNumber: '+14255550001', rawId: '4:+14255550001' },
    ])
    const one = await connection.getParticipant(pstn(1))
    expect(one).toMatchObject({ isMuted: false, isOnHold: false })
    await refused(connection.getParticipant(pstn(9)), 404, '8522')
    expect(await countCalls(service.store)).toBe(before + 1)
  })

  test('an unknown call is 404/8522 for reads and actions', async () => {
    const c = client(service.connectionString)
    const nobody = c.getCallConnection('no-such-call')
    await refused(nobody.getCallConnectionProperties(), 404, '8522')
    await refused(nobody.listParticipants(), 404, '8522')
    await refused(
      nobody.getCallMedia().playToAll([{ kind: 'fileSource', url: 'https://m/a.wav' }]),
      404,
      '8522',
    )
    await refused(nobody.hangUp(false), 404, '8522')
  })

  test('send four tones to a PSTN participant: 202 with the context, then SendDtmfTonesCompleted', async () => {
    const c = client(service.connectionString)
    const { id, connection } = await connectedCall(c, [pstn(2)])
    const result = await connection
      .getCallMedia()
      .sendDtmfTones(['one', 'two', 'three', 'four'], pstn(2), { operationContext: 'ctx-dtmf' })
    expect(result).toMatchObject({ operationContext: 'ctx-dtmf' })
    await eventually(async () =>
      (await eventTypes(service.store, id)).includes('SendDtmfTonesCompleted'),
    )
  })

  test('19 tones are refused with 400/8523', async () => {
    const c = client(service.connectionString)
    const { connection } = await connectedCall(c, [pstn(3)])
    await refused(
      connection.getCallMedia().sendDtmfTones(Array(19).fill('nine'), pstn(3)),
      400,
      '8523',
    )
  })

  test('DTMF to a participant who is not a PSTN phone is refused with 400/8523', async () => {
    const c = client(service.connectionString)
    const { connection } = await connectedCall(c, [pstn(4), user('dtmf-target')])
    await refused(
      connection.getCallMedia().sendDtmfTones(['one'], user('dtmf-target')),
      400,
      '8523',
    )
  })

  test('PlayTo followed by SendDtmfTones is refused with 412/8583', async () => {
    const c = client(service.connectionString)
    const { connection } = await connectedCall(c, [pstn(5)])
    const media = connection.getCallMedia()
    await media.play([{ kind: 'fileSource', url: 'https://media.example/a.wav' }], [pstn(5)], {
      operationContext: 'ctx-play-to',
    })
    await refused(media.sendDtmfTones(['one'], pstn(5)), 412, '8583')
  })

  test('two PlayToAll are accepted, queued, and complete in order', async () => {
    const c = client(service.connectionString)
    const { id, connection } = await connectedCall(c, [pstn(6)])
    const media = connection.getCallMedia()
    await media.playToAll([{ kind: 'fileSource', url: 'https://media.example/1.wav' }], {
      operationContext: 'first',
    })
    await media.playToAll([{ kind: 'textSource', text: 'Hello', voiceName: 'en-US-NancyNeural' }], {
      operationContext: 'second',
    })
    const types = await eventually(async () => {
      const t = await eventTypes(service.store, id)
      return count(t, 'PlayCompleted') === 2 ? t : undefined
    })
    const played = types.filter((t) => t.startsWith('Play'))
    expect(played).toEqual(['PlayStarted', 'PlayCompleted', 'PlayStarted', 'PlayCompleted'])
  })

  test('continuous DTMF: keys pressed arrive as ToneReceived in sequence; stop ends it', async () => {
    const c = client(service.connectionString)
    const { id, connection } = await connectedCall(c, [pstn(7)])
    const media = connection.getCallMedia()
    await media.startContinuousDtmfRecognition(pstn(7), { operationContext: 'ctx-cdtmf' })
    await refused(media.startContinuousDtmfRecognition(pstn(7)), 400, '8500')
    world.press(id, Identifier.phoneNumber('+14255550007'), ['one', 'two', 'pound'])
    await eventually(
      async () =>
        count(await eventTypes(service.store, id), 'ContinuousDtmfRecognitionToneReceived') === 3,
    )
    await media.stopContinuousDtmfRecognition(pstn(7), { operationContext: 'ctx-cdtmf-stop' })
    await eventually(async () =>
      (await eventTypes(service.store, id)).includes('ContinuousDtmfRecognitionStopped'),
    )
    await refused(media.stopContinuousDtmfRecognition(pstn(7)), 400, '8585')
  })

  test('recognize DTMF: the keys pressed complete it', async () => {
    const c = client(service.connectionString)
    const { id, connection } = await connectedCall(c, [pstn(8)])
    await connection.getCallMedia().startRecognizing(pstn(8), {
      kind: 'callMediaRecognizeDtmfOptions',
      maxTonesToCollect: 2,
      interToneTimeoutInSeconds: 5,
      initialSilenceTimeoutInSeconds: 10,
      operationContext: 'ctx-rec',
    })
    world.press(id, Identifier.phoneNumber('+14255550008'), ['four', 'two'])
    await eventually(async () =>
      (await eventTypes(service.store, id)).includes('RecognizeCompleted'),
    )
  })

  test('recognize choices, speech and speech-or-DTMF are accepted; cancel ends them', async () => {
    const c = client(service.connectionString)
    const { id, connection } = await connectedCall(c, [pstn(22)])
    const media = connection.getCallMedia()
    const prompt = {
      kind: 'textSource' as const,
      text: 'Say yes or press one',
      voiceName: 'en-US-NancyNeural',
    }
    await media.startRecognizing(pstn(22), {
      kind: 'callMediaRecognizeChoiceOptions',
      choices: [{ label: 'yes', phrases: ['yes', 'yeah'], tone: DtmfTone.One }],
      playPrompt: prompt,
      operationContext: 'ctx-choices',
    })
    await media.cancelAllOperations()
    await media.startRecognizing(pstn(22), {
      kind: 'callMediaRecognizeSpeechOptions',
      endSilenceTimeoutInSeconds: 1,
      operationContext: 'ctx-speech',
    })
    await media.cancelAllOperations()
    await media.startRecognizing(pstn(22), {
      kind: 'callMediaRecognizeSpeechOrDtmfOptions',
      maxTonesToCollect: 2,
      endSilenceTimeoutInSeconds: 1,
      operationContext: 'ctx-speech-dtmf',
    })
    await media.cancelAllOperations()
    await eventually(
      async () => count(await eventTypes(service.store, id), 'RecognizeCanceled') === 3,
    )
  })

  test('hold with a play source and unhold: isOnHold and ParticipantsUpdated follow', async () => {
    const c = client(service.connectionString)
    const { id, connection } = await connectedCall(c, [pstn(9)])
    const media = connection.getCallMedia()
    const updatesBefore = count(await eventTypes(service.store, id), 'ParticipantsUpdated')
    await media.hold(pstn(9), {
      playSource: { kind: 'fileSource', url: 'https://media.example/hold.wav' },
      operationContext: 'ctx-hold',
    })
    expect((await connection.getParticipant(pstn(9))).isOnHold).toBe(true)
    await refused(media.hold(pstn(9)), 400, '8585')
    await media.unhold(pstn(9), { operationContext: 'ctx-unhold' })
    expect((await connection.getParticipant(pstn(9))).isOnHold).toBe(false)
    await refused(media.unhold(pstn(9)), 400, '8585')
    expect(count(await eventTypes(service.store, id), 'ParticipantsUpdated')).toBe(
      updatesBefore + 2,
    )
  })

  test('cancel all media operations: 202, the running play is canceled', async () => {
    const c = client(service.connectionString)
    const { id, connection } = await connectedCall(c, [pstn(10)])
    const media = connection.getCallMedia()
    await media.playToAll([{ kind: 'fileSource', url: 'https://media.example/long.wav' }], {
      loop: true,
    })
    await media.cancelAllOperations()
    await eventually(async () => (await eventTypes(service.store, id)).includes('PlayCanceled'))
  })

  test('media streaming and transcription: configured at create, start, update, stop', async () => {
    const c = client(service.connectionString)
    const { connection } = await connectedCall(c, [pstn(11)], {
      mediaStreamingOptions: {
        transportType: 'websocket',
        transportUrl: 'wss://app.example/media',
        audioChannelType: 'mixed',
        contentType: 'audio',
        startMediaStreaming: false,
      },
      transcriptionOptions: {
        transportType: 'websocket',
        transportUrl: 'wss://app.example/tx',
        locale: 'en-US',
        startTranscription: false,
      },
    })
    const media = connection.getCallMedia()
    await media.startMediaStreaming({ operationContext: 'ctx-ms' })
    await eventually(async () => {
      const p = await connection.getCallConnectionProperties()
      return p.mediaStreamingSubscription?.state === 'active'
    })
    await media.stopMediaStreaming({ operationContext: 'ctx-ms-stop' })
    await media.startTranscription({ locale: 'en-US', operationContext: 'ctx-tx' })
    await eventually(async () => {
      const p = await connection.getCallConnectionProperties()
      return p.transcriptionSubscription?.state === 'active'
    })
    await media.updateTranscription('es-ES')
    await media.stopTranscription({ operationContext: 'ctx-tx-stop' })
  })

  test('media streaming without configuration is refused with 405/8522', async () => {
    const c = client(service.connectionString)
    const { connection } = await connectedCall(c, [pstn(12)])
    await refused(connection.getCallMedia().startMediaStreaming(), 405, '8522')
    await refused(connection.getCallMedia().startTranscription({ locale: 'en-US' }), 405, '8522')
  })

  test('participants: add, cancel add, mute, remove, transfer', async () => {
    const c = client(service.connectionString)
    const { id, connection } = await connectedCall(c, [pstn(13), user('mute-me')])
    const added = await connection.addParticipant(
      { targetParticipant: pstn(14), sourceCallIdNumber: { phoneNumber: '+18005550100' } },
      { invitationTimeoutInSeconds: 30, operationContext: 'ctx-add' },
    )
    expect(added.invitationId).toMatch(/^[0-9a-f-]{36}$/)
    expect(added.operationContext).toBe('ctx-add')
    await eventually(async () =>
      (await eventTypes(service.store, id)).includes('AddParticipantSucceeded'),
    )
    await refused(connection.cancelAddParticipantOperation(added.invitationId ?? ''), 404, '8522')
    const never = await connection.addParticipant({ targetParticipant: user('never-answers') })
    const canceled = await connection.cancelAddParticipantOperation(never.invitationId ?? '', {
      operationContext: 'ctx-cancel',
    })
    expect(canceled).toMatchObject({
      invitationId: never.invitationId,
      operationContext: 'ctx-cancel',
    })
    const muted = await connection.muteParticipant(user('mute-me'), {
      operationContext: 'ctx-mute',
    })
    expect(muted.operationContext).toBe('ctx-mute')
    await refused(connection.muteParticipant(pstn(13)), 400, '8523')
    const removed = await connection.removeParticipant(pstn(14), { operationContext: 'ctx-rm' })
    expect(removed.operationContext).toBe('ctx-rm')
    const transfer = await connection.transferCallToParticipant(pstn(15), {
      operationContext: 'ctx-transfer',
    })
    expect(transfer.operationContext).toBe('ctx-transfer')
  })

  test('hang up (DELETE) and terminate: 204, then the call is gone', async () => {
    const c = client(service.connectionString)
    const a = await connectedCall(c, [pstn(16)])
    await a.connection.hangUp(false)
    const b = await connectedCall(c, [pstn(17)])
    await b.connection.hangUp(true)
    await eventually(async () =>
      (await eventTypes(service.store, b.id)).includes('CallDisconnected'),
    )
    await refused(
      b.connection.getCallMedia().playToAll([{ kind: 'fileSource', url: 'https://m/a.wav' }]),
      400,
      '8528',
    )
  })

  test('incoming calls: answer, reject, redirect; an unknown or used context is 404/8522', async () => {
    const c = client(service.connectionString)
    const incoming = world.incoming()
    const register = (context: string) =>
      Effect.runPromise(
        incoming.register({
          incomingCallContext: context,
          from: Identifier.phoneNumber('+14255550900'),
          to: Identifier.communicationUser('8:acs:app-line'),
          serverCallId: `server-${context}`,
          correlationId: `corr-${context}`,
          at: Date.now(),
        }),
      )
    await register(`ctx-answer-${kind}`)
    const answered = await c.answerCall(`ctx-answer-${kind}`, callback, {
      operationContext: 'ctx-a',
    })
    expect(answered.callConnectionProperties.callConnectionId).toBeTruthy()
    expect(answered.callConnectionProperties.correlationId).toBe(`corr-ctx-answer-${kind}`)
    await eventually(async () => {
      const p = await answered.callConnection.getCallConnectionProperties()
      return p.callConnectionState === 'connected'
    })
    await refused(c.answerCall(`ctx-answer-${kind}`, callback), 404, '8522')
    await register(`ctx-reject-${kind}`)
    await c.rejectCall(`ctx-reject-${kind}`, { callRejectReason: 'busy' })
    await refused(c.rejectCall(`ctx-reject-${kind}`), 404, '8522')
    await register(`ctx-redirect-${kind}`)
    await c.redirectCall(`ctx-redirect-${kind}`, { targetParticipant: pstn(20) })
    await refused(
      c.redirectCall(`ctx-redirect-${kind}`, { targetParticipant: pstn(20) }),
      404,
      '8522',
    )
    await refused(c.answerCall('never-registered', callback), 404, '8522')
  })

  test('a malformed body is refused with 400/8523 naming the field', async () => {
    const c = client(service.connectionString)
    const { connection } = await connectedCall(c, [pstn(21)])
    await refused(
      connection
        .getCallMedia()
        .play([], [pstn(21)])
        .then(() => undefined),
      400,
      '8523',
    )
  })
}

describe('the official SDK against the service on PGlite', () => {
  suite('pglite', () => true)
})

let pgUp = false
describe('the official SDK against the service on PostgreSQL', () => {
  beforeAll(async () => {
    pgUp = await Harness.postgresReachable()
  })
  suite('postgres', () => pgUp)
})
