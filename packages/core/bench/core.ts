/**
 * Core benchmark: decide/observe/expire plus evolve over a realistic random mix of commands and
 * signals across 10,000 calls, on one core. Baseline, in the same run: a plain reducer loop over the
 * very same steps (a switch on the step's tag and a small immutable update per call), so the ratio
 * says what the rules cost over walking the data.
 *
 * Prints a human summary, then one final JSON line: {"bench":"core","metrics":{...}}.
 *
 * `pnpm bench` runs it with `--max-semi-space-size=64` (MiB), as a server running the core should
 * be run: the core allocates a little per step (the decision, its events, the state after), and
 * with V8's default young generation (16 MiB semi-spaces) the states of 10,000 live calls keep
 * being copied and promoted. The flag is a plain Node runtime option, not a change to the work.
 *
 * The headline figures are wall-clock (best of ROUNDS). On a shared machine other processes take
 * the core away for a while, so the CPU time of the process over the same rounds (all its threads,
 * garbage collection included) is reported too, as `cpu*` metrics.
 */
import type { Command, Signal, State } from '../src/index.js'
import {
  decide,
  Decision,
  expire,
  Identifier,
  Ids,
  Instant,
  initial,
  observe,
  Tone,
} from '../src/index.js'

const CALLS = Number(process.env.BENCH_CALLS ?? 10_000)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)

/** Deterministic PRNG (mulberry32), so every run measures the same workload. */
const prng = (seed: number) => () => {
  seed |= 0
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}

type Step =
  | { readonly kind: 'command'; readonly call: number; readonly command: Command.Command }
  | { readonly kind: 'signal'; readonly call: number; readonly signal: Signal.Signal }
  | { readonly kind: 'tick'; readonly call: number }

const app = Identifier.communicationUser('8:acs:bench-app')
const file = (n: number) => ({ _tag: 'File' as const, uri: `https://media.example/${n}.wav` })
/** The keys callers press here: 1 to 9 and #. */
const tones = [...Tone.all.slice(1, 10), 'pound'] as const

/** The script of one call: what an IVR does in a call, with the media plane's answers. */
const script = (i: number, random: () => number): Array<Step> => {
  const party = Identifier.phoneNumber(`+1425${String(1_000_000 + i).slice(1)}`)
  const steps: Array<Step> = []
  const cmd = (command: Command.Command) => steps.push({ kind: 'command', call: i, command })
  const sig = (signal: Signal.Signal) => steps.push({ kind: 'signal', call: i, signal })
  const op = (n: number) => Ids.operationId(n)
  cmd({
    _tag: 'CreateCall',
    callConnectionId: Ids.unsafe.callConnectionId(`call-${i}`),
    serverCallId: Ids.unsafe.serverCallId(`server-${i}`),
    correlationId: Ids.unsafe.correlationId(`corr-${i}`),
    callbackUri: 'https://app.example/cb',
    source: app,
    targets: [party],
  })
  sig({ _tag: 'PartyAnswered', participant: party })
  let n = 1
  let press = 1
  // greeting and a queued second prompt
  cmd({
    _tag: 'PlayToAll',
    sources: [file(1)],
    loop: false,
    interrupt: false,
    operationContext: 'greeting',
  })
  cmd({ _tag: 'PlayToAll', sources: [file(2)], loop: false, interrupt: false })
  sig({ _tag: 'PlaybackStarted', operationId: op(n), durationMs: 2_000 })
  sig({ _tag: 'PlaybackFinished', operationId: op(n) })
  sig({ _tag: 'PlaybackStarted', operationId: op(n + 1), durationMs: 1_000 })
  sig({ _tag: 'PlaybackFinished', operationId: op(n + 1) })
  sig({ _tag: 'PlaybackFinished', operationId: op(n + 1) }) // duplicate
  n += 2
  // continuous DTMF while the caller types a few keys
  cmd({ _tag: 'StartContinuousDtmfRecognition', target: party })
  n += 1
  const keys = 2 + Math.floor(random() * 4)
  for (let k = 0; k < keys; k++)
    sig({
      _tag: 'TonePressed',
      participant: party,
      tone: tones[Math.floor(random() * tones.length)]!,
      pressId: press++,
    })
  // a menu: recognize with a prompt, keys, and a refused DTMF meanwhile
  cmd({
    _tag: 'Recognize',
    inputType: 'dtmf',
    target: party,
    prompts: [file(3)],
    interruptPrompt: true,
    initialSilenceTimeoutMs: 5_000,
    dtmf: { interToneTimeoutMs: 2_000, maxTonesToCollect: 3, stopTones: ['pound'] },
    interrupt: false,
  })
  sig({ _tag: 'PlaybackStarted', operationId: op(n), durationMs: 3_000 })
  for (let k = 0; k < 3; k++)
    sig({
      _tag: 'TonePressed',
      participant: party,
      tone: tones[Math.floor(random() * 9)]!,
      pressId: press++,
    })
  n += 1
  // send DTMF to the caller; a second one is refused by the table (412) while it runs
  cmd({ _tag: 'SendDtmfTones', target: party, tones: ['one', 'two', 'three', 'four'] })
  cmd({ _tag: 'SendDtmfTones', target: party, tones: ['five'] })
  if (random() < 0.5) sig({ _tag: 'TonesSent', operationId: op(n) })
  else steps.push({ kind: 'tick', call: i })
  n += 1
  // hold and unhold, a refused unhold
  cmd({ _tag: 'Hold', target: party, playSource: file(4) })
  cmd({ _tag: 'Unhold', target: party })
  cmd({ _tag: 'Unhold', target: party })
  cmd({ _tag: 'StopContinuousDtmfRecognition', target: party })
  if (random() < 0.3) cmd({ _tag: 'PlayToAll', sources: [file(5)], loop: true, interrupt: false })
  cmd({ _tag: 'HangUp', forEveryone: true })
  return steps
}

