import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { PlaySource, Signal } from '@switchboard/core'
import { WavReader } from '@switchboard/dsp'
import { Data, Effect } from 'effect'
import * as Speech from './Speech.js'

/**
 * What a play source sounds like, as far as the world cares: how long it lasts. Text and SSML are
 * estimated from a reading rate (or spoken by `espeak-ng` and measured); a WAV file is fetched
 * from a loopback `http(s)` URL or a `file:` URL and measured by the dsp WAV reader. A source
 * that cannot be fetched fails with `fileDownload`, one that is not a readable WAV with
 * `fileFormat`.
 */

export class SourceError extends Data.TaggedError('SourceError')<{
  readonly reason: Signal.PlaybackFailure
  readonly message: string
}> {}

export type TextToSpeech = 'estimate' | 'espeak-ng' | 'auto'

/** What to do with a file URL that is neither loopback nor `file:` (the world has no Internet). */
export type RemoteFiles =
  | { readonly _tag: 'assume'; readonly durationMs: number }
  | { readonly _tag: 'fetch' }
  | { readonly _tag: 'fail' }

export interface Options {
  readonly textToSpeech: TextToSpeech
  readonly remoteFiles: RemoteFiles
  /** Largest file fetched (bytes). */
  readonly maxFileBytes: number
  /** How long a fetch may take (real time, ms). */
  readonly fetchTimeoutMs: number
}

export const defaults: Options = {
  textToSpeech: 'auto',
  remoteFiles: { _tag: 'assume', durationMs: 3000 },
  maxFileBytes: 50 * 1024 * 1024,
  fetchTimeoutMs: 10_000,
}

export interface Resolved {
  readonly durationMs: number
  /** A short description for logs: the URI, or the text. */
  readonly description: string
  readonly kind: 'file' | 'text' | 'ssml'
}

/** Is this host the local machine? */
export const isLoopbackHost = (host: string): boolean => {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
}

const fail = (reason: Signal.PlaybackFailure, message: string) =>
  Effect.fail(new SourceError({ reason, message }))

const durationOfWav = (bytes: Uint8Array, what: string) =>
  Effect.try({
    try: () => {
      const wav = WavReader.read(bytes)
      return (wav.samples.length * 1000) / wav.format.sampleRate
    },
    catch: (e) =>
      new SourceError({
        reason: 'fileFormat',
        message: `${what} is not a readable WAV file: ${e instanceof Error ? e.message : String(e)}`,
      }),
  })

const download = (url: URL, options: Options) =>
  Effect.tryPromise({
    try: async (signal) => {
      const timeout = AbortSignal.timeout(options.fetchTimeoutMs)
      const response = await fetch(url, { signal: AbortSignal.any([signal, timeout]) })
      if (!response.ok) throw new Error(`HTTP ${response.status}`)
      const length = Number(response.headers.get('content-length') ?? '0')
      if (length > options.maxFileBytes) throw new Error(`file too large (${length} bytes)`)
      const body = new Uint8Array(await response.arrayBuffer())
      if (body.length > options.maxFileBytes) throw new Error(`file too large`)
      return body
    },
    catch: (e) =>
      new SourceError({
        reason: 'fileDownload',
        message: `cannot fetch ${url.href}: ${e instanceof Error ? e.message : String(e)}`,
      }),
  })

const readLocal = (url: URL, options: Options) =>
  Effect.tryPromise({
    try: async () => {
      const bytes = await readFile(fileURLToPath(url))
      if (bytes.length > options.maxFileBytes) throw new Error('file too large')
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length)
    },
    catch: (e) =>
      new SourceError({
        reason: 'fileDownload',
        message: `cannot read ${url.href}: ${e instanceof Error ? e.message : String(e)}`,
      }),
  })

