/**
 * Property tests of the named invariants of the core (issue 2). Each test plays generated whole-call
 * scenarios (see `Arbitraries.ts`) and checks one invariant at every step.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Command, Event, Instant as InstantT, Signal } from '../src/index.js'
import {
  decide,
  evolve,
  expire,
  initial,
  nextDeadline,
  observe,
  replay,
  Event as Ev,
  Ids,
  Instant,
  Rejection,
  State,
  Tone,
  ToneSequence,
} from '../src/index.js'
import {
  arbGarbageCommand,
  arbGarbageEvent,
  arbGarbageSignal,
  arbScenario,
  app,
  arbTone,
  createCall,
  pstn,
  run,
} from './Arbitraries.js'
import type { Step, Trace } from './Arbitraries.js'

/** Heavy properties: one whole scenario (up to 40 steps plus setup) per run. */
const heavy = { numRuns: 300 }

const scenarios = arbScenario()

const opIdOf = (e: Event.Event): string | undefined =>
  'operationId' in e && typeof e.operationId === 'string' ? e.operationId : undefined

const catchAll = 'Invalid request: the command is malformed.'

const subKinds: ReadonlySet<string> = new Set(['PlayTo', 'RecognizeGroup', 'SendDtmf'])
const mainKinds: ReadonlySet<string> = new Set(['PlayToAll', 'RecognizeNonGroup'])