const random = prng(42)
const scripts = Array.from({ length: CALLS }, (_, i) => script(i, random))
// interleave the calls' scripts randomly, keeping each call's own order
const workload: Array<Step> = []
const cursors = new Array<number>(CALLS).fill(0)
let live = Array.from({ length: CALLS }, (_, i) => i)
while (live.length > 0) {
  const pick = Math.floor(random() * live.length)
  const c = live[pick]!
  workload.push(scripts[c]![cursors[c]!]!)
  cursors[c]! += 1
  if (cursors[c] === scripts[c]!.length) {
    live[pick] = live[live.length - 1]!
    live = live.slice(0, -1)
  }
}

/** CPU time of this process (all threads, GC included), in milliseconds. */
const cpuNow = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/**
 * The same steps with each call's script run through before the next call's (each call's order
 * kept): a diagnostic, not the headline. The calls' states are then hot in the CPU's caches, so
 * the gap between the two runs is what reaching the states of 10,000 calls in memory costs.
 */
const inCallOrder: Array<Step> = scripts.flat()

const runCore = (
  steps: ReadonlyArray<Step> = workload,
): { ms: number; cpuMs: number; events: number; rejections: number } => {
  const states: Array<State.State> = new Array(CALLS).fill(initial)
  let now = 1_000_000
  let events = 0
  let rejections = 0
  const cpuStart = cpuNow()
  const start = performance.now()
  for (const step of steps) {
    now += 1
    const at = Instant.fromMillis(now)
    let state = states[step.call]!
    let decided
    if (step.kind === 'command') {
      const r = decide(state, step.command, { now: at })
      if (r._tag === 'Left') {
        rejections++
        continue
      }
      decided = r.right
    } else if (step.kind === 'signal') decided = observe(state, step.signal, { now: at })
    else decided = expire(state, Instant.fromMillis(now + 60_000))
    state = Decision.after(state, decided)
    events += decided.events.length
    states[step.call] = state
  }
  const ms = performance.now() - start
  return { ms, cpuMs: cpuNow() - cpuStart, events, rejections }
}

interface Plain {
  readonly steps: number
  readonly last: string
}
const runBaseline = (): { ms: number; cpuMs: number } => {
  const states: Array<Plain> = new Array(CALLS).fill({ steps: 0, last: '' })
  const cpuStart = cpuNow()
  const start = performance.now()
  for (const step of workload) {
    const s = states[step.call]!
    const tag =
      step.kind === 'command'
        ? step.command._tag
        : step.kind === 'signal'
          ? step.signal._tag
          : 'tick'
    states[step.call] = { steps: s.steps + 1, last: tag }
  }
  const ms = performance.now() - start
  return { ms, cpuMs: cpuNow() - cpuStart }
}

