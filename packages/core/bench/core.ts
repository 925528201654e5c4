/**
 * Core benchmark: decide/observe/expire plus evolve over a realistic random mix of commands and
 * signals across 10,000 calls, on one core. Baseline, in the same run: a plain reducer loop over the
 * very same steps (a switch on the step's tag and a small immutable update per call), so the ratio
 * says what the rules cost over walking the data.
 *
 * Steps arrive as a server gets them: the workload is kept compact (four integers a step), and each
 * step's command or signal is built just before it is handed to the core, with a fresh identifier
 * object for the party, as a decoder makes one per request. Both loops pay for that building; the
 * bench prints what it costs alone. (Built all at once beforehand, the 268,085 steps took about
 * 50 MB, which a server never holds, and every party was one shared object, which a server never
 * gets.)
 *
 * Diagnostics printed beside the headline, from the same steps: the steps run call by call, and run
 * with only 1,000 calls interleaved at a time (far fewer states then compete for the caches);
 * what one dependent load costs on this machine; and how much memory the calls' states hold
 * halfway through. `BENCH_CALLS`, `BENCH_WINDOW` and `BENCH_ROUNDS` change the number of calls,
 * how many are interleaved at a time, and the rounds.
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
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
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
/**
 * How many calls are interleaved at a time (all of them by default). A diagnostic knob: with a few
 * calls at a time their states stay in the CPU's caches while the mix of steps stays random.
 */
const WINDOW = Number(process.env.BENCH_WINDOW ?? CALLS)

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

/** What a step is, as four integers: the call, the kind of step, and two arguments. */
const enum Code {
  CreateCall,
  PartyAnswered,
  PlayToAll, // a: the file, b: 1 for the greeting, 2 for a loop
  PlaybackStarted, // a: the operation, b: the duration
  PlaybackFinished, // a: the operation
  StartContinuous,
  TonePressed, // a: the tone (index in Tone.all), b: the press id
  Recognize,
  SendDtmf, // a: 1 for four tones, 0 for one
  TonesSent, // a: the operation
  Tick,
  Hold,
  Unhold,
  StopContinuous,
  HangUp,
}
const WIDTH = 4

/** The script of one call: what an IVR does in a call, with the media plane's answers. */
const script = (random: () => number): Array<readonly [Code, number, number]> => {
  const steps: Array<readonly [Code, number, number]> = []
  const step = (code: Code, a = 0, b = 0) => steps.push([code, a, b])
  let n = 1
  let press = 1
  const toneIndex = (t: Tone.Tone) => Tone.all.indexOf(t)
  step(Code.CreateCall)
  step(Code.PartyAnswered)
  // greeting and a queued second prompt
  step(Code.PlayToAll, 1, 1)
  step(Code.PlayToAll, 2)
  step(Code.PlaybackStarted, n, 2_000)
  step(Code.PlaybackFinished, n)
  step(Code.PlaybackStarted, n + 1, 1_000)
  step(Code.PlaybackFinished, n + 1)
  step(Code.PlaybackFinished, n + 1) // duplicate
  n += 2
  // continuous DTMF while the caller types a few keys
  step(Code.StartContinuous)
  n += 1
  const keys = 2 + Math.floor(random() * 4)
  for (let k = 0; k < keys; k++)
    step(Code.TonePressed, toneIndex(tones[Math.floor(random() * tones.length)]!), press++)
  // a menu: recognize with a prompt, keys, and a refused DTMF meanwhile
  step(Code.Recognize)
  step(Code.PlaybackStarted, n, 3_000)
  for (let k = 0; k < 3; k++)
    step(Code.TonePressed, toneIndex(tones[Math.floor(random() * 9)]!), press++)
  n += 1
  // send DTMF to the caller; a second one is refused by the table (412) while it runs
  step(Code.SendDtmf, 1)
  step(Code.SendDtmf, 0)
  if (random() < 0.5) step(Code.TonesSent, n)
  else step(Code.Tick)
  n += 1
  // hold and unhold, a refused unhold
  step(Code.Hold)
  step(Code.Unhold)
  step(Code.Unhold)
  step(Code.StopContinuous)
  if (random() < 0.3) step(Code.PlayToAll, 5, 2)
  step(Code.HangUp)
  return steps
}

const random = prng(42)
const scripts = Array.from({ length: CALLS }, () => script(random))
const encode = (order: ReadonlyArray<readonly [number, readonly [Code, number, number]]>) => {
  const out = new Int32Array(order.length * WIDTH)
  order.forEach(([call, [code, a, b]], k) => out.set([call, code, a, b], k * WIDTH))
  return out
}
/** The calls' scripts interleaved randomly, `window` calls at a time, each call keeping its order. */
const interleave = (window: number): Int32Array => {
  const interleaved: Array<readonly [number, readonly [Code, number, number]]> = []
  const cursors = new Array<number>(CALLS).fill(0)
  for (let first = 0; first < CALLS; first += window) {
    const live = Array.from({ length: Math.min(window, CALLS - first) }, (_, i) => first + i)
    while (live.length > 0) {
      const pick = Math.floor(random() * live.length)
      const c = live[pick]!
      interleaved.push([c, scripts[c]![cursors[c]!]!])
      cursors[c]! += 1
      if (cursors[c] === scripts[c]!.length) {
        live[pick] = live[live.length - 1]!
        live.pop()
      }
    }
  }
  return encode(interleaved)
}
const workload = interleave(WINDOW)
/**
 * The same steps with each call's script run through before the next call's: a diagnostic, not
 * the headline. The calls' states are then hot in the CPU's caches, so the gap between the two runs
 * is what reaching the states of 10,000 calls in memory costs.
 */
