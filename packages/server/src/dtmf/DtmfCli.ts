/**
 * `switchboard dtmf`: decode DTMF keys in recordings (`decode`) and make test audio with the
 * keys you choose (`synth`), with the detector and synthesizer of `@switchboard/dsp` — the very
 * detector and thresholds of the service's continuous DTMF recognition, with no knobs.
 */
import * as Stdout from '../Stdout.js'
import { createReadStream, writeFileSync } from 'node:fs'
import type { WavFormat } from '@switchboard/dsp'
import * as Decode from './Decode.js'
import { DecodeError } from './DecodeError.js'
import * as Report from './Report.js'
import * as Synth from './Synth.js'

/** Where the CLI reads and writes; the process's streams by default, anything in tests. */
export interface Io {
  /** One line of standard output. */
  readonly out: (line: string) => void
  /** One line of standard error. */
  readonly err: (line: string) => void
  /** Bytes to standard output (`synth -o -`). */
  readonly outBytes: (bytes: Uint8Array) => void
  /** Standard input, in blocks (`decode -`). */
  readonly stdin: () => AsyncIterable<Uint8Array>
}

const stdout = Stdout.guard

export const processIo: Io = {
  out: (line) => void stdout().write(`${line}\n`),
  err: (line) => void process.stderr.write(`${line}\n`),
  outBytes: (bytes) => void stdout().write(bytes),
  stdin: () => process.stdin,
}

/** Files are read in blocks of this many bytes. */
export const BLOCK_BYTES = 64 * 1024

/** Exit statuses. */
export const OK = 0
/** Bad input (a file that could not be decoded) or bad usage. */
export const BAD_INPUT = 2
/** An unexpected failure (a bug): reported in one line too. */
export const FAILED = 1

export const help: ReadonlyArray<string> = [
  'Usage: switchboard dtmf decode [options] FILE...',
  '       switchboard dtmf synth DIGITS -o OUT.wav [options]',
  '',
  'Decode DTMF keys in recordings, or write a WAV file with the keys you choose. Decoding runs',
  "the detector and thresholds of Switchboard's continuous DTMF recognition (@switchboard/dsp),",
  'unchanged: there is nothing to tune.',
  '',
  'decode FILE...        decode each FILE in turn (- is standard input)',
  '  Inputs: WAV (RIFF/WAVE) with 8-bit unsigned, 16-, 24- or 32-bit signed integer or 32-bit',
  '  float samples, any number of channels (mixed down by default), any rate 8000-48000 Hz.',
  '  --channel N         decode channel N of a WAV file only (1 is the first, e.g. left)',
  '  --raw --rate N      the files are headerless signed 16-bit little-endian mono PCM at N Hz',
  '  --streaming-jsonl   the files are ACS media-streaming sessions: the JSON messages the',
  '                      service sent on the WebSocket, one per line (AudioMetadata, then',
  '                      AudioData; other kinds are skipped). Unmixed audio is decoded per',
  '                      participantRawID.',
  '  --json              one JSON object per line per file instead of text:',
  '                      {"file","sampleRate","durationMs","digits",',
  '                       "tones":[{"key","startMs","endMs","levelDbfs"}]}',
  '                      times in ms from the start of the file, levels in dBFS (0 dBFS is a',
  '                      full-scale sine; the mean level of the two tones). Unmixed streaming',
  '                      sessions add "participantRawID" to each tone and',
  '                      "participants":[{"participantRawID","digits"}].',
  '  Output (text): one line per file, FILE: 123# (no keys: FILE: and nothing after the colon);',
  '  an unmixed streaming session prints one line per participant, FILE [RAWID]: 78.',
  '  Files are read in 64 KiB blocks with bounded memory, whatever their size.',
  '',
  'synth DIGITS -o OUT     write the keys (0-9 * # A-D) as a WAV file (-o - writes to stdout)',
  '  --rate N            sample rate in Hz, 8000-48000 (default 8000)',
  '  --tone-ms MS        length of each tone (default 100)',
  '  --gap-ms MS         silence between tones (default 100)',
  '  --level-dbfs DB     mean level of the two tones, 0 dBFS = full-scale sine (default -10)',
  '  --twist-db DB       column (high) tone level minus row (low) tone level (default 0)',
  '  --encoding E        u8, s16, s24, s32 or f32 (default s16)',
  '',
  'Exit status: 0 when every file was decoded (whether or not it held keys) or the WAV was',
  'written; 2 when a file could not be decoded (not audio, truncated, unsupported encoding or',
  'rate, empty, missing or unreadable: one line on stderr names the file and the reason, and',
  'the other files are still decoded) or the command line is wrong; 1 on an unexpected failure.',
  '',
  'Examples:',
  '  switchboard dtmf synth 123# -o keys.wav --rate 16000',
  '  switchboard dtmf decode keys.wav call.wav',
  '  sox call.mp3 -t wav - | switchboard dtmf decode --json -',
  '  switchboard dtmf decode --raw --rate 8000 capture.raw',
  '  switchboard dtmf decode --streaming-jsonl session.jsonl',
]

