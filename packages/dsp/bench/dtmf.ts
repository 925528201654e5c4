/**
 * DTMF benchmark: our detector against multimon-ng on the same generated corpora.
 *
 * Corpora (8 kHz 16-bit mono WAV files in a temporary folder): clean presses with varied
 * timing, level, twist and frequency; the same at 20, 10 and 6 dB SNR of white noise; fast
 * 40 ms tone / 40 ms gap sequences, clean and at 20 dB SNR; and, when espeak-ng is installed,
 * speech without any digit (talk-off). Accuracy is the missed and extra digits per corpus
 * from an alignment (longest common subsequence) of the decoded string with the truth.
 * Speed is audio duration over decoding time on one core (WAV parsing included), in
 * multiples of real time. multimon-ng reads raw 16-bit audio at 22050 Hz, its native rate,
 * converted beforehand (not timed); its time includes starting the process.
 *
 * Prints a table, then one JSON line: {"bench":"dtmf","metrics":{...}}.
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { DtmfDetector, Pcm, Resampler, WavReader } from '../src/index.js'
import * as Corpora from './Corpora.js'
import type { Corpus } from './Corpora.js'

const RUNS = 5

/** The corpora (shared with the CLI's comparison test): synthetic ones, and speech when espeak-ng is installed. */
const corpora = (): Corpus[] => {
  const out = Corpora.synthetic()
  const spoken = Corpora.speech()
  if (spoken !== undefined) out.push(spoken)
  else console.log('notice: espeak-ng is not installed; the speech (talk-off) corpus is left out')
  return out
}

export const score = Corpora.score

