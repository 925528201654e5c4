/**
 * Model-based test: the real core against a deliberately simple reference model written straight
 * from the seed's media action compatibility table (reference section 6), not from the core's code
 * (`Rules.ts` is not imported here). The model knows only:
 *
 * - one main FIFO queue per call: PlayToAll and Recognize (non-group call) always enqueue there; its
 *   head runs, the others wait;
 * - one sub slot: PlayTo, Recognize (group call) and SendDTMF take it; while it is held, PlayTo,
 *   Recognize (group call), SendDTMF and StartContinuousDtmfRecognition are refused with 412 /
 *   "8583"; continuous DTMF recognition never holds the slot;
 * - `interruptCallMediaOperation` (barge-in) cancels the operations of the lane it is asked for;
 * - CancelAllMediaOperations cancels every running and queued operation of both lanes;
 * - which parties have a continuous recognition, and the set of finished operation ids.
 *
 * Media-plane signals are kept in a pool as operations are accepted and delivered late, twice, early
 * (to a queued operation) or out of order. The model does not model deadlines: when the clock is
 * advanced it checks that whatever `expire` ends was running, and follows.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type {
  Command,
  Decision,
  Event,
  Identifier as IdentifierT,
  Signal,
  State,
} from '../src/index.js'
import { decide, evolve, expire, initial, observe, Identifier, Ids, Instant } from '../src/index.js'
import { acs, createCall, pstn } from './Arbitraries.js'

// ------------------------------------------------------------------ the model

type Kind = 'PlayToAll' | 'RecognizeNonGroup' | 'PlayTo' | 'RecognizeGroup' | 'SendDtmf'

interface ModelOp {
  readonly id: string
  readonly kind: Kind
  readonly family: 'play' | 'recognize' | 'dtmf'
  /** A recognize whose prompt has not finished yet. */
  prompting: boolean
  readonly prompted: boolean
}

interface Model {
  readonly parties: ReadonlyArray<IdentifierT.Identifier>
  readonly group: boolean
  main: Array<ModelOp>
  sub: ModelOp | null
  readonly continuous: Set<string>
  readonly finished: Set<string>
  nextId: number
  /** Signals the media plane may (still, or again) deliver. */
  readonly pool: Array<Signal.Signal>
}

interface Real {
  state: State.State
  now: number
}

/** The refusal the model expects, or null for an acceptance. */
type Expected = { readonly status: number; readonly code: string } | null

const precondition: Expected = { status: 412, code: '8583' }
const invalidArgument: Expected = { status: 400, code: '8523' }

const raw = (p: IdentifierT.Identifier): string => Identifier.rawId(p)
const isPstn = (p: IdentifierT.Identifier): boolean =>
  p._tag === 'PhoneNumber' && /^\+[1-9]\d{1,14}$/.test(p.value)

const subHeld = (m: Model): boolean => m.sub !== null

const mint = (m: Model): string => `op-${m.nextId++}`

/** The operation at the head of the main lane just started: its prompt (if any) begins. */
const running = (m: Model, id: string): boolean => m.main[0]?.id === id || m.sub?.id === id

const poolFor = (op: ModelOp): ReadonlyArray<Signal.Signal> => {
  const operationId = Ids.unsafe.operationId(op.id)
  if (op.family === 'dtmf')
    return [
      { _tag: 'TonesSent', operationId },
      { _tag: 'TonesFailed', operationId },
    ]
  if (op.family === 'recognize' && !op.prompted) return []
  return [
    { _tag: 'PlaybackStarted', operationId, durationMs: null },
    { _tag: 'PlaybackFinished', operationId },
    { _tag: 'PlaybackFailed', operationId, reason: 'fileDownload', sourceIndex: 0 },
  ]
}

/** Ends an operation (terminal event); returns the id of a main-lane operation that started. */
const end = (m: Model, id: string): string | null => {
  m.finished.add(id)
  if (m.sub?.id === id) {
    m.sub = null
    return null
  }
  const wasHead = m.main[0]?.id === id
  m.main = m.main.filter((op) => op.id !== id)
  const head = m.main[0]
  if (wasHead && head !== undefined) {
    head.prompting = head.prompted
    return head.id
  }
  return null
}