interface Parsed {
  readonly positionals: ReadonlyArray<string>
  readonly flags: ReadonlySet<string>
  readonly values: ReadonlyMap<string, string>
}

/**
 * A small argument parser: an option that takes a value always takes the next argument, so
 * `--level-dbfs -10` works; `--name=value` too. `-` is a positional; `--` ends the options.
 */
const parse = (
  args: ReadonlyArray<string>,
  flags: ReadonlyArray<string>,
  valued: ReadonlyArray<string>,
): Parsed | string => {
  const positionals: string[] = []
  const seen = new Set<string>()
  const values = new Map<string, string>()
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--') {
      positionals.push(...args.slice(i + 1))
      break
    }
    if (arg === '-' || !arg.startsWith('-')) {
      positionals.push(arg)
      continue
    }
    const eq = arg.indexOf('=')
    const name = eq < 0 ? arg : arg.slice(0, eq)
    if (flags.includes(name)) {
      if (eq >= 0) return `${name} takes no value`
      seen.add(name)
    } else if (valued.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i]
      if (value === undefined) return `${name} needs a value`
      values.set(name, value)
    } else return `unknown option ${name}`
  }
  return { positionals, flags: seen, values }
}

const number = (text: string | undefined, fallback: number): number =>
  text === undefined || text.trim() === '' ? (text === undefined ? fallback : NaN) : Number(text)

const usageError = (io: Io, message: string): number => {
  io.err(`switchboard dtmf: ${message}`)
  io.err('Run `switchboard dtmf --help` for the options.')
  return BAD_INPUT
}

const readError = (e: unknown): DecodeError | undefined => {
  const code = (e as NodeJS.ErrnoException | undefined)?.code
  if (typeof code !== 'string') return undefined
  const what =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'EACCES'
          ? 'permission denied'
          : (e as Error).message
  return new DecodeError('cannot read', what)
}

/** `switchboard dtmf decode`. */
export const decode = async (args: ReadonlyArray<string>, io: Io = processIo): Promise<number> => {
  const parsed = parse(
    args,
    ['--json', '--raw', '--streaming-jsonl', '--help', '-h'],
    ['--rate', '--channel'],
  )
  if (typeof parsed === 'string') return usageError(io, parsed)
  if (parsed.flags.has('--help') || parsed.flags.has('-h')) {
    help.forEach((l) => io.out(l))
    return OK
  }
  const raw = parsed.flags.has('--raw')
  const jsonl = parsed.flags.has('--streaming-jsonl')
  const rateText = parsed.values.get('--rate')
  const channelText = parsed.values.get('--channel')
  if (raw && jsonl) return usageError(io, '--raw and --streaming-jsonl exclude each other')
  if (raw && rateText === undefined) return usageError(io, '--raw needs --rate N (the sample rate)')
  if (!raw && rateText !== undefined)
    return usageError(io, '--rate goes with --raw (WAV files and sessions carry their rate)')
  if (channelText !== undefined && (raw || jsonl))
    return usageError(io, '--channel applies to WAV files only')
  let input: Decode.Input
  if (raw) {
    const rate = number(rateText, NaN)
    if (!(Number.isInteger(rate) && rate >= Decode.MIN_RATE && rate <= Decode.MAX_RATE))
      return usageError(
        io,
        `unsupported sample rate ${rateText} (a whole number of Hz within ${Decode.MIN_RATE}-${Decode.MAX_RATE})`,
      )
    input = { _tag: 'Raw', sampleRate: rate }
  } else if (jsonl) input = { _tag: 'StreamingJsonl' }
  else if (channelText !== undefined) {
    const channel = number(channelText, NaN)
    if (!(Number.isInteger(channel) && channel >= 1))
      return usageError(io, `--channel must be 1 or more (1 is the first), got ${channelText}`)
    input = { _tag: 'Wav', channel }
  } else input = { _tag: 'Wav' }
  const files = parsed.positionals
  if (files.length === 0) return usageError(io, 'decode: give one or more files (- for stdin)')
  if (files.filter((f) => f === '-').length > 1)
    return usageError(io, 'standard input (-) can be read only once')
  const json = parsed.flags.has('--json')
  let status = OK
  for (const file of files) {
    try {
      const blocks =
        file === '-' ? io.stdin() : createReadStream(file, { highWaterMark: BLOCK_BYTES })
      const decoded = await Decode.stream(blocks as AsyncIterable<Uint8Array>, input)
      const report = Decode.report(file, decoded)
      if (json) io.out(Report.json(report))
      else Report.text(report).forEach((l) => io.out(l))
    } catch (e) {
      const known = e instanceof DecodeError ? e : readError(e)
      if (known !== undefined) {
        io.err(`switchboard dtmf: ${file}: ${known.message}`)
        status = Math.max(status, BAD_INPUT)
      } else {
        io.err(
          `switchboard dtmf: ${file}: unexpected failure: ${String((e as Error)?.message ?? e)}`,
        )
        status = status === BAD_INPUT ? BAD_INPUT : FAILED
      }
    }
  }
  return status
}