// warm up, then take the best of ROUNDS for each
runCore()
runBaseline()
let best = { ms: Infinity, cpuMs: Infinity, events: 0, rejections: 0 }
let baseline = { ms: Infinity, cpuMs: Infinity }
let bestCpu = Infinity
let baselineCpu = Infinity
for (let r = 0; r < ROUNDS; r++) {
  const c = runCore()
  if (c.ms < best.ms) best = c
  bestCpu = Math.min(bestCpu, c.cpuMs)
  const b = runBaseline()
  if (b.ms < baseline.ms) baseline = b
  baselineCpu = Math.min(baselineCpu, b.cpuMs)
}
runCore(inCallOrder)
let inOrder = Infinity
for (let r = 0; r < ROUNDS; r++) inOrder = Math.min(inOrder, runCore(inCallOrder).ms)

/**
 * What one dependent load from memory costs here: a random walk over a 64 MiB table, one step per
 * cache line (the states of 10,000 calls and the steps they are fed take more than the caches).
 */
const memoryLatencyNs = (): number => {
  const lines = (64 * 1024 * 1024) / 64
  const order = Array.from({ length: lines }, (_, i) => i)
  for (let i = lines - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const t = order[i]!
    order[i] = order[j]!
    order[j] = t
  }
  const next = new Int32Array(lines * 16)
  for (let i = 0; i < lines; i++) next[order[i]! * 16] = order[(i + 1) % lines]! * 16
  const hops = 2_000_000
  let at = 0
  const t0 = performance.now()
  for (let i = 0; i < hops; i++) at = next[at]!
  const ns = ((performance.now() - t0) * 1e6) / hops
  return at >= 0 ? ns : -1
}
const latencyNs = memoryLatencyNs()

const ops = workload.length
const opsPerSecond = Math.round(ops / (best.ms / 1000))
const baselineOpsPerSecond = Math.round(ops / (baseline.ms / 1000))
const cpuOpsPerSecond = Math.round(ops / (bestCpu / 1000))
const cpuBaselineOpsPerSecond = Math.round(ops / (baselineCpu / 1000))
console.log(
  `core: ${CALLS} calls, ${ops} operations (commands, signals, timer ticks), best of ${ROUNDS}`,
)
console.log(
  `  decide/observe/expire + evolve: ${best.ms.toFixed(1)} ms, ${opsPerSecond.toLocaleString('en')} ops/s, ${best.events} events, ${best.rejections} refusals`,
)
console.log(
  `  plain reducer loop (baseline):  ${baseline.ms.toFixed(1)} ms, ${baselineOpsPerSecond.toLocaleString('en')} ops/s`,
)
console.log(
  `  per CPU time (all threads):     core ${cpuOpsPerSecond.toLocaleString('en')} ops/s, baseline ${cpuBaselineOpsPerSecond.toLocaleString('en')} ops/s`,
)
console.log(
  `  diagnostic, the same steps call by call (states hot in cache): ${Math.round(ops / (inOrder / 1000)).toLocaleString('en')} ops/s; one dependent load from memory: ${latencyNs.toFixed(0)} ns`,
)
console.log(`  target: >= 2,000,000 ops/s -> ${opsPerSecond >= 2_000_000 ? 'met' : 'NOT met'}`)
console.log(
  JSON.stringify({
    bench: 'core',
    metrics: {
      calls: CALLS,
      operations: ops,
      events: best.events,
      refusals: best.rejections,
      opsPerSecond,
      baselineOpsPerSecond,
      ratioToBaseline: Number((opsPerSecond / baselineOpsPerSecond).toFixed(4)),
      cpuOpsPerSecond,
      cpuBaselineOpsPerSecond,
      cpuRatioToBaseline: Number((cpuOpsPerSecond / cpuBaselineOpsPerSecond).toFixed(4)),
      callOrderOpsPerSecond: Math.round(ops / (inOrder / 1000)),
      memoryLatencyNs: Number(latencyNs.toFixed(1)),
      targetOpsPerSecond: 2_000_000,
      targetMet: opsPerSecond >= 2_000_000,
    },
  }),
)
