import { describe, expect, it } from 'vitest'
import { Deferred, Effect, Either, Fiber, Layer, TestClock, TestContext } from 'effect'
import type { Command, Event, Instruction, Signal } from '@switchboard/core'
import { evolve, Identifier, Ids, initial } from '@switchboard/core'
import { EventStore, Idempotency, Inbox, MemoryStore, Outbox, Timers } from '@switchboard/store'
import type { Services, StoreService } from '@switchboard/store'
import { Store } from '@switchboard/store'
import * as CallbackItem from '../src/CallbackItem.js'
import * as IdSource from '../src/IdSource.js'
import { MediaPlane } from '../src/MediaPlane.js'
import { Pipeline, layer as pipelineLayer } from '../src/Pipeline.js'
import * as Recovery from '../src/Recovery.js'
import * as Scheduler from '../src/Scheduler.js'
import * as Wakeup from '../src/Wakeup.js'
import { scripted } from './World.js'

const alice = Identifier.phoneNumber('+14255550101')
const app = Identifier.communicationUser('8:acs:app')
const callId = Ids.unsafe.callConnectionId('call-1')

const create = {
  _tag: 'CreateCall' as const,
  callConnectionId: callId,
  serverCallId: Ids.unsafe.serverCallId('server-1'),
  correlationId: Ids.unsafe.correlationId('corr-1'),
  callbackUri: 'https://app.example/cb',
  source: app,
  targets: [alice],
}

/** The ports of one store object, as layers: several "processes" can share it. */
const servicesOf = (shared: StoreService) =>
  Layer.mergeAll(
    Layer.succeed(Store, shared),
    Layer.succeed(EventStore, shared.events),
    Layer.succeed(Outbox, shared.outbox),
    Layer.succeed(Timers, shared.timers),
    Layer.succeed(Idempotency, shared.idempotency),
    Layer.succeed(Inbox, shared.inbox),
  )

/** A one-key DTMF recognize nobody answers: it fails after 5 s of initial silence. */
const silentRecognize: Command.Recognize = {
  _tag: 'Recognize',
  inputType: 'dtmf',
  target: alice,
  prompts: [],
  interruptPrompt: false,
  initialSilenceTimeoutMs: 5_000,
  dtmf: { interToneTimeoutMs: 2_000, maxTonesToCollect: 1, stopTones: [] },
  interrupt: false,
}

type Log = Array<{ callId: string; instruction: Instruction.MediaInstruction }>

/** A whole service in memory: store, ids, scripted media plane, timers, on the test clock. */
const world = (log: Log, store: Layer.Layer<Services> = MemoryStore.layer()) => {
  const base = Layer.mergeAll(
    store,
    IdSource.sequential(),
    scripted(log),
    Wakeup.layer,
    Scheduler.layer,
  )
  return Layer.provideMerge(pipelineLayer(), base)
}

type World = ReturnType<typeof world>
type Provided = Layer.Layer.Success<World>

const run = <A, E>(effect: Effect.Effect<A, E, Provided>, layer: World) =>
  Effect.runPromise(effect.pipe(Effect.provide(layer), Effect.provide(TestContext.TestContext)))

const callbacksOf = (items: ReadonlyArray<{ payload: unknown }>) =>
  items.map((i) => CallbackItem.parse(i.payload)).map((c) => `${c?.sequence}:${c?.event._tag}`)

