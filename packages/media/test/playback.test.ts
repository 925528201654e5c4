import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Effect, TestClock } from 'effect'
import type { Event, PlaySource } from '@switchboard/core'
import { WavWriter } from '@switchboard/dsp'
import { Pipeline } from '@switchboard/runtime'
import { Speech } from '../src/index.js'
import {
  alice,
  bob,
  callId,
  callbacks,
  createCall,
  httpServer,
  raw,
  request,
  run,
  tags,
  until,
  type HttpServer,
  type Loose,
} from './Harness.js'

/** 2.5 s of a quiet tone at 8 kHz, as a WAV file. */
const wav = WavWriter.write(
  Float32Array.from({ length: 20_000 }, (_, n) => 0.1 * Math.sin((2 * Math.PI * 440 * n) / 8000)),
  { sampleRate: 8000 },
)

let files: HttpServer
let fileUrl: string
beforeAll(async () => {
  files = await httpServer((req, _body, res) => {
    if (req.url === '/prompt.wav') {
      res.writeHead(200, { 'content-type': 'audio/wav' })
      res.end(Buffer.from(wav))
    } else if (req.url === '/garbage.wav') {
      res.writeHead(200, { 'content-type': 'audio/wav' })
      res.end('this is not a wav file')
    } else {
      res.writeHead(404)
      res.end()
    }
  })
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-media-'))
  const path = join(dir, 'local.wav')
  writeFileSync(path, wav)
  fileUrl = pathToFileURL(path).href
})
afterAll(() => files.close())

const connected = (targets = [alice]) =>
  Effect.gen(function* () {
    const pipeline = yield* Pipeline.Pipeline
    yield* pipeline.command(callId(), createCall(callId(), targets))
    yield* TestClock.adjust(500)
    return pipeline
  })

const playToAll = (sources: ReadonlyArray<PlaySource.PlaySource>, loop = false) => ({
  _tag: 'PlayToAll' as const,
  sources,
  loop,
  interrupt: false,
})

/** Waits (real time) for the play to start: files are fetched over real sockets. */
const started = until(
  'PlayStarted',
  Effect.map(
    callbacks(callId()),
    (e) => tags(e).includes('PlayStarted') || tags(e).includes('PlayFailed'),
  ),
)

