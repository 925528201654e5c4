import type {
  Command,
  Decision,
  Event,
  Ids,
  Instruction,
  Rejection,
  Signal,
} from '@switchboard/core'
import {
  decide,
  Deadline,
  evolve,
  Decision as DecisionModule,
  expire,
  Instant,
  initial,
  Instruction as InstructionModule,
  observe,
  State,
} from '@switchboard/core'
import type { AppendRequest, CallId, Json, NewOutboxItem } from '@switchboard/store'
import {
  EventStore,
  type StoreClosedError,
  type StoreDuplicateError,
  type StoreInputError,
  type StoreUnavailableError,
} from '@switchboard/store'
import { Clock, Context, Data, Effect, Layer, Option, Runtime, RuntimeFlags } from 'effect'
import * as CallbackItem from './CallbackItem.js'
import { IdSource } from './IdSource.js'
import { MediaPlane } from './MediaPlane.js'
import { Scheduler } from './Scheduler.js'
import { Wakeup } from './Wakeup.js'

/** Writers kept colliding on one call (other processes won every time). */
export class ContentionError extends Data.TaggedError('ContentionError')<{
  readonly callId: string
  readonly attempts: number
}> {
  override get message(): string {
    return `call ${this.callId}: gave up after ${this.attempts} version conflicts`
  }
}

export type PipelineError =
  StoreUnavailableError | StoreClosedError | StoreInputError | StoreDuplicateError | ContentionError

/** A command the core accepted, once its events and outbox items are committed. */
export interface Accepted {
  readonly decision: Decision.Decision
  /** The call's state after the command. */
  readonly state: State.State
  /** The call's version after the command. */
  readonly version: number
}

export interface IdempotencyOptions {
  readonly key: string
  readonly requestHash: string
  /** The response to keep with the record: computed from the outcome, before the commit. */
  readonly respond: (accepted: Omit<Accepted, 'version'>) => Json
}

export interface PipelineService {
  /** Decides a caller's request on the call's current state and commits what it decided. */
  readonly command: (
    callId: Ids.CallConnectionId,
    command: Command.Command,
    options?: { readonly idempotency?: IdempotencyOptions },
  ) => Effect.Effect<Accepted, Rejection.Rejection | PipelineError>
  /** Folds a media-plane fact into the call. A signal for an unknown call is ignored. */
  readonly signal: (
    callId: Ids.CallConnectionId,
    signal: Signal.Signal,
  ) => Effect.Effect<void, PipelineError>
  /** Handles the call's due deadlines. */
  readonly expire: (callId: Ids.CallConnectionId) => Effect.Effect<void, PipelineError>
  /** The call's current state and version (version 0: no such call). */
  readonly load: (
    callId: Ids.CallConnectionId,
  ) => Effect.Effect<{ readonly state: State.State; readonly version: number }, PipelineError>
}

export class Pipeline extends Context.Tag('@switchboard/runtime/Pipeline')<
  Pipeline,
  PipelineService
>() {}

export interface PipelineOptions {
  /** How many version conflicts a request retries before it fails (default 50). */
  readonly maxAttempts?: number
  /** How many calls' states are kept in memory (default 10,000). */
  readonly cacheSize?: number
}

interface Cached {
  readonly state: State.State
  readonly version: number
}

/** A call's lock: held or not, and the fibers waiting for it. */
interface Lock {
  held: boolean
  readonly waiters: Array<() => void>
}

// whole milliseconds: the store keeps integer instants (a test clock may stand between two)
const instantOf = (ms: number): Instant.Instant => Instant.fromMillis(Math.floor(ms))

const toNewEvent = (event: Event.Event) => ({
  type: event._tag,
  at: event.at as number,
  payload: event as unknown as Json,
})

/** What one request asks of `run`: the call, how to decide on its state, the idempotency record. */
interface Job<E> {
  readonly callId: Ids.CallConnectionId
  readonly step: (state: State.State, now: Instant.Instant) => Outcome<E>
  readonly idempotency: IdempotencyOptions | undefined
}

