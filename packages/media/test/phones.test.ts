import { describe, expect, it } from 'vitest'
import { Effect, Option, TestClock } from 'effect'
import type { Event } from '@switchboard/core'
import { Identifier, Ids } from '@switchboard/core'
import { IncomingCalls, Pipeline } from '@switchboard/runtime'
import { EventGrid } from '@switchboard/wire'
import {
  alice,
  app,
  bob,
  callId,
  callbacks,
  createCall,
  httpServer,
  raw,
  request,
  run,
  tags,
  type Loose,
} from './Harness.js'

const carol = Identifier.communicationUser('8:acs:carol')

const behave = (id: Identifier.Identifier, answer: string, answerDelayMs?: number) =>
  request(
    'simulator.phone.set',
    { rawId: raw(id) },
    answerDelayMs === undefined ? { answer } : { answer, answerDelayMs },
  )

const result = (events: ReadonlyArray<Event.CallbackEvent>, tag: string) =>
  (events.find((e) => e._tag === tag) as Loose)?.resultInformation

describe('phone behaviors', () => {
  it('busy and reject end the call attempt with the callee codes, after the answer delay', async () => {
    for (const [answer, subCode] of [
      ['busy', 8539],
      ['reject', 8538],
    ] as const) {
      const events = await run(
        Effect.gen(function* () {
          const pipeline = yield* Pipeline.Pipeline
          const set = yield* behave(alice, answer, 1_000)
          expect(set.status).toBe(200)
          expect(set.body.behavior).toEqual({ answer, answerDelayMs: 1_000 })
          yield* pipeline.command(callId(), createCall(callId(), [alice]))
          yield* TestClock.adjust(900)
          expect(tags(yield* callbacks(callId()))).toEqual([])
          yield* TestClock.adjust(200)
          return yield* callbacks(callId())
        }),
      )
      expect(tags(events)).toEqual(['CreateCallFailed'])
      expect(result(events, 'CreateCallFailed').subCode).toBe(subCode)
    }
  })

  it('a manual phone rings until told to answer; answering a phone that is not ringing is a 409', async () => {
    const out = await run(
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        yield* behave(alice, 'manual')
        yield* pipeline.command(callId(), createCall(callId(), [alice]))
        yield* TestClock.adjust(10_000)
        const ringing = yield* request('simulator.phone.get', { rawId: raw(alice) })
        expect((yield* pipeline.load(callId())).state.status).toBe('connecting')
        const answered = yield* request('simulator.answer', {
          callConnectionId: 'call-1',
          rawId: raw(alice),
        })
        yield* TestClock.adjust(1)
        const again = yield* request('simulator.answer', {
          callConnectionId: 'call-1',
          rawId: raw(alice),
        })
        return { ringing, answered, again, events: yield* callbacks(callId()) }
      }),
    )
    expect(out.ringing.body.calls).toEqual([
      expect.objectContaining({ callConnectionId: 'call-1', status: 'ringing' }),
    ])
    expect(out.answered.status).toBe(200)
    expect(out.again.status).toBe(409)
    expect(out.again.body.error.code).toBe('NotRinging')
    expect(tags(out.events)).toEqual(['CallConnected', 'ParticipantsUpdated'])
  })

  it('a phone that never answers times out with 8541 (ring timeout)', async () => {
    const events = await run(
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        yield* behave(alice, 'noAnswer')
        yield* pipeline.command(callId(), createCall(callId(), [alice]))
        yield* TestClock.adjust(20_001)
        return yield* callbacks(callId())
      }),
      { ringTimeoutMs: 20_000 },
    )
    expect(result(events, 'CreateCallFailed').subCode).toBe(8541)
  })

  it('add participant: a busy user fails the add; an answering one joins', async () => {
    const events = await run(
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        yield* pipeline.command(callId(), createCall(callId(), [alice]))
        yield* TestClock.adjust(500)
        yield* behave(bob, 'busy')
        yield* pipeline.command(callId(), {
          _tag: 'AddParticipant',
          participant: bob,
          invitationId: Ids.unsafe.invitationId('inv-1'),
          invitationTimeoutMs: 30_000,
        })
        yield* pipeline.command(callId(), {
          _tag: 'AddParticipant',
          participant: carol,
          invitationId: Ids.unsafe.invitationId('inv-2'),
          invitationTimeoutMs: 30_000,
        })
        yield* TestClock.adjust(1_000)
        return yield* callbacks(callId())
      }),
    )
    expect(result(events, 'AddParticipantFailed').subCode).toBe(8539)
    expect((events.find((e) => e._tag === 'AddParticipantSucceeded') as Loose).participant).toEqual(
      carol,
    )
  })

  it('hang up: one party leaves, the call goes on; the last one leaves, the call ends', async () => {
    const out = await run(
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        yield* pipeline.command(callId(), createCall(callId(), [alice, bob]))
        yield* TestClock.adjust(500)
        const first = yield* request('simulator.hangup', {
          callConnectionId: 'call-1',
          rawId: raw(bob),
        })
        const middle = (yield* pipeline.load(callId())).state.status
        yield* request('simulator.hangup', { callConnectionId: 'call-1', rawId: raw(alice) })
        const gone = yield* request('simulator.hangup', {
          callConnectionId: 'call-1',
          rawId: raw(alice),
        })
        return {
          first,
          middle,
          gone,
          events: yield* callbacks(callId()),
          bob: yield* request('simulator.phone.get', { rawId: raw(bob) }),
        }
      }),
    )
    expect(out.first.status).toBe(200)
    expect(out.middle).toBe('connected')
    expect(out.gone.status).toBe(404)
    expect(tags(out.events).at(-1)).toBe('CallDisconnected')
    expect(out.bob.body.calls[0].status).toBe('left')
  })

  it('transfer: accepted when the target answers, failed when it is busy', async () => {
    for (const [answer, tag] of [
      ['auto', 'CallTransferAccepted'],
      ['busy', 'CallTransferFailed'],
    ] as const) {
      const events = await run(
        Effect.gen(function* () {
          const pipeline = yield* Pipeline.Pipeline
          yield* pipeline.command(callId(), createCall(callId(), [alice]))
          yield* TestClock.adjust(500)
          yield* behave(carol, answer)
          yield* pipeline.command(callId(), { _tag: 'TransferToParticipant', target: carol })
          yield* TestClock.adjust(1_000)
          return yield* callbacks(callId())
        }),
      )
      expect(tags(events)).toContain(tag)
    }
  })
})