const ours = (wav: Uint8Array): string => {
  const { format, samples } = WavReader.read(wav)
  return DtmfDetector.decode(samples, format.sampleRate)
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const multimonAvailable = (): boolean =>
  spawnSync('sh', ['-c', 'command -v multimon-ng'], { encoding: 'utf8' }).status === 0

const multimon = (raw: string): string => {
  const out = execFileSync('multimon-ng', ['-q', '-n', '-c', '-a', 'DTMF', '-t', 'raw', raw], {
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  })
  return out
    .split('\n')
    .filter((l) => l.startsWith('DTMF: '))
    .map((l) => l.slice(6).trim())
    .join('')
}

/** CPU seconds (user + system) that multimon-ng takes on the files, process start included. */
const multimonCpuSeconds = (raws: ReadonlyArray<string>): number => {
  const runs = raws.map((r) => `multimon-ng -q -n -c -a DTMF -t raw '${r}' >/dev/null`).join('; ')
  const out = execFileSync('bash', ['-c', `${runs}; times`], { encoding: 'utf8' })
  // `times` prints the shell's user and system times, then its children's.
  const children = out.trim().split('\n').at(-1)!.trim().split(/\s+/)
  const seconds = (t: string): number => {
    const m = /^(\d+)m([\d.]+)s$/.exec(t)
    if (!m) throw new Error(`unexpected output of times: ${out}`)
    return Number(m[1]) * 60 + Number(m[2])
  }
  return seconds(children[0]!) + seconds(children[1]!)
}

const main = (): void => {
  const dir = mkdtempSync(join(tmpdir(), 'dsp-bench-'))
  try {
    const list = corpora()
    const audio = list.reduce((s, c) => s + c.seconds, 0)
    for (const c of list)
      writeFileSync(join(dir, `${c.name.replace(/[^a-z0-9-]/gi, '_')}.wav`), c.wav)
    // Files written, read back: both tools decode the same bytes.
    const files = list.map((c) => ({
      ...c,
      wav: new Uint8Array(readFileSync(join(dir, `${c.name.replace(/[^a-z0-9-]/gi, '_')}.wav`))),
    }))

    // Ours: one warm-up pass, then RUNS timed passes; the median pass counts. CPU time is
    // the cost on one core whatever else the machine runs; wall time is shown beside it.
    const decoded = files.map((c) => ours(c.wav))
    const times: number[] = []
    const walls: number[] = []
    for (let r = 0; r < RUNS; r++) {
      const c0 = process.cpuUsage()
      const t0 = performance.now()
      for (const c of files) ours(c.wav)
      walls.push((performance.now() - t0) / 1000)
      const c1 = process.cpuUsage(c0)
      times.push((c1.user + c1.system) / 1e6)
    }
    const oursSpeed = audio / median(times)
    const oursWall = audio / median(walls)

    let mmDecoded: string[] | undefined
    let mmSpeed: number | undefined
    let mmWall: number | undefined
    if (multimonAvailable()) {
      const raws = files.map((c, i) => {
        const { format, samples } = WavReader.read(c.wav)
        const path = join(dir, `c${i}.raw`)
        writeFileSync(
          path,
          Pcm.float32ToBytes(Resampler.resample(samples, format.sampleRate, 22050)),
        )
        return path
      })
      mmDecoded = raws.map(multimon)
      const mmTimes: number[] = []
      const mmWalls: number[] = []
      for (let r = 0; r < RUNS; r++) {
        const t0 = performance.now()
        mmTimes.push(multimonCpuSeconds(raws))
        mmWalls.push((performance.now() - t0) / 1000)
      }
      mmSpeed = audio / median(mmTimes)
      mmWall = audio / median(mmWalls)
    } else
      console.log(
        'notice: multimon-ng is not installed (apt-get install multimon-ng); reporting our detector only',
      )

    const rows = files.map((c, i) => ({
      corpus: c.name,
      seconds: c.seconds,
      digits: c.truth.length,
      ours: score(c.truth, decoded[i]!),
      multimon: mmDecoded ? score(c.truth, mmDecoded[i]!) : undefined,
    }))
    const pad = (s: string | number, n: number): string => String(s).padStart(n)
    console.log(
      `\nDTMF benchmark: ${audio.toFixed(0)} s of 8 kHz audio in ${files.length} corpora\n`,
    )
    console.log(
      `${'corpus'.padEnd(20)}${pad('secs', 6)}${pad('digits', 8)}${pad('ours missed', 13)}${pad('extra', 7)}${pad('multimon missed', 17)}${pad('extra', 7)}`,
    )
    for (const r of rows)
      console.log(
        `${r.corpus.padEnd(20)}${pad(r.seconds.toFixed(0), 6)}${pad(r.digits, 8)}${pad(r.ours.missed, 13)}${pad(r.ours.extra, 7)}${pad(r.multimon?.missed ?? '-', 17)}${pad(r.multimon?.extra ?? '-', 7)}`,
      )
    console.log(
      `\nours:        ${oursSpeed.toFixed(0)}x real time in CPU time on one core (${oursWall.toFixed(0)}x in wall time; median of ${RUNS} passes)`,
    )
    if (mmSpeed !== undefined) {
      console.log(
        `multimon-ng: ${mmSpeed.toFixed(0)}x real time in CPU time (${mmWall!.toFixed(0)}x in wall time; 22050 Hz raw input, process start included)`,
      )
      console.log(`speed ratio: ${(oursSpeed / mmSpeed).toFixed(2)} (ours / multimon-ng)`)
      const worse = rows.filter(
        (r) => r.ours.missed + r.ours.extra > r.multimon!.missed + r.multimon!.extra,
      )
      console.log(
        worse.length === 0
          ? 'accuracy: no worse than multimon-ng on any corpus'
          : `accuracy: worse than multimon-ng on ${worse.map((r) => r.corpus).join(', ')}`,
      )
    }
    const corporaMetrics = Object.fromEntries(
      rows.map((r) => [
        r.corpus,
        {
          seconds: Number(r.seconds.toFixed(1)),
          digits: r.digits,
          ours: r.ours,
          ...(r.multimon ? { multimon: r.multimon } : {}),
        },
      ]),
    )
    const metrics = {
      audio_seconds: Number(audio.toFixed(1)),
      corpora: corporaMetrics,
      ours_x_realtime: Math.round(oursSpeed),
      ours_x_realtime_wall: Math.round(oursWall),
      multimon_x_realtime: mmSpeed === undefined ? null : Math.round(mmSpeed),
      multimon_x_realtime_wall: mmWall === undefined ? null : Math.round(mmWall),
      speed_ratio: mmSpeed === undefined ? null : Number((oursSpeed / mmSpeed).toFixed(2)),
      multimon_available: mmSpeed !== undefined,
    }
    console.log(JSON.stringify({ bench: 'dtmf', metrics }))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main()