/** `switchboard dtmf synth`. */
export const synth = (args: ReadonlyArray<string>, io: Io = processIo): number => {
  const parsed = parse(
    args,
    ['--help', '-h'],
    [
      '-o',
      '--output',
      '--rate',
      '--tone-ms',
      '--gap-ms',
      '--level-dbfs',
      '--twist-db',
      '--encoding',
    ],
  )
  if (typeof parsed === 'string') return usageError(io, parsed)
  if (parsed.flags.has('--help') || parsed.flags.has('-h')) {
    help.forEach((l) => io.out(l))
    return OK
  }
  const [digits, ...rest] = parsed.positionals
  if (digits === undefined)
    return usageError(io, 'synth: give the keys, e.g. synth 123# -o out.wav')
  if (rest.length > 0) return usageError(io, `synth: unexpected argument ${rest[0]}`)
  const out = parsed.values.get('-o') ?? parsed.values.get('--output')
  if (out === undefined) return usageError(io, 'synth: give the output file with -o OUT.wav')
  const v = (name: string, fallback: number) => number(parsed.values.get(name), fallback)
  const options: Synth.Options = {
    sampleRate: v('--rate', Synth.defaults.sampleRate),
    toneMs: v('--tone-ms', Synth.defaults.toneMs),
    gapMs: v('--gap-ms', Synth.defaults.gapMs),
    levelDbfs: v('--level-dbfs', Synth.defaults.levelDbfs),
    twistDb: v('--twist-db', Synth.defaults.twistDb),
    encoding: (parsed.values.get('--encoding') ?? Synth.defaults.encoding) as WavFormat.Encoding,
  }
  let bytes: Uint8Array
  try {
    bytes = Synth.wav(digits, options)
  } catch (e) {
    if (e instanceof Synth.SynthOptionError) return usageError(io, `synth: ${e.message}`)
    throw e
  }
  if (out === '-') {
    io.outBytes(bytes)
    return OK
  }
  try {
    writeFileSync(out, bytes)
  } catch (e) {
    io.err(
      `switchboard dtmf: ${out}: cannot write: ${readError(e)?.detail ?? (e as Error).message}`,
    )
    return BAD_INPUT
  }
  return OK
}

/** `switchboard dtmf ARGS...`: dispatches to `decode` or `synth`; the exit status. */
export const run = async (args: ReadonlyArray<string>, io: Io = processIo): Promise<number> => {
  const [sub, ...rest] = args
  switch (sub) {
    case 'decode':
      return decode(rest, io)
    case 'synth':
      return synth(rest, io)
    case undefined:
      help.forEach((l) => io.err(l))
      return BAD_INPUT
    case 'help':
    case '--help':
    case '-h':
      help.forEach((l) => io.out(l))
      return OK
    default:
      return usageError(io, `unknown subcommand "${sub}" (decode or synth)`)
  }
}
