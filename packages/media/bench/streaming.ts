/**
 * How fast the world produces media-streaming frames: mixing the parties' audio for 20 ms,
 * PCM encoding, base64 and the JSON message, in multiples of real time and in concurrent
 * streams one core can feed. Baseline, in the same run: sending a precomputed silent frame
 * (JSON encoding only).
 */
import { Base64, Pcm } from '@switchboard/dsp'
import { Identifier } from '@switchboard/core'
import { Streaming } from '@switchboard/wire'
import { AudioPath, Mixer, Speech, World } from '../src/index.js'

const FRAMES = 20_000 // 400 s of audio per run

const leg = (raw: string, segments: Array<World.Segment>): World.Leg => ({
  phone: World.fresh(World.defaults, Identifier.parse(raw)),
  status: 'connected',
  onHold: false,
  muted: false,
  since: '',
  onAnswer: null,
  pressId: 0,
  speechId: 0,
  segments,
})

/** Two parties: one pressing keys every second, one talking most of the time. */
const call = (): World.CallRecord => {
  const tones: Array<World.Segment> = []
  const speech: Array<World.Segment> = []
  const timing = AudioPath.keypadTiming
  for (let t = 0; t < FRAMES * 20; t += 1000)
    tones.push({
      startAudioMs: t,
      durationMs: AudioPath.durationMs(2, timing),
      kind: 'tones',
      render: (rate) => AudioPath.synthesize(['one', 'pound'], timing, rate),
    })
  const u = Speech.utterance('I would like to talk to somebody about my last invoice please.')
  for (let t = 0; t < FRAMES * 20; t += u.durationMs + 500)
    speech.push({
      startAudioMs: t,
      durationMs: u.durationMs,
      kind: 'speech',
      render: (rate) => Speech.render(u, rate),
    })
  return {
    id: 'bench',
    legs: new Map([
      ['4:+14255550101', leg('4:+14255550101', tones)],
      ['4:+14255550102', leg('4:+14255550102', speech)],
    ]),
    ended: false,
    stream: null,
    transcription: null,
    report: null,
  }
}

const time = (f: () => number): { ms: number; bytes: number } => {
  const t0 = performance.now()
  const bytes = f()
  return { ms: performance.now() - t0, bytes }
}

const rows: Array<{ name: string; ms: number; realTime: number; streams: number }> = []
const record = (name: string, ms: number, frames: number) => {
  const audioMs = frames * 20
  rows.push({ name, ms, realTime: audioMs / ms, streams: Math.floor(audioMs / ms) })
}

const silence16 = Base64.encode(new Uint8Array(Pcm.frameBytes(16000)))
const baseline = time(() => {
  let bytes = 0
  for (let k = 0; k < FRAMES; k++)
    bytes += Streaming.encode(
      Streaming.audioData('2026-01-01T00:00:00.000Z', silence16, true),
    ).length
  return bytes
})
record('baseline: silent frame, JSON only', baseline.ms, FRAMES)

for (const [mode, rate] of [
  ['mixed', 16000],
  ['mixed', 24000],
  ['unmixed', 16000],
] as const) {
  const c = call()
  // warm the render caches, as a running stream would have
  Mixer.mixed(c, 0, rate)
  const r = time(() => {
    let bytes = 0
    for (let k = 0; k < FRAMES; k++) {
      // as the pump does
      if (k % 500 === 499) for (const [, l] of World.connected(c)) World.prune(l, k * 20)
      const frames =
        mode === 'mixed' ? [Mixer.mixed(c, k * 20, rate)] : Mixer.unmixed(c, k * 20, rate, 4)
      for (const f of frames) {
        const data = f.samples === null ? silence16 : Base64.encode(Pcm.float32ToBytes(f.samples))
        bytes += Streaming.encode(
          Streaming.audioData(
            '2026-01-01T00:00:00.000Z',
            data,
            f.samples === null,
            f.participantRawID,
          ),
        ).length
      }
    }
    return bytes
  })
  record(`${mode} ${rate / 1000} kHz, 2 parties (tones + speech)`, r.ms, FRAMES)
}

console.log('frames per run:', FRAMES, `(${(FRAMES * 20) / 1000} s of audio)`)
console.log(
  'case'.padEnd(46),
  'ms'.padStart(9),
  'x real time'.padStart(12),
  'streams/core'.padStart(13),
)
for (const r of rows)
  console.log(
    r.name.padEnd(46),
    r.ms.toFixed(1).padStart(9),
    r.realTime.toFixed(0).padStart(12),
    String(r.streams).padStart(13),
  )
const mixed16 = rows[1]!
console.log(
  JSON.stringify({
    bench: 'media-streaming',
    metrics: {
      frames: FRAMES,
      baselineRealTime: Math.round(rows[0]!.realTime),
      mixed16RealTime: Math.round(mixed16.realTime),
      mixed24RealTime: Math.round(rows[2]!.realTime),
      unmixed16RealTime: Math.round(rows[3]!.realTime),
      mixed16VsBaseline: Number((mixed16.ms / rows[0]!.ms).toFixed(2)),
    },
  }),
)