const inCallOrder = encode(scripts.flatMap((steps, call) => steps.map((s) => [call, s] as const)))
/**
 * The same steps again with only DIAGNOSTIC_WINDOW calls interleaved at a time (a diagnostic, not
 * the headline): the same work and the same random mix, with a tenth of the states competing for
 * the caches. Between this and the headline, only where the states are when they are needed differs.
 */
const DIAGNOSTIC_WINDOW = 1_000
const windowed = WINDOW > DIAGNOSTIC_WINDOW ? interleave(DIAGNOSTIC_WINDOW) : workload

/** Each call's party, as text: a decoder gives a fresh identifier object over it per request. */
const numbers = Array.from({ length: CALLS }, (_, i) => `+1425${String(1_000_000 + i).slice(1)}`)
const ids = Array.from({ length: CALLS }, (_, i) => ({
  callConnectionId: Ids.unsafe.callConnectionId(`call-${i}`),
  serverCallId: Ids.unsafe.serverCallId(`server-${i}`),
  correlationId: Ids.unsafe.correlationId(`corr-${i}`),
}))

// (helpers at the top level: under tsx, a closure made per step is also named per step)
const party = (call: number) => Identifier.phoneNumber(numbers[call]!)
const command = (call: number, command: Command.Command): Step => ({
  kind: 'command',
  call,
  command,
})
const signal = (call: number, signal: Signal.Signal): Step => ({ kind: 'signal', call, signal })

/** Step `k` of `steps`, built as a request decoder or a media plane would hand it over. */
const materialize = (steps: Int32Array, k: number): Step => {
  const call = steps[k]!
  const a = steps[k + 2]!
  const b = steps[k + 3]!
  switch (steps[k + 1]! as Code) {
    case Code.CreateCall:
      return command(call, {
        _tag: 'CreateCall',
        ...ids[call]!,
        callbackUri: 'https://app.example/cb',
        source: app,
        targets: [party(call)],
      })
    case Code.PartyAnswered:
      return signal(call, { _tag: 'PartyAnswered', participant: party(call) })
    case Code.PlayToAll:
      return command(
        call,
        b === 1
          ? {
              _tag: 'PlayToAll',
              sources: [file(a)],
              loop: false,
              interrupt: false,
              operationContext: 'greeting',
            }
          : { _tag: 'PlayToAll', sources: [file(a)], loop: b === 2, interrupt: false },
      )
    case Code.PlaybackStarted:
      return signal(call, {
        _tag: 'PlaybackStarted',
        operationId: Ids.operationId(a),
        durationMs: b,
      })
    case Code.PlaybackFinished:
      return signal(call, { _tag: 'PlaybackFinished', operationId: Ids.operationId(a) })
    case Code.StartContinuous:
      return command(call, { _tag: 'StartContinuousDtmfRecognition', target: party(call) })
    case Code.TonePressed:
      return signal(call, {
        _tag: 'TonePressed',
        participant: party(call),
        tone: Tone.all[a]!,
        pressId: b,
      })
    case Code.Recognize:
      return command(call, {
        _tag: 'Recognize',
        inputType: 'dtmf',
        target: party(call),
        prompts: [file(3)],
        interruptPrompt: true,
        initialSilenceTimeoutMs: 5_000,
        dtmf: { interToneTimeoutMs: 2_000, maxTonesToCollect: 3, stopTones: ['pound'] },
        interrupt: false,
      })
    case Code.SendDtmf:
      return command(call, {
        _tag: 'SendDtmfTones',
        target: party(call),
        tones: a === 1 ? ['one', 'two', 'three', 'four'] : ['five'],
      })
    case Code.TonesSent:
      return signal(call, { _tag: 'TonesSent', operationId: Ids.operationId(a) })
    case Code.Tick:
      return { kind: 'tick', call }
    case Code.Hold:
      return command(call, { _tag: 'Hold', target: party(call), playSource: file(4) })
    case Code.Unhold:
      return command(call, { _tag: 'Unhold', target: party(call) })
    case Code.StopContinuous:
      return command(call, { _tag: 'StopContinuousDtmfRecognition', target: party(call) })
    case Code.HangUp:
      return command(call, { _tag: 'HangUp', forEveryone: true })
  }
}