const fileDuration = (uri: string, options: Options): Effect.Effect<number, SourceError> => {
  let url: URL
  try {
    url = new URL(uri)
  } catch {
    return fail('fileDownload', `not a URL: ${uri}`)
  }
  if (url.protocol === 'file:')
    return Effect.flatMap(readLocal(url, options), (b) => durationOfWav(b, uri))
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return fail('fileDownload', `cannot fetch ${url.protocol} URLs`)
  if (!isLoopbackHost(url.hostname)) {
    switch (options.remoteFiles._tag) {
      case 'assume':
        return Effect.succeed(options.remoteFiles.durationMs)
      case 'fail':
        return fail(
          'fileDownload',
          `${uri} is not a loopback URL; the simulated world has no Internet`,
        )
      case 'fetch':
        break
    }
  }
  return Effect.flatMap(download(url, options), (b) => durationOfWav(b, uri))
}

// ------------------------------------------------------------------ espeak-ng

let espeakAvailable: Promise<boolean> | undefined

const run = (args: ReadonlyArray<string>) =>
  new Promise<Buffer>((resolve, reject) => {
    execFile(
      'espeak-ng',
      [...args],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
      (error, stdout) => (error !== null ? reject(error) : resolve(stdout)),
    )
  })

/** Is `espeak-ng` installed (asked once per process)? */
export const hasEspeak = (): Promise<boolean> =>
  (espeakAvailable ??= run(['--version']).then(
    () => true,
    () => false,
  ))

const spoken = new Map<string, number>()

/** Speaks text (or SSML) with espeak-ng and measures the audio; null when it cannot. */
const espeakDuration = (text: string, ssml: boolean) =>
  Effect.promise(async () => {
    const key = `${ssml ? 's' : 't'}:${text}`
    const known = spoken.get(key)
    if (known !== undefined) return known
    // espeak-ng's --stdout WAV has no length in its header: write a file instead
    const dir = await mkdtemp(join(tmpdir(), 'switchboard-tts-'))
    try {
      const path = join(dir, 'speech.wav')
      await run([...(ssml ? ['-m'] : []), '-w', path, '--', text])
      const wav = WavReader.read(new Uint8Array(await readFile(path)))
      const ms = (wav.samples.length * 1000) / wav.format.sampleRate
      if (spoken.size > 1000) spoken.clear()
      spoken.set(key, ms)
      return ms
    } catch {
      return null
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })

const speechDuration = (
  text: string,
  ssml: boolean,
  options: Options,
): Effect.Effect<number, SourceError> => {
  const estimate = (ssml ? Speech.fromSsml(text) : Speech.utterance(text)).durationMs
  if (options.textToSpeech === 'estimate') return Effect.succeed(estimate)
  return Effect.gen(function* () {
    if (options.textToSpeech === 'auto' && !(yield* Effect.promise(hasEspeak))) return estimate
    const measured = yield* espeakDuration(text, ssml)
    if (measured !== null) return measured
    if (options.textToSpeech === 'espeak-ng')
      return yield* fail('speechService', 'espeak-ng could not speak the text')
    return estimate
  })
}

const shorten = (s: string): string => (s.length > 80 ? `${s.slice(0, 77)}...` : s)

/** Measures one source. */
export const resolve = (
  source: PlaySource.PlaySource,
  options: Options,
): Effect.Effect<Resolved, SourceError> => {
  switch (source._tag) {
    case 'File':
      return Effect.map(fileDuration(source.uri, options), (durationMs) => ({
        durationMs: Math.round(durationMs),
        description: source.uri,
        kind: 'file' as const,
      }))
    case 'Text':
      return Effect.map(speechDuration(source.text, false, options), (durationMs) => ({
        durationMs: Math.round(durationMs),
        description: shorten(source.text),
        kind: 'text' as const,
      }))
    case 'Ssml':
      return Effect.map(speechDuration(source.ssmlText, true, options), (durationMs) => ({
        durationMs: Math.round(durationMs),
        description: shorten(Speech.fromSsml(source.ssmlText).text),
        kind: 'ssml' as const,
      }))
  }
}

/** Measures every source in order; the first that fails ends it, with its index. */
export const resolveAll = (
  sources: ReadonlyArray<PlaySource.PlaySource>,
  options: Options,
): Effect.Effect<
  ReadonlyArray<Resolved>,
  { readonly index: number; readonly error: SourceError }
> =>
  Effect.forEach(sources, (s, index) =>
    Effect.mapError(resolve(s, options), (error) => ({ index, error })),
  )