describe('playback', () => {
  it('a WAV file from a loopback URL lasts its real length', async () => {
    const result = await run(
      Effect.gen(function* () {
        const pipeline = yield* connected()
        yield* pipeline.command(
          callId(),
          playToAll([{ _tag: 'File', uri: `${files.url}/prompt.wav` }]),
        )
        yield* started
        yield* TestClock.adjust(2_400)
        const early = tags(yield* callbacks(callId()))
        yield* TestClock.adjust(200)
        return {
          early,
          late: yield* callbacks(callId()),
          phone: yield* request('simulator.phone.get', { rawId: raw(alice) }),
        }
      }),
    )
    expect(result.early).not.toContain('PlayCompleted')
    expect(tags(result.late)).toContain('PlayCompleted')
    const startedEvent = result.late.find((e) => e._tag === 'PlayStarted') as Event.PlayStarted
    expect(startedEvent.durationMs).toBe(2500)
    expect(result.phone.body.played).toEqual([
      expect.objectContaining({
        kind: 'play',
        durationMs: 2500,
        status: 'finished',
        sources: [`${files.url}/prompt.wav`],
      }),
    ])
  })

  it('a file: URL is read from disk; text lasts its reading-rate estimate; sources play in turn', async () => {
    const text = 'Thank you for calling. Press one for sales.'
    const expected = 2500 + Speech.utterance(text).durationMs
    const events = await run(
      Effect.gen(function* () {
        const pipeline = yield* connected()
        yield* pipeline.command(
          callId(),
          playToAll([
            { _tag: 'File', uri: fileUrl },
            { _tag: 'Text', text },
          ]),
        )
        yield* started
        yield* TestClock.adjust(expected - 10)
        const early = tags(yield* callbacks(callId()))
        expect(early).not.toContain('PlayCompleted')
        yield* TestClock.adjust(20)
        return yield* callbacks(callId())
      }),
    )
    expect((events.find((e) => e._tag === 'PlayStarted') as Event.PlayStarted).durationMs).toBe(
      expected,
    )
    expect(tags(events)).toContain('PlayCompleted')
  })

  it('a source that cannot be fetched fails with 8536, one that is not a WAV with 8535, naming the source', async () => {
    for (const [path, subCode] of [
      ['/missing.wav', 8536],
      ['/garbage.wav', 8535],
    ] as const) {
      const events = await run(
        Effect.gen(function* () {
          const pipeline = yield* connected()
          yield* pipeline.command(
            callId(),
            playToAll([
              { _tag: 'Text', text: 'hello' },
              { _tag: 'File', uri: `${files.url}${path}` },
            ]),
          )
          yield* started
          return yield* callbacks(callId())
        }),
      )
      const failed = events.find((e) => e._tag === 'PlayFailed') as Event.PlayFailed
      expect(failed.resultInformation?.subCode).toBe(subCode)
      expect(failed.failedPlaySourceIndex).toBe(1)
    }
  })

  it('remote URLs are not fetched: assumed 3 s by default, or failed when configured', async () => {
    const assumed = await run(
      Effect.gen(function* () {
        const pipeline = yield* connected()
        yield* pipeline.command(
          callId(),
          playToAll([{ _tag: 'File', uri: 'https://example.com/a.wav' }]),
        )
        yield* started
        return yield* callbacks(callId())
      }),
    )
    expect((assumed.find((e) => e._tag === 'PlayStarted') as Event.PlayStarted).durationMs).toBe(
      3000,
    )
    const refused = await run(
      Effect.gen(function* () {
        const pipeline = yield* connected()
        yield* pipeline.command(
          callId(),
          playToAll([{ _tag: 'File', uri: 'https://example.com/a.wav' }]),
        )
        yield* started
        return yield* callbacks(callId())
      }),
      { remoteFiles: { _tag: 'fail' } },
    )
    expect(
      (refused.find((e) => e._tag === 'PlayFailed') as Event.PlayFailed).resultInformation?.subCode,
    ).toBe(8536)
  })

  it('loop plays until canceled; PlayTo reaches its targets only', async () => {
    const result = await run(
      Effect.gen(function* () {
        const pipeline = yield* connected([alice, bob])
        yield* pipeline.command(callId(), {
          _tag: 'PlayTo',
          targets: [bob],
          sources: [{ _tag: 'Ssml', ssmlText: '<speak>Hold <break time="2s"/> on</speak>' }],
          loop: true,
          interrupt: false,
        })
        yield* started
        yield* TestClock.adjust(60_000)
        const during = tags(yield* callbacks(callId()))
        yield* pipeline.command(callId(), { _tag: 'CancelAllMediaOperations' })
        yield* TestClock.adjust(100)
        return {
          during,
          after: tags(yield* callbacks(callId())),
          alice: yield* request('simulator.phone.get', { rawId: raw(alice) }),
          bob: yield* request('simulator.phone.get', { rawId: raw(bob) }),
        }
      }),
    )
    expect(result.during).not.toContain('PlayCompleted')
    expect(result.after).toContain('PlayCanceled')
    expect(result.alice.body.played).toEqual([])
    expect(result.bob.body.played).toEqual([
      expect.objectContaining({
        kind: 'play',
        loop: true,
        durationMs: null,
        status: 'stopped',
        sources: ['Hold on'],
      }),
    ])
  })

  it('hold music that cannot be fetched reports HoldMusicFailed; the party is still on hold', async () => {
    const result = await run(
      Effect.gen(function* () {
        const pipeline = yield* connected()
        yield* pipeline.command(callId(), {
          _tag: 'Hold',
          target: alice,
          playSource: { _tag: 'File', uri: `${files.url}/missing.wav` },
        })
        yield* until(
          'HoldFailed',
          Effect.map(pipeline.load(callId()), (c) => c.state.holds[0]?.musicFailed === true),
        )
        return {
          events: yield* callbacks(callId()),
          phone: yield* request('simulator.phone.get', { rawId: raw(alice) }),
        }
      }),
    )
    expect(result.phone.body.calls[0].onHold).toBe(true)
    expect(result.phone.body.played).toEqual([])
    expect(tags(result.events)).toContain('HoldFailed')
  })
})

describe('the time scale', () => {
  it('at timeScale 10 a phone answers and audio plays ten times faster on the clock', async () => {
    const events = await run(
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        yield* pipeline.command(callId(), createCall(callId(), [alice]))
        yield* TestClock.adjust(30)
        expect((yield* pipeline.load(callId())).state.status).toBe('connected')
        yield* pipeline.command(
          callId(),
          playToAll([{ _tag: 'File', uri: `${files.url}/prompt.wav` }]),
        )
        yield* started
        yield* TestClock.adjust(260)
        return yield* callbacks(callId())
      }),
      { timeScale: 10 },
    )
    expect(tags(events)).toContain('PlayCompleted')
    // the audio is still reported at its own length
    expect((events.find((e) => e._tag === 'PlayStarted') as Loose).durationMs).toBe(2500)
  })
})