// ------------------------------------------------------------------ checking the real core

/** The terminal events of operations, as ACS names them (written here again, not imported). */
const terminalTags: ReadonlySet<string> = new Set([
  'PlayCompleted',
  'PlayFailed',
  'PlayCanceled',
  'RecognizeCompleted',
  'RecognizeFailed',
  'RecognizeCanceled',
  'SendDtmfTonesCompleted',
  'SendDtmfTonesFailed',
])
const isTerminal = (e: Event.Event): boolean => terminalTags.has(e._tag)

const terminalIds = (d: Decision.Decision): Array<string> =>
  d.events.filter(isTerminal).map((e) => (e as { operationId?: string }).operationId ?? '?')

const startedIds = (d: Decision.Decision): Array<string> =>
  d.events.flatMap((e) => (e._tag === 'OperationStarted' ? [e.operationId] : []))

const fold = (r: Real, d: Decision.Decision): void => {
  let s = r.state
  for (const e of d.events) s = evolve(s, e)
  r.state = s
}

/** The real lanes and continuous recognitions are those of the model. */
const agree = (m: Model, r: Real): void => {
  expect(r.state.main.map((op) => op.id)).toEqual(m.main.map((op) => op.id))
  expect(r.state.main.map((op) => op.kind)).toEqual(m.main.map((op) => op.kind))
  expect(r.state.sub?.id ?? null).toBe(m.sub?.id ?? null)
  expect(r.state.sub?.kind ?? null).toBe(m.sub?.kind ?? null)
  expect(new Set(r.state.continuous.map((c) => raw(c.participant)))).toEqual(m.continuous)
  // only the head of the main lane runs
  r.state.main.slice(1).forEach((op) => expect(op.phase).toBe('queued'))
}

/**
 * Runs a request on both sides: the model's verdict is compared with the core's answer, the
 * operations the model says end (barge-in, cancel) with the core's terminal events.
 */
const request = (
  r: Real,
  command: Command.Command,
  expected: Expected,
  onAccept: () => {
    readonly ended: ReadonlyArray<string>
    readonly started: ReadonlyArray<string>
  },
): Decision.Decision | null => {
  r.now += 10
  const result = decide(r.state, command, { now: Instant.fromMillis(r.now) })
  if (expected !== null) {
    expect(result._tag).toBe('Left')
    if (result._tag === 'Left')
      expect({ status: result.left.status, code: result.left.code }).toEqual(expected)
    return null
  }
  if (result._tag === 'Left') expect.fail(`refused: ${JSON.stringify(result.left)}`)
  const d = result.right
  const { ended, started } = onAccept()
  expect([...terminalIds(d)].sort()).toEqual([...ended].sort())
  expect(startedIds(d)).toEqual(started)
  fold(r, d)
  return d
}

// ------------------------------------------------------------------ commands of the model run

type Cmd = fc.Command<Model, Real>

/** PlayToAll, or Recognize in a 1:1 call: always accepted, queued on main unless barging in. */
const mainRequest = (
  m: Model,
  r: Real,
  command: Command.Command,
  kind: 'PlayToAll' | 'RecognizeNonGroup',
  prompted: boolean,
  interrupt: boolean,
): void => {
  const d = request(r, command, null, () => {
    const ended = interrupt ? m.main.map((op) => op.id) : []
    for (const id of ended) m.finished.add(id)
    if (interrupt) m.main = []
    const op: ModelOp = {
      id: mint(m),
      kind,
      family: kind === 'PlayToAll' ? 'play' : 'recognize',
      prompted,
      prompting: prompted && m.main.length === 0,
    }
    m.main.push(op)
    m.pool.push(...poolFor(op))
    return { ended, started: [] }
  })
  if (d !== null) {
    const accepted = d.events.find((e) => e._tag === 'OperationAccepted')
    expect(accepted?._tag === 'OperationAccepted' ? accepted.operation.id : null).toBe(
      m.main[m.main.length - 1]!.id,
    )
  }
}