// generous guard against a loaded machine: the properties are not timed, only bounded
describe('core invariants', { timeout: 60_000 }, () => {
  it('replay of the recorded events equals the live state', () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const trace = run(scenario)
        // step by step: the state carried along is the fold of every event so far
        let folded: State.State = initial
        let count = 0
        for (const step of trace.steps) {
          for (const e of step.decision?.events ?? []) folded = evolve(folded, e)
          count += step.decision?.events.length ?? 0
          expect(folded).toEqual(step.after)
          expect(step.after.version).toBe(count)
          // the state a decision hands back (the one its logic worked on) is the fold of its events
          if (step.decision?.state !== undefined) expect(step.decision.state).toEqual(step.after)
        }
        // in one go, and from the events as persisted (JSON), as a store would give them back
        expect(replay(trace.events)).toEqual(trace.final)
        const persisted = JSON.parse(JSON.stringify(trace.events)) as ReadonlyArray<Event.Event>
        expect(replay(persisted)).toEqual(trace.final)
        // the state itself is plain data: it survives JSON unchanged
        expect(JSON.parse(JSON.stringify(trace.final))).toStrictEqual(trace.final)
      }),
      heavy,
    )
  })

  it('a rejection changes nothing and emits nothing', () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const trace = run(scenario)
        for (const step of trace.steps) {
          if (step.input._tag !== 'Decide') continue
          const again = decide(step.before, step.input.command, { now: step.now })
          if (step.rejection === null) {
            // deterministic: the same state, command and instant give the same decision
            expect(again).toEqual({ _tag: 'Right', right: step.decision })
            continue
          }
          // the core was handed a deeply frozen state: nothing was written to it
          expect(step.after).toBe(step.before)
          // a well-typed command is never refused by the catch-all (that means decide threw)
          expect(step.rejection.message).not.toBe(catchAll)
          // the refusal carries the status and code of its rule, and is deterministic
          const info = Rejection.catalogue[step.rejection.rule]
          expect([step.rejection.status, step.rejection.code]).toEqual([info.status, info.code])
          expect(again).toEqual({ _tag: 'Left', left: step.rejection })
          // the same refusal on an unfrozen copy: the answer does not depend on freezing
          const copy = structuredClone(step.before)
          const onCopy = decide(copy, structuredClone(step.input.command), { now: step.now })
          expect(onCopy).toEqual(again)
          expect(copy).toEqual(step.before)
        }
      }),
      heavy,
    )
  })

  it('observe and expire on frozen states decide exactly as on unfrozen copies', () => {
    // observe swallows internal errors into the empty decision: a write to its (frozen) input
    // state would show up here as a difference with the unfrozen copy
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const trace = run(scenario)
        for (const step of trace.steps) {
          if (step.input._tag === 'Decide') continue
          const copy = structuredClone(step.before)
          const onCopy =
            step.input._tag === 'Observe'
              ? observe(copy, structuredClone(step.input.signal), { now: step.now })
              : expire(copy, step.now)
          expect(onCopy).toEqual(step.decision)
          expect(copy).toEqual(step.before)
        }
      }),
      heavy,
    )
  })

  it('every accepted operation ends in exactly one terminal event', () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const trace = run(scenario)
        expect(['disconnected', 'none']).toContain(trace.final.status)
        const accepted: Array<string> = []
        const terminals = new Map<string, number>()
        const started: Array<string> = []
        const stopped = new Map<string, number>()
        for (const e of trace.events) {
          if (e._tag === 'OperationAccepted') {
            expect(accepted).not.toContain(e.operation.id)
            expect(terminals.has(e.operation.id)).toBe(false)
            accepted.push(e.operation.id)
          } else if (Ev.isTerminal(e)) {
            const id = opIdOf(e)
            expect(id).toBeDefined()
            // a terminal event ends an operation that was accepted before
            expect(accepted).toContain(id)
            terminals.set(id!, (terminals.get(id!) ?? 0) + 1)
          } else if (e._tag === 'ContinuousDtmfRecognitionStarted') {
            expect(started).not.toContain(e.operationId)
            started.push(e.operationId)
          } else if (e._tag === 'ContinuousDtmfRecognitionStopped') {
            const id = opIdOf(e)
            expect(started).toContain(id)
            stopped.set(id!, (stopped.get(id!) ?? 0) + 1)
          }
        }
        for (const id of accepted)
          expect({ id, terminals: terminals.get(id) ?? 0 }).toEqual({
            id,
            terminals: 1,
          })
        for (const id of started)
          expect({ id, stopped: stopped.get(id) ?? 0 }).toEqual({
            id,
            stopped: 1,
          })
        expect(trace.final.main).toEqual([])
        expect(trace.final.sub).toBeNull()
        expect(trace.final.continuous).toEqual([])
      }),
      heavy,
    )
  })

  it('a duplicate signal is a no-op', () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const trace = run(scenario)
        for (const step of trace.steps) {
          if (step.input._tag !== 'Observe') continue
          const twice = observe(step.after, step.input.signal, { now: step.now })
          expect({
            signal: step.input.signal,
            events: twice.events,
            instructions: twice.instructions,
          }).toEqual({
            signal: step.input.signal,
            events: [],
            instructions: [],
          })
        }
      }),
      heavy,
    )
  })

  it('never two sub-leg operations at once', () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const trace = run(scenario)
        for (const step of trace.steps) {
          const s = step.after
          expect(s.main.filter((op) => subKinds.has(op.kind))).toEqual([])
          if (s.sub !== null) expect(subKinds.has(s.sub.kind)).toBe(true)
          for (const op of s.main) expect(mainKinds.has(op.kind)).toBe(true)
          // only the head of the main lane runs; the rest wait
          s.main.slice(1).forEach((op) => expect(op.phase).toBe('queued'))
          if (s.sub !== null) expect(s.sub.phase).not.toBe('queued')
        }
        // from the events alone: a sub-leg operation is accepted only when none is open
        let open: string | null = null
        for (const e of trace.events) {
          if (e._tag === 'OperationAccepted' && subKinds.has(e.operation.kind)) {
            expect(open).toBeNull()
            open = e.operation.id
          } else if (Ev.isTerminal(e) && opIdOf(e) === open) open = null
        }
        expect(open).toBeNull()
      }),
      heavy,
    )
  })

  it('sequence ids strictly increase per recognition and callback sequences have no gaps', () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const trace = run(scenario)
        const last = new Map<string, number>()
        for (const e of trace.events) {
          if (e._tag !== 'ContinuousDtmfRecognitionToneReceived') continue
          const id = opIdOf(e)!
          expect(e.sequenceId).toBe((last.get(id) ?? 0) + 1)
          last.set(id, e.sequenceId)
        }
        const sequences: Array<number> = []
        const notified: Array<Event.Event> = []
        for (const step of trace.steps)
          for (const i of step.decision?.instructions ?? [])
            if (i._tag === 'NotifyCallback') {
              sequences.push(i.sequence)
              notified.push(i.event)
            }
        expect(sequences).toEqual(sequences.map((_, i) => i + 1))
        // one callback per callback event, in the order of the events
        expect(notified).toEqual(trace.events.filter(Ev.isCallback))
        expect(trace.final.callbacks).toBe(sequences.length)
        // ParticipantsUpdated sequence numbers rise by one too
        const updates = trace.events.flatMap((e) =>
          e._tag === 'ParticipantsUpdated' ? [e.sequenceNumber] : [],
        )
        expect(updates).toEqual(updates.map((_, i) => i + 1))
      }),
      heavy,
    )
  })

  it('the media of an operation that ends before its audio or tones did is stopped', () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const trace = run(scenario)
        for (const step of trace.steps) {
          const instructions = step.decision?.instructions ?? []
          for (const e of step.decision?.events ?? []) {
            if (!Ev.isTerminal(e)) continue
            const id = opIdOf(e)!
            const op = State.findOperation(step.before, Ids.unsafe.operationId(id))
            if (op === null) continue
            const signal = step.input._tag === 'Observe' ? step.input.signal : null
            const reported =
              signal !== null && 'operationId' in signal && signal.operationId === id
                ? signal._tag
                : null
            if (op.phase === 'starting' || op.phase === 'playing') {
              // the media plane said the audio ended, or its length elapsed: nothing to stop
              if (reported === 'PlaybackFinished' || reported === 'PlaybackFailed') continue
              if (step.input._tag === 'Expire' && op.phase === 'playing') continue
              expect(instructions).toContainEqual({ _tag: 'StopPlayback', operationId: id })
            } else if (op.phase === 'sending') {
              if (reported === 'TonesSent' || reported === 'TonesFailed') continue
              expect(instructions).toContainEqual({ _tag: 'CancelTones', operationId: id })
            }
          }
        }
      }),
      heavy,
    )
  })

  it('expire handles every deadline that is due, and a timer is armed for the next one', () => {
    fc.assert(
      fc.property(scenarios, (scenario) => {
        const trace = run(scenario)
        for (const step of trace.steps) {
          const next = nextDeadline(step.after)
          if (step.input._tag === 'Expire' && next._tag === 'Some')
            expect(next.value).toBeGreaterThan(step.now)
          const before = nextDeadline(step.before)
          const armed = (step.decision?.instructions ?? []).filter((i) => i._tag === 'ArmTimer')
          if (next._tag === 'Some' && (before._tag === 'None' || before.value !== next.value))
            expect(armed).toEqual([{ _tag: 'ArmTimer', at: next.value }])
        }
      }),
      heavy,
    )
  })

  it('decide, observe, expire and evolve never throw, whatever they are given', () => {
    const arbInput = fc.oneof(
      arbGarbageCommand.map((command) => ({ _tag: 'Decide' as const, command })),
      arbGarbageSignal.map((signal) => ({ _tag: 'Observe' as const, signal })),
      arbGarbageEvent.map((event) => ({ _tag: 'Evolve' as const, event })),
      fc
        .oneof(
          fc.constantFrom(NaN, -Infinity, Infinity, -1, 0, 2 ** 53),
          fc.integer({ min: 0, max: 4_000_000 }),
        )
        .map((now) => ({ _tag: 'Expire' as const, now: now as InstantT.Instant })),
    )
    fc.assert(
      fc.property(
        arbScenario({ maxSteps: 15 }),
        fc.array(fc.tuple(fc.nat(), arbInput), { minLength: 1, maxLength: 12 }),
        (scenario, inputs) => {
          const trace: Trace = run(scenario)
          const states = trace.steps.map((s: Step) => s.after)
          for (const [k, input] of inputs) {
            const state = states[k % states.length]!
            const now = Instant.fromMillis(2_000_000)
            switch (input._tag) {
              case 'Decide': {
                const r = decide(state, input.command, { now })
                expect(['Left', 'Right']).toContain(r._tag)
                break
              }
              case 'Observe': {
                const d = observe(state, input.signal, { now })
                expect(Array.isArray(d.events) && Array.isArray(d.instructions)).toBe(true)
                break
              }
              case 'Expire': {
                const d = expire(state, input.now)
                expect(Array.isArray(d.events)).toBe(true)
                break
              }
              case 'Evolve': {
                const next = evolve(state, input.event)
                expect(next.version).toBe(state.version + 1)
                expect(replay([input.event], state)).toEqual(next)
                states.push(next)
                break
              }
            }
          }
        },
      ),
      { numRuns: 400 },
    )
  })

  it('ToneSequence.rebuild gives back the pressed keys in order and reports exactly the dropped ids', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(arbTone, fc.boolean(), fc.nat(3)), { minLength: 0, maxLength: 30 }),
        fc.infiniteStream(fc.nat()),
        (presses, shuffle) => {
          const kept = presses.flatMap(([tone, dropped, copies], i) =>
            dropped ? [] : Array.from({ length: copies + 1 }, () => ({ sequenceId: i + 1, tone })),
          )
          // Fisher–Yates with the generated stream
          const it = shuffle[Symbol.iterator]()
          for (let i = kept.length - 1; i > 0; i--) {
            const j = it.next().value! % (i + 1)
            ;[kept[i], kept[j]] = [kept[j]!, kept[i]!]
          }
          const rebuilt = ToneSequence.rebuild(kept)
          const received = presses
            .map(([tone, dropped], i) => ({ id: i + 1, tone, dropped }))
            .filter((p) => !p.dropped)
          const last = received.length === 0 ? 0 : received[received.length - 1]!.id
          expect(rebuilt.tones).toEqual(received.map((p) => p.tone))
          expect(rebuilt.keys).toBe(Tone.toKeys(received.map((p) => p.tone)))
          expect(rebuilt.last).toBe(last)
          expect(rebuilt.missing).toEqual(
            presses
              .map(([, dropped], i) => ({ id: i + 1, dropped }))
              .filter((p) => p.dropped && p.id < last)
              .map((p) => p.id),
          )
        },
      ),
      { numRuns: 1_000 },
    )
  })
})

