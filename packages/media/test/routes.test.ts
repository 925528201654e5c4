import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Effect, TestClock } from 'effect'
import { Pipeline } from '@switchboard/runtime'
import { Simulator } from '../src/index.js'
import { alice, bob, callId, createCall, raw, request, run, type Loose } from './Harness.js'

const expectError = (r: { status: number; body: Loose }, status: number, code?: string) => {
  expect(r.status).toBe(status)
  expect(typeof r.body.error.code).toBe('string')
  expect(typeof r.body.error.message).toBe('string')
  expect(r.body.error.message.length).toBeGreaterThan(0)
  if (code !== undefined) expect(r.body.error.code).toBe(code)
}

const connected = Effect.gen(function* () {
  const pipeline = yield* Pipeline.Pipeline
  yield* pipeline.command(callId(), createCall(callId(), [alice]))
  yield* TestClock.adjust(500)
})

const party = (id = alice) => ({ callConnectionId: 'call-1', rawId: raw(id) })

describe('the simulator routes', () => {
  it('are exactly the documented ones, all with simulator auth', () => {
    expect(Simulator.routes.map((r) => `${r.method} ${r.path}`)).toEqual([
      'PUT /simulator/phones/{rawId}',
      'GET /simulator/phones/{rawId}',
      'POST /simulator/calls/{callConnectionId}/participants/{rawId}/dtmf',
      'POST /simulator/calls/{callConnectionId}/participants/{rawId}/speech',
      'POST /simulator/calls/{callConnectionId}/participants/{rawId}/answer',
      'POST /simulator/calls/{callConnectionId}/participants/{rawId}/hangup',
      'POST /simulator/incomingCalls',
      'GET /simulator/calls/{callConnectionId}/events',
    ])
    expect(Simulator.routes.every((r) => r.auth === 'simulator')).toBe(true)
  })

  it('a phone by bare E.164 number is the same phone as by raw id; an unknown phone has the defaults', async () => {
    const out = await run(
      Effect.gen(function* () {
        yield* request('simulator.phone.set', { rawId: '+14255550101' }, { answer: 'manual' })
        return {
          byRaw: yield* request('simulator.phone.get', { rawId: '4:+14255550101' }),
          fresh: yield* request('simulator.phone.get', { rawId: '8:acs:nobody' }),
        }
      }),
    )
    expect(out.byRaw.body.behavior.answer).toBe('manual')
    expect(out.byRaw.body.rawId).toBe('4:+14255550101')
    expect(out.fresh.body).toEqual({
      rawId: '8:acs:nobody',
      behavior: { answer: 'auto', answerDelayMs: 300 },
      calls: [],
      incomingCalls: [],
      heardTones: [],
      played: [],
    })
  })

  it('bad input gets a 4xx in the ACS error shape', async () => {
    await run(
      Effect.gen(function* () {
        yield* connected
        const cases: Array<[string, Record<string, string>, unknown, number, string?]> = [
          ['simulator.phone.set', { rawId: raw(alice) }, { answer: 'sometimes' }, 400],
          [
            'simulator.phone.set',
            { rawId: raw(alice) },
            { answer: 'auto', answerDelayMs: -1 },
            400,
          ],
          [
            'simulator.phone.set',
            { rawId: raw(alice) },
            { answer: 'auto', answerDelayMs: 1.5 },
            400,
          ],
          ['simulator.phone.set', { rawId: raw(alice) }, [], 400],
          ['simulator.phone.set', { rawId: 'nobody' }, { answer: 'auto' }, 400],
          ['simulator.phone.set', { rawId: '8:orgid:teams' }, { answer: 'auto' }, 400],
          ['simulator.phone.get', { rawId: '' }, undefined, 400],
          ['simulator.phone.get', { rawId: '4:12345' }, undefined, 400],
          ['simulator.dtmf', party(), { tones: [] }, 400],
          ['simulator.dtmf', party(), { tones: ['eleven'] }, 400],
          ['simulator.dtmf', party(), { tones: 'one' }, 400],
          ['simulator.dtmf', party(), { tones: ['one'], toneMs: 5 }, 400],
          ['simulator.dtmf', party(), { tones: ['one'], gapMs: 'long' }, 400],
          ['simulator.dtmf', party(), { tones: Array(101).fill('one') }, 400],
          [
            'simulator.dtmf',
            { callConnectionId: 'nope', rawId: raw(alice) },
            { tones: ['one'] },
            404,
            'CallNotFound',
          ],
          ['simulator.dtmf', party(bob), { tones: ['one'] }, 409, 'ParticipantNotConnected'],
          ['simulator.speech', party(), { text: '' }, 400],
          ['simulator.speech', party(), { words: 'hi' }, 400],
          ['simulator.speech', party(), { text: 'x'.repeat(4001) }, 400],
          ['simulator.answer', party(bob), undefined, 409, 'NotRinging'],
          ['simulator.hangup', party(bob), undefined, 404, 'ParticipantNotFound'],
          ['simulator.hangup', { callConnectionId: 'nope', rawId: raw(alice) }, undefined, 404],
          ['simulator.incomingCall', {}, { from: raw(alice) }, 400],
          ['simulator.incomingCall', {}, { from: raw(alice), to: raw(alice) }, 400],
          ['simulator.incomingCall', {}, { from: 42, to: '8:acs:app' }, 400],
          ['simulator.events', { callConnectionId: 'nope' }, undefined, 404, 'CallNotFound'],
          ['simulator.events', { callConnectionId: '' }, undefined, 400],
        ]
        for (const [name, params, body, status, code] of cases) {
          const r = yield* request(name, params, body)
          expectError(r, status, code)
        }
        for (const raw of ['{', 'null', '"text"', '', '{"tones":']) {
          const r = yield* request('simulator.dtmf', party(), undefined, raw)
          expectError(r, 400)
        }
      }),
    )
  })

  it('no body or parameters make a handler fail or answer 5xx', async () => {
    await run(
      Effect.gen(function* () {
        yield* connected
        const samples = fc.sample(
          fc.tuple(
            fc.constantFrom(...Simulator.routes.map((r) => r.name)),
            fc.oneof(fc.string(), fc.constantFrom(raw(alice), '+14255550101', '8:acs:x')),
            fc.oneof(fc.string(), fc.constant('call-1')),
            fc.oneof(
              fc.json(),
              fc.string(),
              fc
                .jsonValue()
                .map((j) => JSON.stringify({ tones: j, text: j, answer: j, from: j, to: j })),
            ),
          ),
          { numRuns: 300, seed: 7 },
        )
        for (const [name, rawId, cc, body] of samples) {
          const r = yield* request(name, { rawId, callConnectionId: cc }, undefined, body)
          expect(r.status).toBeLessThan(500)
        }
      }),
    )
  })
})
