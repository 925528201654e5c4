import { describe, expect, it } from 'vitest'
import { Effect, TestClock } from 'effect'
import type { Event } from '@switchboard/core'
import { Pipeline } from '@switchboard/runtime'
import { alice, bob, callId, callbacks, createCall, raw, request, run, tags } from './Harness.js'

const connect = (targets = [alice]) =>
  Effect.gen(function* () {
    const pipeline = yield* Pipeline.Pipeline
    yield* pipeline.command(callId(), createCall(callId(), targets))
    yield* TestClock.adjust(500)
    const { state } = yield* pipeline.load(callId())
    expect(state.status).toBe('connected')
    return pipeline
  })

describe('whole calls on the test clock', () => {
  it('DTMF sent to a phone is detected from the audio and logged by the phone, in order', async () => {
    const result = await run(
      Effect.gen(function* () {
        const pipeline = yield* connect()
        yield* pipeline.command(callId(), {
          _tag: 'SendDtmfTones',
          target: alice,
          tones: ['one', 'two', 'three', 'pound', 'asterisk', 'zero'],
        })
        // half-way: only the first digits have been heard
        yield* TestClock.adjust(450)
        const early = yield* request('simulator.phone.get', { rawId: raw(alice) })
        yield* TestClock.adjust(2_000)
        const late = yield* request('simulator.phone.get', { rawId: raw(alice) })
        return { early, late, events: yield* callbacks(callId()) }
      }),
    )
    expect(result.late.status).toBe(200)
    const heard = result.late.body.heardTones as Array<{ tone: string; key: string; at: string }>
    expect(heard.map((h) => h.key).join('')).toBe('123#*0')
    expect(heard.map((h) => h.tone)).toEqual(['one', 'two', 'three', 'pound', 'asterisk', 'zero'])
    // times rise
    const times = heard.map((h) => Date.parse(h.at))
    expect(times).toEqual([...times].sort((a, b) => a - b))
    expect(result.early.body.heardTones.length).toBeLessThan(6)
    expect(result.early.body.heardTones.length).toBeGreaterThan(0)
    expect(tags(result.events)).toContain('SendDtmfTonesCompleted')
    expect(result.late.body.calls).toEqual([
      expect.objectContaining({ callConnectionId: 'call-1', status: 'connected', onHold: false }),
    ])
  })

  it('a phone that hangs up while tones are sent hears no more of them; the send fails', async () => {
    const result = await run(
      Effect.gen(function* () {
        const pipeline = yield* connect([alice, bob])
        yield* pipeline.command(callId(), {
          _tag: 'SendDtmfTones',
          target: alice,
          tones: ['one', 'two', 'three', 'four'],
        })
        yield* TestClock.adjust(250)
        const hungUp = yield* request('simulator.hangup', {
          callConnectionId: 'call-1',
          rawId: raw(alice),
        })
        expect(hungUp.status).toBe(200)
        yield* TestClock.adjust(2_000)
        return {
          phone: yield* request('simulator.phone.get', { rawId: raw(alice) }),
          events: yield* callbacks(callId()),
        }
      }),
    )
    expect(result.phone.body.heardTones.map((h: { key: string }) => h.key)).toEqual(['1'])
    expect(result.phone.body.calls[0].status).toBe('left')
    expect(tags(result.events)).toContain('SendDtmfTonesFailed')
    expect(tags(result.events)).not.toContain('SendDtmfTonesCompleted')
  })

  it('keys pressed by the phone arrive as ToneReceived callbacks with sequence ids 1, 2, 3', async () => {
    const events = await run(
      Effect.gen(function* () {
        const pipeline = yield* connect()
        yield* pipeline.command(callId(), { _tag: 'StartContinuousDtmfRecognition', target: alice })
        const pressed = yield* request(
          'simulator.dtmf',
          { callConnectionId: 'call-1', rawId: raw(alice) },
          { tones: ['one', 'two', '#'] },
        )
        expect(pressed.status).toBe(202)
        expect(pressed.body.detected.map((d: { tone: string }) => d.tone)).toEqual([
          'one',
          'two',
          'pound',
        ])
        yield* TestClock.adjust(2_000)
        // a second burst continues the numbering
        yield* request(
          'simulator.dtmf',
          { callConnectionId: 'call-1', rawId: raw(alice) },
          { tones: ['nine'], toneMs: 60, gapMs: 60 },
        )
        yield* TestClock.adjust(1_000)
        return yield* callbacks(callId())
      }),
    )
    const received = events.filter(
      (e): e is Event.ContinuousDtmfRecognitionToneReceived =>
        e._tag === 'ContinuousDtmfRecognitionToneReceived',
    )
    expect(received.map((e) => [e.sequenceId, e.tone])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'pound'],
      [4, 'nine'],
    ])
  })

  it('a recognize with max tones and a stop tone completes with the tones before the stop tone', async () => {
    const events = await run(
      Effect.gen(function* () {
        const pipeline = yield* connect()
        yield* pipeline.command(callId(), {
          _tag: 'Recognize',
          inputType: 'dtmf',
          target: alice,
          prompts: [],
          interruptPrompt: false,
          initialSilenceTimeoutMs: 5_000,
          dtmf: { interToneTimeoutMs: 2_000, maxTonesToCollect: 5, stopTones: ['pound'] },
          interrupt: false,
        })
        yield* request(
          'simulator.dtmf',
          { callConnectionId: 'call-1', rawId: raw(alice) },
          { tones: ['four', 'two', 'pound', 'seven'] },
        )
        yield* TestClock.adjust(3_000)
        return yield* callbacks(callId())
      }),
    )
    const done = events.find((e): e is Event.RecognizeCompleted => e._tag === 'RecognizeCompleted')
    expect(done?.dtmfResult?.tones.filter((t) => t !== 'pound')).toEqual(['four', 'two'])
    expect(done?.resultInformation?.subCode).toBe(8514)
  })

  it('a recognize with max tones completes when the last tone arrives', async () => {
    const events = await run(
      Effect.gen(function* () {
        const pipeline = yield* connect()
        yield* pipeline.command(callId(), {
          _tag: 'Recognize',
          inputType: 'dtmf',
          target: alice,
          prompts: [],
          interruptPrompt: false,
          initialSilenceTimeoutMs: 5_000,
          dtmf: { interToneTimeoutMs: 2_000, maxTonesToCollect: 3, stopTones: ['pound'] },
          interrupt: false,
        })
        yield* request(
          'simulator.dtmf',
          { callConnectionId: 'call-1', rawId: raw(alice) },
          { tones: ['1', '2', '3', '4'] },
        )
        yield* TestClock.adjust(3_000)
        return yield* callbacks(callId())
      }),
    )
    const done = events.find((e): e is Event.RecognizeCompleted => e._tag === 'RecognizeCompleted')
    expect(done?.dtmfResult?.tones).toEqual(['one', 'two', 'three'])
    expect(done?.resultInformation?.subCode).toBe(8531)
  })

  it('hold music reaches the held party only, and a play to everyone skips the held party', async () => {
    const result = await run(
      Effect.gen(function* () {
        const pipeline = yield* connect([alice, bob])
        yield* pipeline.command(callId(), {
          _tag: 'Hold',
          target: alice,
          playSource: { _tag: 'Text', text: 'Please hold, your call is important to us.' },
        })
        yield* TestClock.adjust(100)
        yield* pipeline.command(callId(), {
          _tag: 'PlayToAll',
          sources: [{ _tag: 'Text', text: 'Hello everyone' }],
          loop: false,
          interrupt: false,
        })
        yield* TestClock.adjust(3_000)
        const aliceOnHold = yield* request('simulator.phone.get', { rawId: raw(alice) })
        yield* pipeline.command(callId(), { _tag: 'Unhold', target: alice })
        yield* TestClock.adjust(100)
        const aliceAfter = yield* request('simulator.phone.get', { rawId: raw(alice) })
        const bobView = yield* request('simulator.phone.get', { rawId: raw(bob) })
        return { aliceOnHold, aliceAfter, bobView, events: yield* callbacks(callId()) }
      }),
    )
    const alicePlayed = result.aliceAfter.body.played as Array<{ kind: string; status: string }>
    const bobPlayed = result.bobView.body.played as Array<{ kind: string; sources: Array<string> }>
    expect(result.aliceOnHold.body.calls[0].onHold).toBe(true)
    expect(result.aliceAfter.body.calls[0].onHold).toBe(false)
    expect(alicePlayed.map((p) => p.kind)).toEqual(['holdMusic'])
    expect(alicePlayed[0]?.status).toBe('stopped')
    expect(bobPlayed.map((p) => p.kind)).toEqual(['play'])
    expect(bobPlayed[0]?.sources).toEqual(['Hello everyone'])
    expect(tags(result.events)).toContain('PlayCompleted')
  })
})
