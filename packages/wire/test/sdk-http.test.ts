import {
  CallAutomationClient,
  type CallAutomationClientOptions,
  type CallConnection,
} from '@azure/communication-call-automation'
import { isLeft } from 'fp-ts/lib/Either.js'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Instant } from '@switchboard/core'
import { Decision, Identifier, Ids, Rejection, State, decide } from '@switchboard/core'
import { Errors, Responses, ToCommand } from '../src/index.js'

/**
 * The official SDK 1.6.0 against a bare HTTP server that uses only this package: every body the
 * SDK sends must decode (into a core command where there is one), and every answer built from
 * `Responses` / `Errors` must be accepted and parsed by the SDK.
 */

const ids = {
  callConnectionId: Ids.unsafe.callConnectionId('cc-1'),
  serverCallId: Ids.unsafe.serverCallId('srv-1'),
  correlationId: Ids.unsafe.correlationId('corr-1'),
}
const app = Identifier.communicationUser('8:acs:bot')
const pn = { phoneNumber: '+14255550123' }
const user = { communicationUserId: '8:acs:t1' }

interface Seen {
  readonly op: string
  readonly decoded: boolean
  readonly tag?: string
  readonly message?: string
}
const seen: Array<Seen> = []
/** When set, the next request of this operation is refused with this rejection. */
let refuseNext: { op: string; rejection: Rejection.Rejection } | null = null

let state = State.initial

const route = (method: string, path: string): string | null => {
  const p = path.replace(/^\/calling\/callConnections/, '')
  if (method === 'POST' && p === '') return 'createCall'
  if (method === 'POST' && p === ':answer') return 'answerCall'
  const m = /^\/([^/:]+)(\/participants)?(?::(\w+))?(\/.+)?$/.exec(p)
  if (m === null) return null
  const [, , participants, action, one] = m
  if (participants !== undefined) {
    if (method === 'GET') return one !== undefined ? 'getParticipant' : 'getParticipants'
    return (
      {
        add: 'addParticipant',
        remove: 'removeParticipant',
        mute: 'muteParticipant',
        cancelAddParticipant: 'cancelAddParticipant',
      }[action ?? ''] ?? null
    )
  }
  if (method === 'GET') return 'getCall'
  if (method === 'DELETE') return 'hangUp'
  return action ?? null
}

const bodyOf = (op: Responses.Operation, json: unknown): unknown => {
  const j = (json ?? {}) as { operationContext?: string; invitationId?: string }
  switch (Responses.table[op].body) {
    case 'callConnectionProperties':
      return Responses.callConnectionProperties(state)
    case 'operationContext':
      return Responses.operationContext(j.operationContext)
    case 'participants':
      return Responses.participants(state.participants)
    case 'participant':
      return Responses.participant({
        identifier: Identifier.phoneNumber('+14255550123'),
        isMuted: false,
        isOnHold: true,
      })
    case 'addParticipant':
      return Responses.addParticipant(
        Identifier.phoneNumber('+14255550199'),
        Ids.unsafe.invitationId('inv-1'),
        j.operationContext,
      )
    case 'cancelAddParticipant':
      return Responses.cancelAddParticipant(
        Ids.unsafe.invitationId(j.invitationId ?? ''),
        j.operationContext,
      )
    default:
      return undefined
  }
}

const handle = (req: IncomingMessage, res: ServerResponse, raw: string) => {
  const url = new URL(req.url ?? '/', 'http://x')
  const op = route(req.method ?? '', url.pathname) as Responses.Operation | null
  const json: unknown = raw.length > 0 ? JSON.parse(raw) : undefined
  if (op === null || !(op in Responses.table)) {
    const e = Errors.make(404, '8522', 'Not found.')
    res.writeHead(e.status, { 'content-type': 'application/json' }).end(Errors.encode(e.body))
    return
  }
  if ((ToCommand.operations as ReadonlyArray<string>).includes(op)) {
    const r = ToCommand.decode(op as ToCommand.OperationName, json, {
      ...ids,
      app,
      caller: Identifier.phoneNumber('+14255550123'),
      invitationId: Ids.unsafe.invitationId('inv-1'),
    })
    seen.push(
      isLeft(r)
        ? { op, decoded: false, message: r.left.message }
        : { op, decoded: true, tag: r.right._tag },
    )
  } else seen.push({ op, decoded: true })
  if (refuseNext !== null && refuseNext.op === op) {
    const e = Errors.fromRejection(refuseNext.rejection)
    refuseNext = null
    res.writeHead(e.status, { 'content-type': 'application/json' }).end(Errors.encode(e.body))
    return
  }
  const body = bodyOf(op, json)
  if (body === undefined) res.writeHead(Responses.status[op], { 'content-length': '0' }).end()
  else
    res
      .writeHead(Responses.status[op], { 'content-type': 'application/json; charset=utf-8' })
      .end(JSON.stringify(body))
}

let server: Server
let client: CallAutomationClient
let call: CallConnection