/** PlayTo, Recognize in a group call, SendDtmf: the sub slot, refused while it is held. */
const subRequest = (
  m: Model,
  r: Real,
  command: Command.Command,
  kind: 'PlayTo' | 'RecognizeGroup' | 'SendDtmf',
  prompted: boolean,
  interrupt: boolean,
  invalid: Expected,
): void => {
  const expected = invalid ?? (subHeld(m) && !interrupt ? precondition : null)
  request(r, command, expected, () => {
    const ended = interrupt && m.sub !== null ? [m.sub.id] : []
    for (const id of ended) m.finished.add(id)
    const op: ModelOp = {
      id: mint(m),
      kind,
      family: kind === 'PlayTo' ? 'play' : kind === 'SendDtmf' ? 'dtmf' : 'recognize',
      prompted,
      prompting: prompted,
    }
    m.sub = op
    m.pool.push(...poolFor(op))
    return { ended, started: [] }
  })
}

const sources = [{ _tag: 'File' as const, uri: 'https://media.example/prompt.wav' }]

class PlayToAll implements Cmd {
  constructor(readonly interrupt: boolean) {}
  check = () => true
  run(m: Model, r: Real): void {
    mainRequest(
      m,
      r,
      { _tag: 'PlayToAll', sources, loop: false, interrupt: this.interrupt },
      'PlayToAll',
      true,
      this.interrupt,
    )
    agree(m, r)
  }
  toString = () => `PlayToAll(interrupt=${this.interrupt})`
}

class PlayTo implements Cmd {
  constructor(
    readonly who: number,
    readonly interrupt: boolean,
  ) {}
  check = () => true
  run(m: Model, r: Real): void {
    const target = m.parties[this.who % m.parties.length]!
    subRequest(
      m,
      r,
      { _tag: 'PlayTo', sources, targets: [target], loop: false, interrupt: this.interrupt },
      'PlayTo',
      true,
      this.interrupt,
      null,
    )
    agree(m, r)
  }
  toString = () => `PlayTo(${this.who}, interrupt=${this.interrupt})`
}

class Recognize implements Cmd {
  constructor(
    readonly who: number,
    readonly prompted: boolean,
    readonly interrupt: boolean,
  ) {}
  check = () => true
  run(m: Model, r: Real): void {
    const target = m.parties[this.who % m.parties.length]!
    const command: Command.Recognize = {
      _tag: 'Recognize',
      inputType: 'dtmf',
      target,
      prompts: this.prompted ? sources : [],
      interruptPrompt: false,
      initialSilenceTimeoutMs: 5_000,
      interrupt: this.interrupt,
      dtmf: { interToneTimeoutMs: 2_000, maxTonesToCollect: 3, stopTones: ['pound'] },
    }
    if (m.group) subRequest(m, r, command, 'RecognizeGroup', this.prompted, this.interrupt, null)
    else mainRequest(m, r, command, 'RecognizeNonGroup', this.prompted, this.interrupt)
    agree(m, r)
  }
  toString = () => `Recognize(${this.who}, prompted=${this.prompted}, interrupt=${this.interrupt})`
}

class SendDtmf implements Cmd {
  constructor(readonly who: number) {}
  check = () => true
  run(m: Model, r: Real): void {
    const target = m.parties[this.who % m.parties.length]!
    subRequest(
      m,
      r,
      { _tag: 'SendDtmfTones', target, tones: ['one', 'two', 'pound'] },
      'SendDtmf',
      false,
      false,
      // SendDTMF is only for PSTN participants (reference section 6)
      isPstn(target) ? null : invalidArgument,
    )
    agree(m, r)
  }
  toString = () => `SendDtmf(${this.who})`
}

class StartContinuous implements Cmd {
  constructor(readonly who: number) {}
  check = () => true
  run(m: Model, r: Real): void {
    const target = m.parties[this.who % m.parties.length]!
    const expected: Expected = !isPstn(target)
      ? invalidArgument
      : m.continuous.has(raw(target))
        ? { status: 400, code: '8500' }
        : subHeld(m)
          ? precondition
          : null
    const d = request(r, { _tag: 'StartContinuousDtmfRecognition', target }, expected, () => {
      m.continuous.add(raw(target))
      return { ended: [], started: [] }
    })
    if (d !== null) {
      const started = d.events.find((e) => e._tag === 'ContinuousDtmfRecognitionStarted')
      expect(started?._tag === 'ContinuousDtmfRecognitionStarted' && started.operationId).toBe(
        mint(m),
      )
    }
    agree(m, r)
  }
  toString = () => `StartContinuousDtmf(${this.who})`
}