/** CPU time of this process (all threads, GC included), in milliseconds. */
const cpuNow = (): number => {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

const runCore = (
  steps: Int32Array = workload,
  until: number = steps.length,
  states: Array<State.State> = new Array<State.State>(CALLS).fill(initial),
): { ms: number; cpuMs: number; events: number; rejections: number } => {
  let now = 1_000_000
  let events = 0
  let rejections = 0
  const cpuStart = cpuNow()
  const start = performance.now()
  for (let k = 0; k < until; k += WIDTH) {
    const step = materialize(steps, k)
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
  for (let k = 0; k < workload.length; k += WIDTH) {
    const step = materialize(workload, k)
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

/** Building the steps alone (both loops above pay for it). */
const runMaterialize = (): number => {
  const start = performance.now()
  let calls = 0
  for (let k = 0; k < workload.length; k += WIDTH) calls += materialize(workload, k).call
  const ms = performance.now() - start
  return calls >= 0 ? ms : -1
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
let building = Infinity
for (let r = 0; r < ROUNDS; r++) building = Math.min(building, runMaterialize())
let inOrder = Infinity
for (let r = 0; r < ROUNDS; r++) inOrder = Math.min(inOrder, runCore(inCallOrder).ms)
// (when the headline already interleaves that few calls, it is the same run: not done twice)
let inWindows = best.ms
if (windowed !== workload) {
  runCore(windowed)
  inWindows = Infinity
  for (let r = 0; r < ROUNDS; r++) inWindows = Math.min(inWindows, runCore(windowed).ms)
}

/**
 * What one dependent load costs here: a random walk over a table of `mib` MiB, one step per cache
 * line. Over 64 MiB it is a load from memory; over 8 MiB, what the caches answer.
 */
const memoryLatencyNs = (mib: number): number => {
  const lines = (mib * 1024 * 1024) / 64
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
const latencyNs = memoryLatencyNs(64)
const cachedLatencyNs = memoryLatencyNs(8)

/**
 * The memory the calls' states hold halfway through the workload (every call live by then): the
 * heap with those states kept, less the heap once they are dropped, per call, after full
 * collections. Says how much data the steps of 10,000 live calls reach into.
 */
const liveBytesPerCall = (): number => {
  setFlagsFromString('--expose-gc')
  const gc = runInNewContext('gc') as () => void
  const collect = () => {
    gc()
    gc()
    return process.memoryUsage().heapUsed
  }
  const states = new Array<State.State>(CALLS).fill(initial)
  runCore(workload, Math.floor(workload.length / (2 * WIDTH)) * WIDTH, states)
  const kept = collect()
  states.fill(initial)
  return (kept - collect()) / CALLS
}
const liveBytes = liveBytesPerCall()

const ops = workload.length / WIDTH
const opsPerSecond = Math.round(ops / (best.ms / 1000))
const baselineOpsPerSecond = Math.round(ops / (baseline.ms / 1000))
const cpuOpsPerSecond = Math.round(ops / (bestCpu / 1000))
const cpuBaselineOpsPerSecond = Math.round(ops / (baselineCpu / 1000))
console.log(
  `core: ${CALLS} calls${WINDOW < CALLS ? ` (${WINDOW} at a time)` : ''}, ${ops} operations (commands, signals, timer ticks), best of ${ROUNDS}`,
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
  `  diagnostic, the same steps call by call (states hot in cache): ${Math.round(ops / (inOrder / 1000)).toLocaleString('en')} ops/s; ${Math.min(WINDOW, DIAGNOSTIC_WINDOW).toLocaleString('en')} calls at a time: ${Math.round(ops / (inWindows / 1000)).toLocaleString('en')} ops/s`,
)
console.log(
  `  one dependent load from memory: ${latencyNs.toFixed(0)} ns, within 8 MiB: ${cachedLatencyNs.toFixed(0)} ns; the calls' states halfway: ${liveBytes.toFixed(0)} bytes a call, ${((liveBytes * CALLS) / 2 ** 20).toFixed(1)} MiB in all`,
)
console.log(
  `  building the steps alone (in both loops above): ${building.toFixed(1)} ms, ${Math.round(ops / (building / 1000)).toLocaleString('en')} steps/s`,
)
console.log(`  target: >= 2,000,000 ops/s -> ${opsPerSecond >= 2_000_000 ? 'met' : 'NOT met'}`)
console.log(
  JSON.stringify({
    bench: 'core',
    metrics: {
      calls: CALLS,
      window: WINDOW,
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
      diagnosticWindow: Math.min(WINDOW, DIAGNOSTIC_WINDOW),
      diagnosticWindowOpsPerSecond: Math.round(ops / (inWindows / 1000)),
      buildingStepsMs: Number(building.toFixed(1)),
      memoryLatencyNs: Number(latencyNs.toFixed(1)),
      latency8MiBNs: Number(cachedLatencyNs.toFixed(1)),
      liveStateBytesPerCall: Math.round(liveBytes),
      targetOpsPerSecond: 2_000_000,
      targetMet: opsPerSecond >= 2_000_000,
    },
  }),
)