beforeAll(async () => {
  const created = ToCommand.createCall(
    {
      targets: [
        { kind: 'communicationUser', rawId: '8:acs:t1', communicationUser: { id: '8:acs:t1' } },
      ],
      callbackUri: 'https://cb.example/cb',
    },
    { ...ids, app },
  )
  if (isLeft(created)) throw new Error(created.left.message)
  const d = decide(State.initial, created.right, { now: 1_700_000_000_000 as Instant.Instant })
  if (isLeft(d)) throw new Error(d.left.message)
  state = Decision.after(State.initial, d.right)

  server = createServer((req, res) => {
    let raw = ''
    req.setEncoding('utf8')
    req.on('data', (c: string) => (raw += c))
    req.on('end', () => handle(req, res, raw))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  client = new CallAutomationClient(
    `endpoint=http://127.0.0.1:${port}/;accesskey=${Buffer.from('k').toString('base64')}`,
    {
      allowInsecureConnection: true,
      retryOptions: { maxRetries: 0 },
    } as CallAutomationClientOptions,
  )
  call = client.getCallConnection('cc-1')
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
})

const last = () => seen[seen.length - 1]!

describe('SDK 1.6.0 over HTTP against wire-built answers', () => {
  it('createCall: 201 + CallConnectionProperties', async () => {
    const r = await client.createCall({ targetParticipant: user }, 'https://cb.example/cb', {
      operationContext: 'ctx',
    })
    expect(last()).toEqual({ op: 'createCall', decoded: true, tag: 'CreateCall' })
    expect(r.callConnectionProperties.callConnectionId).toBe('cc-1')
    expect(r.callConnectionProperties.serverCallId).toBe('srv-1')
    expect(r.callConnectionProperties.correlationId).toBe('corr-1')
    expect(r.callConnectionProperties.callConnectionState).toBe('connecting')
    // the SDK passes the generated model's `callbackUri` through (its typed `callbackUrl` stays empty)
    expect((r.callConnectionProperties as unknown as { callbackUri: string }).callbackUri).toBe(
      'https://cb.example/cb',
    )
    expect(r.callConnectionProperties.source).toEqual({ communicationUserId: '8:acs:bot' })
  })

  it('getCallConnectionProperties: 200', async () => {
    const p = await call.getCallConnectionProperties()
    expect(p.callConnectionId).toBe('cc-1')
    expect(p.targetParticipants).toEqual([user])
  })

  it('media operations: statuses accepted, bodies decode into commands', async () => {
    const media = call.getCallMedia()
    await media.playToAll([{ kind: 'fileSource', url: 'https://media.example/a.wav' }], {
      operationContext: 'p',
    })
    expect(last()).toEqual({ op: 'play', decoded: true, tag: 'PlayToAll' })
    await media.play([{ kind: 'textSource', text: 'Hi', voiceName: 'en-US-NancyNeural' }], [pn])
    expect(last()).toEqual({ op: 'play', decoded: true, tag: 'PlayTo' })
    await media.startRecognizing(pn, {
      kind: 'callMediaRecognizeDtmfOptions',
      maxTonesToCollect: 4,
      interToneTimeoutInSeconds: 3,
      stopDtmfTones: ['pound'],
    } as never)
    expect(last()).toEqual({ op: 'recognize', decoded: true, tag: 'Recognize' })
    const sent = await media.sendDtmfTones(['one', 'two', 'pound'], pn, { operationContext: 'd' })
    expect(last()).toEqual({ op: 'sendDtmfTones', decoded: true, tag: 'SendDtmfTones' })
    expect(sent.operationContext).toBe('d')
    await media.startContinuousDtmfRecognition(pn)
    await media.stopContinuousDtmfRecognition(pn)
    await media.hold(pn, {
      playSource: { kind: 'fileSource', url: 'https://media.example/hold.wav' },
    })
    await media.unhold(pn)
    await media.startMediaStreaming()
    await media.stopMediaStreaming()
    await media.startTranscription({ locale: 'en-US' })
    await media.updateTranscription('es-ES')
    await media.stopTranscription()
    await media.cancelAllOperations()
    expect(seen.every((s) => s.decoded)).toBe(true)
  })

  it('participant operations', async () => {
    const list = await call.listParticipants()
    expect(list.values).toEqual([])
    const one = await call.getParticipant(pn)
    expect(one.isOnHold).toBe(true)
    expect(one.identifier).toMatchObject({ phoneNumber: '+14255550123' })
    const added = await call.addParticipant(
      { targetParticipant: { phoneNumber: '+14255550199' } },
      { operationContext: 'a' },
    )
    expect(added.invitationId).toBe('inv-1')
    expect(added.operationContext).toBe('a')
    expect(added.participant?.identifier).toMatchObject({ phoneNumber: '+14255550199' })
    await call.removeParticipant(pn)
    const muted = await call.muteParticipant(user, { operationContext: 'm' })
    expect(muted.operationContext).toBe('m')
    const canceled = await call.cancelAddParticipantOperation('inv-1')
    expect(canceled.invitationId).toBe('inv-1')
    await call.transferCallToParticipant(pn, { transferee: user })
    await call.hangUp(false)
    await call.hangUp(true)
    expect(seen.filter((s) => !s.decoded)).toEqual([])
  })

  it('a rejection reaches the app as a RestError with status and subcode', async () => {
    refuseNext = {
      op: 'sendDtmfTones',
      rejection: Rejection.make(
        'incompatibleMediaOperation',
        'Precondition failed: SendDTMF while PlayTo runs.',
      ),
    }
    const err = await call
      .getCallMedia()
      .sendDtmfTones(['one'], pn)
      .then(
        () => null,
        (e: unknown) => e as { name: string; statusCode: number; code: string; message: string },
      )
    expect(err).toMatchObject({
      name: 'RestError',
      statusCode: 412,
      code: '8583',
      message: 'Precondition failed: SendDTMF while PlayTo runs.',
    })
  })
})