describe('the call pipeline', () => {
  it('runs a whole call on the test clock: connect, send DTMF, callbacks in the outbox in order', async () => {
    const log: Log = []
    const result = await run(
      Effect.gen(function* () {
        const pipeline = yield* Pipeline
        const outbox = yield* Outbox
        yield* pipeline.command(callId, create)
        yield* TestClock.adjust(500)
        const connected = yield* pipeline.load(callId)
        expect(connected.state.status).toBe('connected')
        const accepted = yield* pipeline.command(callId, {
          _tag: 'SendDtmfTones',
          target: alice,
          tones: ['one', 'two', 'three', 'four'],
          operationContext: 'ctx-dtmf',
        })
        expect(accepted.decision.events.map((e) => e._tag)).toEqual(['OperationAccepted'])
        yield* TestClock.adjust(1_000)
        return yield* outbox.pending({ callId: callId as never })
      }),
      world(log),
    )
    expect(callbacksOf(result)).toEqual([
      '1:CallConnected',
      '2:ParticipantsUpdated',
      '3:SendDtmfTonesCompleted',
    ])
    expect(log.map((l) => l.instruction._tag)).toEqual(['Dial', 'SendTones'])
    const ids = result.map((r) => CallbackItem.parse(r.payload)!.eventId)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('a refusal appends nothing and fails with the rejection', async () => {
    const outcome = await run(
      Effect.gen(function* () {
        const pipeline = yield* Pipeline
        yield* pipeline.command(callId, create)
        yield* TestClock.adjust(500)
        const before = yield* pipeline.load(callId)
        const refused = yield* Effect.either(
          pipeline.command(callId, { _tag: 'SendDtmfTones', target: alice, tones: [] }),
        )
        const after = yield* pipeline.load(callId)
        return { refused, before: before.version, after: after.version }
      }),
      world([]),
    )
    expect(Either.isLeft(outcome.refused)).toBe(true)
    if (Either.isLeft(outcome.refused))
      expect(outcome.refused.left).toMatchObject({ _tag: 'Rejection', status: 400, code: '8523' })
    expect(outcome.after).toBe(outcome.before)
  })

  it('deadlines fire from the scheduler: a recognize nobody answers fails with 8510', async () => {
    const items = await run(
      Effect.gen(function* () {
        const pipeline = yield* Pipeline
        const outbox = yield* Outbox
        yield* pipeline.command(callId, create)
        yield* TestClock.adjust(500)
        yield* pipeline.command(callId, silentRecognize)
        yield* TestClock.adjust(4_999)
        const early = callbacksOf(yield* outbox.pending({ callId: callId as never }))
        yield* TestClock.adjust(2)
        return { early, late: callbacksOf(yield* outbox.pending({ callId: callId as never })) }
      }),
      world([]),
    )
    expect(items.early.some((c) => c.endsWith('RecognizeFailed'))).toBe(false)
    expect(items.late.at(-1)).toBe('3:RecognizeFailed')
  })

  it('two pipelines sharing one store never fork the log: conflicts retry from the load', async () => {
    const shared: StoreService = MemoryStore.open()
    const process = () => world([], servicesOf(shared))
    // a connected call, created through the first process
    await run(
      Effect.gen(function* () {
        const pipeline = yield* Pipeline
        yield* pipeline.command(callId, create)
        yield* TestClock.adjust(500)
      }),
      process(),
    )
    // both processes hammer the call's sub slot at once; each round someone frees it again
    const outcomes = await Promise.all(
      [0, 1].map((p) =>
        run(
          Effect.gen(function* () {
            const pipeline = yield* Pipeline
            const results: Array<string> = []
            for (let round = 0; round < 20; round++) {
              const r = yield* Effect.either(
                pipeline.command(
                  callId,
                  p === 0
                    ? { _tag: 'SendDtmfTones', target: alice, tones: ['one'] }
                    : {
                        _tag: 'PlayTo',
                        targets: [alice],
                        sources: [{ _tag: 'File', uri: 'https://x/a.wav' }],
                        loop: false,
                        interrupt: false,
                      },
                ),
              )
              results.push(
                Either.isRight(r) ? 'accepted' : ((r.left as { code?: string }).code ?? 'error'),
              )
              if (round % 3 === 2)
                yield* Effect.either(pipeline.command(callId, { _tag: 'CancelAllMediaOperations' }))
              yield* Effect.yieldNow()
            }
            return results
          }),
          process(),
        ),
      ),
    )
    const all = outcomes.flat()
    expect(all.every((r) => r === 'accepted' || r === '8583')).toBe(true)
    expect(all.filter((r) => r === 'accepted').length).toBeGreaterThan(0)
    // the log has no fork: versions 1..n, and the sub slot never held two operations
    const log = await Effect.runPromise(shared.events.read(callId as never))
    expect(log.map((e) => e.version)).toEqual(log.map((_, i) => i + 1))
    let state = initial
    for (const e of log) {
      const event = e.payload as unknown as Event.Event
      if (event._tag === 'OperationAccepted' && event.operation.kind !== 'PlayToAll')
        expect(state.sub).toBeNull()
      state = evolve(state, event)
    }
  })

  it('a restarted process re-arms the deadlines it finds in the store', async () => {
    const shared: StoreService = MemoryStore.open()
    const storeServices = servicesOf(shared)
    // first process: accepts a recognize, then dies before its deadline
    await run(
      Effect.gen(function* () {
        const pipeline = yield* Pipeline
        yield* pipeline.command(callId, create)
        yield* TestClock.adjust(500)
        yield* pipeline.command(callId, silentRecognize)
      }),
      world([], storeServices),
    )
    // second process, fresh scheduler: recovery re-arms, the clock moves, the recognize fails
    const after = await run(
      Effect.gen(function* () {
        const rearmed = yield* Recovery.rearm
        yield* TestClock.adjust(10_000)
        const pipeline = yield* Pipeline
        return { rearmed, state: (yield* pipeline.load(callId)).state }
      }),
      world([], storeServices),
    )
    expect(after.rearmed).toBe(1)
    expect(after.state.main).toHaveLength(0)
    const pending = await Effect.runPromise(shared.outbox.pending({ callId: callId as never }))
    expect(callbacksOf(pending).at(-1)).toMatch(/RecognizeFailed$/)
  })

  it('signals are folded in the order the media plane reported them', async () => {
    // a media plane that reports a playback's start and end in one breath, many times over
    const instant = Layer.succeed(MediaPlane, {
      execute: (
        _callId: Ids.CallConnectionId,
        instruction: Instruction.MediaInstruction,
        report: (s: Signal.Signal) => void,
      ) =>
        Effect.sync(() => {
          if (instruction._tag === 'Dial')
            for (const participant of instruction.participants)
              report({ _tag: 'PartyAnswered', participant })
          if (instruction._tag === 'StartPlayback') {
            report({
              _tag: 'PlaybackStarted',
              operationId: instruction.operationId,
              durationMs: 10,
            })
            report({ _tag: 'PlaybackFinished', operationId: instruction.operationId })
          }
        }),
    })
    const layer = Layer.provideMerge(
      pipelineLayer(),
      Layer.mergeAll(
        MemoryStore.layer(),
        IdSource.sequential(),
        instant,
        Wakeup.layer,
        Scheduler.layer,
      ),
    )
    const tags = await run(
      Effect.gen(function* () {
        const pipeline = yield* Pipeline
        const outbox = yield* Outbox
        yield* pipeline.command(callId, create)
        yield* TestClock.adjust(10)
        for (let i = 0; i < 20; i++)
          yield* pipeline.command(callId, {
            _tag: 'PlayToAll',
            sources: [{ _tag: 'File', uri: `https://x/${i}.wav` }],
            loop: false,
            interrupt: false,
          })
        yield* TestClock.adjust(1_000)
        return callbacksOf(yield* outbox.pending({ callId: callId as never })).map(
          (c) => c.split(':')[1],
        )
      }),
      layer as never,
    )
    const plays = tags.filter((t) => t !== 'CallConnected' && t !== 'ParticipantsUpdated')
    expect(plays).toEqual(Array.from({ length: 20 }, () => ['PlayStarted', 'PlayCompleted']).flat())
  })

  it('requests to one call are serialized: concurrent commands decide one after the other', async () => {
    const outcome = await run(
      Effect.gen(function* () {
        const pipeline = yield* Pipeline
        yield* pipeline.command(callId, create)
        yield* TestClock.adjust(500)
        // ten SendDtmfTones at once: the sub slot admits one, the others see it taken (8583)
        const results = yield* Effect.forEach(
          Array.from({ length: 10 }, () =>
            pipeline.command(callId, { _tag: 'SendDtmfTones', target: alice, tones: ['one'] }),
          ),
          (c) => Effect.either(c),
          { concurrency: 'unbounded' },
        )
        const log = yield* (yield* EventStore).read(callId as never)
        return { results, log }
      }),
      world([]),
    )
    const codes = outcome.results.map((r) =>
      Either.isRight(r) ? 'accepted' : (r.left as { code?: string }).code,
    )
    expect(codes.filter((c) => c === 'accepted')).toHaveLength(1)
    expect(codes.filter((c) => c === '8583')).toHaveLength(9)
    expect(outcome.log.map((e) => e.version)).toEqual(outcome.log.map((_, i) => i + 1))
  })

  it('calls do not wait for each other: a call whose commit hangs does not hold up another', async () => {
    const shared: StoreService = MemoryStore.open()
    const other = Ids.unsafe.callConnectionId('call-2')
    const outcome = await run(
      Effect.gen(function* () {
        const gate = yield* Deferred.make<void>()
        const entered = yield* Deferred.make<void>()
        let hold = false
        // the store: appends of call-1 wait at the gate once `hold` is set
        const gated = Layer.mergeAll(
          servicesOf(shared),
          Layer.succeed(EventStore, {
            ...shared.events,
            append: (request) =>
              hold && (request.callId as string) === callId
                ? Effect.zipRight(
                    Effect.zipRight(Deferred.succeed(entered, undefined), Deferred.await(gate)),
                    shared.events.append(request),
                  )
                : shared.events.append(request),
          }),
        )
        return yield* Effect.gen(function* () {
          const pipeline = yield* Pipeline
          yield* pipeline.command(callId, create)
          yield* pipeline.command(other, { ...create, callConnectionId: other })
          yield* TestClock.adjust(500)
          hold = true
          const stuck = yield* Effect.fork(
            pipeline.command(callId, { _tag: 'HangUp', forEveryone: false }),
          )
          yield* Deferred.await(entered)
          // call-1's commit is waiting: call-2 decides and commits all the same
          const second = yield* pipeline.command(other, {
            _tag: 'SendDtmfTones',
            target: alice,
            tones: ['one'],
          })
          const stuckBefore = stuck.unsafePoll()
          // a request queued behind it on call-1 and given up on leaves the lock as it was
          const queued = yield* Effect.fork(
            pipeline.command(callId, { _tag: 'SendDtmfTones', target: alice, tones: ['two'] }),
          )
          yield* Effect.yieldNow()
          yield* Fiber.interrupt(queued)
          yield* Deferred.succeed(gate, undefined)
          const first = yield* Fiber.join(stuck)
          hold = false
          const after = yield* pipeline.load(callId)
          return {
            second: second.decision.events.map((e) => e._tag),
            stuckBefore,
            first: first.decision.events.length,
            afterLive: after.state.call !== null && after.version > 0,
          }
        }).pipe(
          Effect.provide(
            Layer.provideMerge(
              pipelineLayer(),
              Layer.mergeAll(
                gated,
                IdSource.sequential(),
                scripted([]),
                Wakeup.layer,
                Scheduler.layer,
              ),
            ),
          ),
        )
      }),
      world([]),
    )
    expect(outcome.second).toEqual(['OperationAccepted'])
    expect(outcome.stuckBefore).toBeNull()
    expect(outcome.first).toBeGreaterThan(0)
    expect(outcome.afterLive).toBe(true)
  })
})