type Outcome<E> =
  | { readonly _tag: 'decided'; readonly decision: Decision.Decision }
  | { readonly _tag: 'refused'; readonly error: E }

export const make = (options: PipelineOptions = {}) =>
  Effect.gen(function* () {
    const events = yield* EventStore
    const ids = yield* IdSource
    const media = yield* MediaPlane
    const wakeup = yield* Wakeup
    const scheduler = yield* Scheduler
    const runtime = yield* Effect.runtime<never>()
    // media dispatches and signal drains: without Effect's fiber metrics (nobody reads them)
    const runFork = Runtime.runFork(
      Runtime.disableRuntimeFlag(runtime, RuntimeFlags.RuntimeMetrics),
    )
    const maxAttempts = options.maxAttempts ?? 50
    const cacheSize = options.cacheSize ?? 10_000
    const cache = new Map<string, Cached>()
    const locks = new Map<string, Lock>()

    const remember = (callId: string, entry: Cached) => {
      cache.delete(callId)
      cache.set(callId, entry)
      if (cache.size > cacheSize) {
        const oldest = cache.keys().next()
        if (oldest.done !== true) cache.delete(oldest.value)
      }
    }

    /** The call's state: the cached fold plus the events other writers appended since. */
    const load = (callId: Ids.CallConnectionId) =>
      Effect.gen(function* () {
        const known = cache.get(callId) ?? { state: initial, version: 0 }
        const newer = yield* events.read(callId as unknown as CallId, {
          fromVersion: known.version + 1,
        })
        if (newer.length === 0) return known
        let state = known.state
        for (const e of newer) state = evolve(state, e.payload as unknown as Event.Event)
        const fresh = { state, version: known.version + newer.length }
        remember(callId, fresh)
        return fresh
      })

    /**
     * One attempt: load, decide, append. The first attempt decides on the cached fold without
     * reading the store: if another process wrote the call meanwhile, the append's expected
     * version fails with a conflict, the cache is dropped and the next attempt reads. A refusal
     * or a decision with nothing to record appends nothing, so nothing would catch a stale cache:
     * those are checked against the store before they are answered.
     *
     * Written as a chain of effects rather than a generator (this is the path of every request):
     * with a warm cache and a store that answers at once, a request runs to its end in the
     * fiber's first turn.
     */
    const run = <E>(
      callId: Ids.CallConnectionId,
      step: (state: State.State, now: Instant.Instant) => Outcome<E>,
      idempotency: IdempotencyOptions | undefined,
    ): Effect.Effect<Option.Option<Accepted>, E | PipelineError> =>
      attempt({ callId, step, idempotency }, 1)

    const attempt = <E>(
      job: Job<E>,
      n: number,
    ): Effect.Effect<Option.Option<Accepted>, E | PipelineError> =>
      Effect.suspend(() => {
        const cached = n === 1 ? cache.get(job.callId) : undefined
        if (cached !== undefined)
          return Effect.flatMap(Clock.currentTimeMillis, (ms) => {
            const now = instantOf(ms)
            const outcome = job.step(cached.state, now)
            if (outcome._tag === 'decided' && outcome.decision.events.length > 0)
              return commit(job, n, cached, now, outcome.decision)
            return Effect.flatMap(load(job.callId), (fresh) =>
              fresh.version !== cached.version
                ? decided(job, n, fresh, now, job.step(fresh.state, now))
                : decided(job, n, cached, now, outcome),
            )
          })
        return Effect.flatMap(load(job.callId), (current) =>
          Effect.flatMap(Clock.currentTimeMillis, (ms) => {
            const now = instantOf(ms)
            return decided(job, n, current, now, job.step(current.state, now))
          }),
        )
      })

    const decided = <E>(
      job: Job<E>,
      n: number,
      current: Cached,
      now: Instant.Instant,
      outcome: Outcome<E>,
    ): Effect.Effect<Option.Option<Accepted>, E | PipelineError> => {
      if (outcome._tag === 'refused') return Effect.fail(outcome.error)
      if (outcome.decision.events.length === 0) return Effect.succeed(Option.none())
      return commit(job, n, current, now, outcome.decision)
    }

    /** Appends a decision with events, its callbacks as outbox items, the call's next deadline. */
    const commit = <E>(
      job: Job<E>,
      n: number,
      current: Cached,
      now: Instant.Instant,
      decision: Decision.Decision,
    ): Effect.Effect<Option.Option<Accepted>, E | PipelineError> => {
      const after = DecisionModule.after(current.state, decision)
      let notifications = 0
      for (const i of decision.instructions) if (i._tag === 'NotifyCallback') notifications++
      if (notifications === 0) return append(job, n, current, now, decision, after, [])
      return Effect.flatMap(
        Effect.forEach(
          decision.instructions.filter(
            (i): i is Instruction.NotifyCallback => i._tag === 'NotifyCallback',
          ),
          (notify) =>
            Effect.map(ids.uuid, (eventId) => ({
              kind: CallbackItem.kind,
              payload: CallbackItem.fromNotify(notify, eventId) as unknown as Json,
              dueAt: now as number,
            })),
        ),
        (outbox) => append(job, n, current, now, decision, after, outbox),
      )
    }

    const append = <E>(
      job: Job<E>,
      n: number,
      current: Cached,
      now: Instant.Instant,
      decision: Decision.Decision,
      after: State.State,
      outbox: ReadonlyArray<NewOutboxItem>,
    ): Effect.Effect<Option.Option<Accepted>, E | PipelineError> => {
      const { callId, idempotency } = job
      const deadline = Deadline.earliest(after)
      const request: AppendRequest = {
        callId: callId as unknown as CallId,
        expectedVersion: current.version,
        events: decision.events.map(toNewEvent),
        outbox,
        timer: deadline,
        ...(idempotency !== undefined
          ? {
              idempotency: {
                key: idempotency.key,
                requestHash: idempotency.requestHash,
                response: idempotency.respond({ decision, state: after }),
                at: now as number,
              },
            }
          : {}),
      }
      // positional callbacks, not an options object: tsx names every function in an object
      // literal at run time (a defineProperty per request)
      return Effect.catchAll(
        Effect.flatMap(events.append(request), (appended) => {
          const version = appended.version
          remember(callId, { state: after, version })
          // committed: carry out the media instructions, wake the deliverers, re-arm the timer
          for (const instruction of decision.instructions)
            if (InstructionModule.isMedia(instruction)) runFork(dispatch(callId, instruction))
          const accepted = Option.some({ decision, state: after, version })
          const armed = Effect.as(scheduler.arm(callId, deadline, expireCall), accepted)
          return outbox.length > 0 ? Effect.zipRight(wakeup.wake, armed) : armed
        }),
        (error): Effect.Effect<Option.Option<Accepted>, E | PipelineError> => {
          if (error._tag !== 'StoreConflictError') return Effect.fail(error)
          cache.delete(callId)
          if (n >= maxAttempts) return Effect.fail(new ContentionError({ callId, attempts: n }))
          // a stale cache costs one immediate retry; real contention backs off, with jitter
          if (n === 1) return attempt(job, n + 1)
          return Effect.zipRight(
            n <= 5
              ? Effect.yieldNow()
              : Effect.sleep(Math.floor(Math.random() * Math.min(50, n * 2))),
            attempt(job, n + 1),
          )
        },
      )
    }

    /**
     * Signals the media plane reports are folded in the order it reported them, one call at a
     * time: each call has a queue, drained by one fiber while it is not empty.
     */
    const reported = new Map<string, Array<Signal.Signal>>()
    const report = (callId: Ids.CallConnectionId, signal: Signal.Signal): void => {
      const waiting = reported.get(callId)
      if (waiting !== undefined) {
        waiting.push(signal)
        return
      }
      const queue = [signal]
      reported.set(callId, queue)
      runFork(
        Effect.gen(function* () {
          for (let next = queue.shift(); next !== undefined; next = queue.shift())
            yield* Effect.ignoreLogged(signalCall(callId, next))
          // nothing runs between the last check and this line: a signal reported now starts a new drain
          reported.delete(callId)
        }),
      )
    }

    const dispatch = (callId: Ids.CallConnectionId, instruction: Instruction.MediaInstruction) =>
      media
        .execute(callId, instruction, (signal) => report(callId, signal))
        .pipe(
          Effect.catchAllCause((cause) =>
            Effect.logWarning(`media plane failed on ${instruction._tag}`, cause),
          ),
        )

    /**
     * One call at a time: a lock per call (requests of different calls never wait for each other,
     * so a store can commit them together). Taking a free lock does not leave the fiber's turn;
     * a waiter is woken when the holder releases and takes it then (so a waiter interrupted
     * meanwhile takes nothing).
     */
    const take = (callId: string): Effect.Effect<void> =>
      Effect.suspend(() => {
        const lock = locks.get(callId)
        if (lock === undefined) {
          locks.set(callId, { held: true, waiters: [] })
          return Effect.void
        }
        if (!lock.held) {
          lock.held = true
          return Effect.void
        }
        return Effect.async<void>((resume) => {
          const wake = () => resume(take(callId))
          lock.waiters.push(wake)
          return Effect.sync(() => {
            const i = lock.waiters.indexOf(wake)
            if (i >= 0) lock.waiters.splice(i, 1)
          })
        })
      })

    const release = (callId: string) =>
      Effect.sync(() => {
        const lock = locks.get(callId)
        if (lock === undefined) return
        if (lock.waiters.length === 0) {
          locks.delete(callId)
          return
        }
        lock.held = false
        // every waiter retries in the order they came; the first takes it, the others wait again
        for (const wake of lock.waiters.splice(0)) wake()
      })

    const serialized = <A, E>(callId: string, effect: Effect.Effect<A, E>) =>
      Effect.uninterruptibleMask((restore) =>
        Effect.zipRight(restore(take(callId)), Effect.ensuring(restore(effect), release(callId))),
      )

    const command: PipelineService['command'] = (callId, cmd, opts) =>
      serialized(
        callId,
        run<Rejection.Rejection>(
          callId,
          (state, now) => {
            const result = decide(state, cmd, { now })
            return result._tag === 'Left'
              ? { _tag: 'refused', error: result.left }
              : { _tag: 'decided', decision: result.right }
          },
          opts?.idempotency,
        ).pipe(
          Effect.flatMap((accepted) =>
            Option.isSome(accepted)
              ? Effect.succeed(accepted.value)
              : Effect.map(load(callId), (current) => ({
                  decision: DecisionModule.empty,
                  state: current.state,
                  version: current.version,
                })),
          ),
        ),
      )

    const signalCall = (callId: Ids.CallConnectionId, signal: Signal.Signal) =>
      serialized(
        callId,
        Effect.asVoid(
          run<never>(
            callId,
            (state, now) => ({ _tag: 'decided', decision: observe(state, signal, { now }) }),
            undefined,
          ),
        ),
      )

    const expireCall = (callId: Ids.CallConnectionId) =>
      serialized(
        callId,
        Effect.asVoid(
          run<never>(
            callId,
            (state, now) => ({ _tag: 'decided', decision: expire(state, now) }),
            undefined,
          ),
        ),
      )

    return Pipeline.of({
      command,
      signal: signalCall,
      expire: expireCall,
      load: (callId) => serialized(callId, load(callId)),
    })
  })

/** The pipeline, from a store, an id source, a media plane, a wakeup and a scheduler. */
export const layer = (options: PipelineOptions = {}) => Layer.effect(Pipeline, make(options))

/** Is the call live (created and not ended)? */
export const isLive = State.isLive