class StopContinuous implements Cmd {
  constructor(readonly who: number) {}
  check = () => true
  run(m: Model, r: Real): void {
    const target = m.parties[this.who % m.parties.length]!
    const expected: Expected = m.continuous.has(raw(target)) ? null : { status: 400, code: '8585' }
    const d = request(r, { _tag: 'StopContinuousDtmfRecognition', target }, expected, () => {
      m.continuous.delete(raw(target))
      return { ended: [], started: [] }
    })
    if (d !== null)
      expect(d.events.map((e) => e._tag)).toEqual(['ContinuousDtmfRecognitionStopped'])
    agree(m, r)
  }
  toString = () => `StopContinuousDtmf(${this.who})`
}

class CancelAll implements Cmd {
  check = () => true
  run(m: Model, r: Real): void {
    request(r, { _tag: 'CancelAllMediaOperations' }, null, () => {
      const ended = [...m.main, ...(m.sub === null ? [] : [m.sub])].map((op) => op.id)
      for (const id of ended) m.finished.add(id)
      m.main = []
      m.sub = null
      return { ended, started: [] }
    })
    agree(m, r)
  }
  toString = () => 'CancelAll'
}

/** The model's answer to a media-plane signal: which operation ends, and what starts after it. */
const onSignal = (
  m: Model,
  signal: Signal.Signal,
): { ended: Array<string>; started: Array<string> } => {
  const none = { ended: [], started: [] }
  if (!('operationId' in signal)) return none
  const id: string = signal.operationId
  if (m.finished.has(id) || !running(m, id)) return none
  const op = m.main[0]?.id === id ? m.main[0] : m.sub!
  const ends = (): { ended: Array<string>; started: Array<string> } => {
    const next = end(m, id)
    return { ended: [id], started: next === null ? [] : [next] }
  }
  switch (signal._tag) {
    case 'TonesSent':
    case 'TonesFailed':
      return op.family === 'dtmf' ? ends() : none
    case 'PlaybackFinished':
      if (op.family === 'play') return ends()
      if (op.family === 'recognize' && op.prompting) op.prompting = false
      return none
    case 'PlaybackFailed':
      return op.family === 'play' || (op.family === 'recognize' && op.prompting) ? ends() : none
    default:
      return none
  }
}

class Deliver implements Cmd {
  constructor(
    readonly pick: number,
    readonly keep: boolean,
  ) {}
  check = (m: Readonly<Model>) => m.pool.length > 0
  run(m: Model, r: Real): void {
    const index = this.pick % m.pool.length
    const signal = m.pool[index]!
    // delivered once and forgotten, or kept to be delivered again later
    if (!this.keep) m.pool.splice(index, 1)
    r.now += 10
    const d = observe(r.state, signal, { now: Instant.fromMillis(r.now) })
    const { ended, started } = onSignal(m, signal)
    expect(terminalIds(d)).toEqual(ended)
    expect(startedIds(d)).toEqual(started)
    fold(r, d)
    agree(m, r)
  }
  toString = () => `Deliver(${this.pick}, keep=${this.keep})`
}

class Advance implements Cmd {
  constructor(readonly ms: number) {}
  check = () => true
  run(m: Model, r: Real): void {
    r.now += this.ms
    const d = expire(r.state, Instant.fromMillis(r.now))
    // the model has no clocks: what expire ends must be running at that moment, and then ends
    for (const e of d.events) {
      const id = (e as { operationId?: string }).operationId
      if (isTerminal(e)) {
        expect(id !== undefined && running(m, id)).toBe(true)
        end(m, id!)
      } else if (e._tag === 'OperationStarted') expect(m.main[0]?.id).toBe(e.operationId)
      else if (e._tag === 'RecognizePromptFinished') {
        const op = m.main[0]?.id === id ? m.main[0] : m.sub
        expect(op?.id === id && op?.prompting === true).toBe(true)
        op!.prompting = false
      } else expect(['InvitationEnded', 'PlayStarted']).toContain(e._tag)
    }
    fold(r, d)
    agree(m, r)
  }
  toString = () => `Advance(${this.ms})`
}