describe('regressions found by the properties', () => {
  const pstn1 = pstn(1)
  const at = (ms: number) => ({ now: Instant.fromMillis(ms) })
  const connected = (): State.State => {
    const created = decide(initial, createCall([pstn1], {}), at(0))
    if (created._tag === 'Left') throw new Error(created.left.message)
    const s = replay(created.right.events)
    return replay(observe(s, { _tag: 'PartyAnswered', participant: pstn1 }, at(100)).events, s)
  }
  const accept = (s: State.State, command: Command.Command, ms: number): State.State => {
    const r = decide(s, command, at(ms))
    if (r._tag === 'Left') throw new Error(r.left.message)
    return replay(r.right.events, s)
  }

  it('evolve stays total on events with missing fields', () => {
    const s = connected()
    for (const garbage of [{ _tag: 'CallCreated' }, { _tag: 'OperationStarted' }, null, 7]) {
      const next = evolve(s, garbage as unknown as Event.Event)
      expect({ ...next, version: s.version }).toEqual(s)
      expect(next.version).toBe(s.version + 1)
    }
  })

  it('a duplicate SpeechRecognized does not complete the next queued recognize', () => {
    const recognize: Command.Recognize = {
      _tag: 'Recognize',
      inputType: 'speech',
      target: pstn1,
      prompts: [],
      interruptPrompt: false,
      initialSilenceTimeoutMs: 10_000,
      interrupt: false,
    }
    let s = accept(accept(connected(), recognize, 200), recognize, 210)
    const said: Signal.Signal = {
      _tag: 'SpeechRecognized',
      participant: pstn1,
      text: 'hello',
      confidence: 0.9,
      speechId: 1,
    }
    const first = observe(s, said, at(300))
    expect(first.events.filter(Ev.isTerminal).map((e) => e._tag)).toEqual(['RecognizeCompleted'])
    s = replay(first.events, s)
    expect(s.main.map((op) => op.phase)).toEqual(['listening'])
    expect(observe(s, said, at(300)).events).toEqual([])
    // a new result (higher id) is heard by the second recognize
    const next = observe(s, { ...said, speechId: 2 }, at(400))
    expect(next.events.filter(Ev.isTerminal).map((e) => e._tag)).toEqual(['RecognizeCompleted'])
  })
})

describe('regressions: calls nobody is left on', () => {
  it('an inbound call whose caller hangs up before it is established fails (AnswerFailed)', () => {
    const caller = pstn(1)
    const answered = decide(
      initial,
      { ...createCall([caller], {}), _tag: 'AnswerCall', caller, answeredBy: app },
      { now: Instant.fromMillis(0) },
    )
    if (answered._tag === 'Left') throw new Error(answered.left.message)
    const s = replay(answered.right.events)
    expect(s.status).toBe('connecting')
    for (const signal of [
      { _tag: 'PartyHungUp', participant: caller },
      { _tag: 'PartyDeclined', participant: caller, reason: 'declined' },
    ] as const) {
      const d = observe(s, signal, { now: Instant.fromMillis(100) })
      expect(d.events.map((e) => e._tag)).toEqual(['AnswerFailed'])
      expect(d.instructions.map((i) => i._tag)).toEqual(['DisconnectCall', 'NotifyCallback'])
      const after = replay(d.events, s)
      expect(after.status).toBe('disconnected')
      expect(observe(after, signal, { now: Instant.fromMillis(100) }).events).toEqual([])
    }
  })
})