describe('incoming calls', () => {
  it('validates the Event Grid subscription, delivers IncomingCall, and the app answers with the context', async () => {
    const webhook = await httpServer((_req, body, res) => {
      const parsed = EventGrid.decodeBatch(JSON.parse(body))
      const first = parsed._tag === 'Right' ? parsed.right[0] : undefined
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(
        first?._tag === 'SubscriptionValidation'
          ? JSON.stringify(EventGrid.validationResponse(first.validationCode))
          : '',
      )
    })
    try {
      const out = await run(
        Effect.gen(function* () {
          const placed = yield* request(
            'simulator.incomingCall',
            {},
            { from: '+14255550101', to: raw(app) },
          )
          const second = yield* request(
            'simulator.incomingCall',
            {},
            { from: raw(bob), to: raw(app) },
          )
          const incoming = yield* IncomingCalls.IncomingCalls
          const waiting = yield* incoming.resolve(placed.body.incomingCallContext)
          const call = Option.getOrThrow(waiting)
          const pipeline = yield* Pipeline.Pipeline
          yield* pipeline.command(callId(), {
            _tag: 'AnswerCall',
            callConnectionId: callId(),
            serverCallId: Ids.unsafe.serverCallId(call.serverCallId),
            correlationId: Ids.unsafe.correlationId(call.correlationId),
            callbackUri: 'https://app.example/cb',
            caller: call.from,
            answeredBy: call.to,
          })
          yield* TestClock.adjust(100)
          return {
            placed,
            second,
            events: yield* callbacks(callId()),
            phone: yield* request('simulator.phone.get', { rawId: raw(alice) }),
            listed: yield* request('simulator.events', { callConnectionId: 'call-1' }),
          }
        }),
        { eventGrid: { webhookUrl: `${webhook.url}/events` } },
      )
      expect(out.placed.status).toBe(201)
      expect(out.placed.body).toMatchObject({
        from: raw(alice),
        to: raw(app),
        eventGrid: { status: 'delivered' },
      })
      // one handshake, then one event per call
      const kinds = webhook.requests.map((r) => r.headers['aeg-event-type'])
      expect(kinds).toEqual(['SubscriptionValidation', 'Notification', 'Notification'])
      const delivered = EventGrid.decodeBatch(JSON.parse(webhook.requests[1]!.body))
      expect(delivered._tag).toBe('Right')
      if (delivered._tag === 'Right') {
        const event = delivered.right[0]!
        expect(event._tag).toBe('IncomingCall')
        if (event._tag === 'IncomingCall') {
          expect(event.from).toEqual(alice)
          expect(event.data.incomingCallContext).toBe(out.placed.body.incomingCallContext)
          expect(event.data.serverCallId).toBe(out.placed.body.serverCallId)
        }
      }
      expect(tags(out.events)).toEqual(['CallConnected', 'ParticipantsUpdated'])
      expect(out.phone.body.calls).toEqual([
        expect.objectContaining({ callConnectionId: 'call-1', status: 'connected' }),
      ])
      expect(out.listed.status).toBe(200)
      expect(out.listed.body.events.map((e: Loose) => [e.sequence, e.type])).toEqual([
        [1, 'Microsoft.Communication.CallConnected'],
        [2, 'Microsoft.Communication.ParticipantsUpdated'],
      ])
      expect(out.listed.body.events[0].data).toMatchObject({
        callConnectionId: 'call-1',
        serverCallId: out.placed.body.serverCallId,
      })
    } finally {
      await webhook.close()
    }
  })

  it('a webhook that fails the handshake gets no event; the call still waits for the app', async () => {
    const webhook = await httpServer((_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ validationResponse: 'wrong' }))
    })
    try {
      const out = await run(
        Effect.gen(function* () {
          const placed = yield* request(
            'simulator.incomingCall',
            {},
            { from: raw(alice), to: raw(app) },
          )
          const incoming = yield* IncomingCalls.IncomingCalls
          return { placed, waiting: yield* incoming.resolve(placed.body.incomingCallContext) }
        }),
        { eventGrid: { webhookUrl: webhook.url } },
      )
      expect(out.placed.body.eventGrid.status).toBe('failed')
      expect(out.placed.body.eventGrid.message).toMatch(/validation/)
      expect(Option.isSome(out.waiting)).toBe(true)
      expect(webhook.requests).toHaveLength(1)
    } finally {
      await webhook.close()
    }
  })
})