const playToAll = fc.boolean().map((i) => new PlayToAll(i))
const recognize = fc
  .tuple(fc.nat(5), fc.boolean(), fc.boolean())
  .map(([w, p, i]) => new Recognize(w, p, i))
const deliver = fc.tuple(fc.nat(), fc.boolean()).map(([p, k]) => new Deliver(p, k))

const arbCommands = fc.commands<Model, Real>(
  [
    // repeated entries weigh more: queues build up, and signals reach the operations
    playToAll,
    playToAll,
    recognize,
    recognize,
    fc.tuple(fc.nat(5), fc.boolean()).map(([w, i]) => new PlayTo(w, i)),
    fc.nat(5).map((w) => new SendDtmf(w)),
    fc.nat(5).map((w) => new StartContinuous(w)),
    fc.nat(5).map((w) => new StopContinuous(w)),
    fc.constant(new CancelAll()),
    deliver,
    deliver,
    deliver,
    deliver,
    fc.constantFrom(500, 4_000, 6_000, 12_000, 31_000).map((ms) => new Advance(ms)),
  ],
  { maxCommands: 40, size: 'max' },
)

// ------------------------------------------------------------------ setup

interface Setup {
  readonly targets: ReadonlyArray<IdentifierT.Identifier>
  readonly answering: number
}

const arbSetup: fc.Arbitrary<Setup> = fc
  .uniqueArray(fc.constantFrom(pstn(1), pstn(2), acs(1)), {
    minLength: 1,
    maxLength: 3,
    selector: raw,
  })
  .chain((targets) =>
    fc.integer({ min: 1, max: targets.length }).map((answering) => ({ targets, answering })),
  )

/** A connected call: created to the targets, the first `answering` of them answered. */
const connect = (setup: Setup): { model: Model; real: Real } => {
  const real: Real = { state: initial, now: 1_000_000 }
  const created = decide(real.state, createCall(setup.targets, {}), {
    now: Instant.fromMillis(real.now),
  })
  if (created._tag === 'Left') throw new Error(created.left.message)
  fold(real, created.right)
  const parties = setup.targets.slice(0, setup.answering)
  for (const participant of parties) {
    real.now += 100
    fold(
      real,
      observe(
        real.state,
        { _tag: 'PartyAnswered', participant },
        { now: Instant.fromMillis(real.now) },
      ),
    )
  }
  expect(real.state.status).toBe('connected')
  const model: Model = {
    parties,
    group: parties.length > 1,
    main: [],
    sub: null,
    continuous: new Set(),
    finished: new Set(),
    nextId: real.state.nextOperation,
    pool: [
      // a signal about an operation that never existed is a no-op
      { _tag: 'PlaybackFinished', operationId: Ids.unsafe.operationId('op-404') },
      { _tag: 'TonesSent', operationId: Ids.unsafe.operationId('op-404') },
    ],
  }
  return { model, real }
}

describe('model-based: the core against the seed table', { timeout: 60_000 }, () => {
  it('accepts, refuses, queues and ends media operations as the seed table model does', () => {
    fc.assert(
      fc.property(arbSetup, arbCommands, (setup, commands) => {
        const { model, real } = connect(setup)
        fc.modelRun(() => ({ model, real }), commands)
        // hanging up ends everything the model still holds, and only that
        const end = decide(
          real.state,
          { _tag: 'HangUp', forEveryone: true },
          { now: Instant.fromMillis(real.now + 1) },
        )
        if (end._tag === 'Left') expect.fail(end.left.message)
        const holding = [...model.main, ...(model.sub === null ? [] : [model.sub])].map(
          (op) => op.id,
        )
        expect(terminalIds(end.right).sort()).toEqual(holding.sort())
        const stopped = end.right.events.filter(
          (e): e is Event.ContinuousDtmfRecognitionStopped =>
            e._tag === 'ContinuousDtmfRecognitionStopped',
        )
        expect(new Set(stopped.map((e) => raw(e.participant!)))).toEqual(model.continuous)
      }),
      { numRuns: 300 },
    )
  })
})
