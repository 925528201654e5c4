import { afterEach, describe, expect, it } from 'vitest'
import { Effect, TestClock } from 'effect'
import type { Command } from '@switchboard/core'
import { Identifier } from '@switchboard/core'
import { Base64, DtmfDetector, Pcm } from '@switchboard/dsp'
import { Pipeline } from '@switchboard/runtime'
import { Streaming } from '@switchboard/wire'
import {
  alice,
  bob,
  callId,
  callbacks,
  createCall,
  raw,
  realWait,
  request,
  run,
  tags,
  until,
  wsServer,
  type Loose,
  type WsServer,
} from './Harness.js'

const carol = Identifier.communicationUser('8:acs:carol')
const servers: Array<WsServer> = []
const server = async () => {
  const s = await wsServer()
  servers.push(s)
  return s
}
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close()
})

const streaming = (
  url: string,
  extra: Partial<Command.MediaStreamingConfig> = {},
): Command.MediaStreamingConfig => ({
  transportUrl: url,
  audioChannelType: 'mixed',
  audioFormat: 'pcm16KMono',
  startMediaStreaming: true,
  enableBidirectional: false,
  enableDtmfTones: true,
  ...extra,
})

const ofKind = (ws: WsServer, kind: string) => ws.messages.filter((m) => m.data.kind === kind)

/** The PCM of a run of AudioData messages, decoded. */
const pcmOf = (messages: ReadonlyArray<{ data: Loose }>): Float32Array => {
  const parts = messages.map((m) => Pcm.bytesToFloat32(Base64.decode(m.data.audioData.data)))
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0))
  let o = 0
  for (const p of parts) {
    out.set(p, o)
    o += p.length
  }
  return out
}

/** Connects a call whose streaming starts with it, and waits until the socket is up. */
const connectStreaming = (
  ws: WsServer,
  config: Command.MediaStreamingConfig,
  targets: ReadonlyArray<Identifier.Identifier> = [alice],
) =>
  Effect.gen(function* () {
    const pipeline = yield* Pipeline.Pipeline
    yield* pipeline.command(callId(), createCall(callId(), targets, { mediaStreaming: config }))
    yield* TestClock.adjust(500)
    yield* until(
      'the media stream to start',
      Effect.map(pipeline.load(callId()), (c) => c.state.streaming._tag === 'Active'),
    )
    yield* until(
      'AudioMetadata',
      Effect.sync(() => ofKind(ws, 'AudioMetadata').length === 1),
    )
    // the stream may have opened while the clock was moving: frames it owed are sent at once
    yield* realWait(30)
    const baseline = ofKind(ws, 'AudioData').length
    return { pipeline, baseline }
  })

describe('media streaming', () => {
  it('sends metadata, one frame per 20 ms, and the tones the phone pressed (found by the detector)', async () => {
    const ws = await server()
    const outcome = await run(
      Effect.gen(function* () {
        const { baseline } = yield* connectStreaming(ws, streaming(ws.url))
        const pressed = yield* request(
          'simulator.dtmf',
          { callConnectionId: 'call-1', rawId: raw(alice) },
          { tones: ['one', 'five', 'nine', 'pound'] },
        )
        expect(pressed.status).toBe(202)
        yield* TestClock.adjust(2_000)
        yield* until(
          '100 frames',
          Effect.sync(() => ofKind(ws, 'AudioData').length >= baseline + 100),
        )
        yield* realWait(50)
        return { events: yield* callbacks(callId()), baseline }
      }),
    )
    const { events: result, baseline } = outcome
    expect(tags(result)).toContain('MediaStreamingStarted')
    expect(ws.headers[0]?.['x-ms-call-connection-id']).toBe('call-1')
    expect(ws.headers[0]?.['x-ms-call-correlation-id']).toBe('corr-call-1')
    const metadata = ofKind(ws, 'AudioMetadata')[0]!.data
    expect(Streaming.decodeServer(JSON.stringify(metadata))._tag).toBe('Right')
    expect(metadata.audioMetadata).toMatchObject({
      encoding: 'PCM',
      sampleRate: 16000,
      channels: 1,
      length: 640,
    })
    const frames = ofKind(ws, 'AudioData')
    expect(frames.length - baseline).toBe(2_000 / 20)
    for (const f of frames) {
      expect(Streaming.decodeServer(JSON.stringify(f.data))._tag).toBe('Right')
      expect(Base64.decode(f.data.audioData.data)).toHaveLength(640)
      expect(f.data.audioData.participantRawID).toBeUndefined()
    }
    expect(frames.some((f) => f.data.audioData.silent === true)).toBe(true)
    expect(frames.some((f) => f.data.audioData.silent === false)).toBe(true)
    // the first message is the metadata
    expect(ws.messages[0]?.data.kind).toBe('AudioMetadata')
    expect(DtmfDetector.decode(pcmOf(frames), 16000)).toBe('159#')
    expect(ofKind(ws, 'DtmfData').map((m) => m.data.dtmfData.data)).toEqual(['1', '5', '9', '#'])
  })

  it('unmixed at 24 kHz: a frame per party with its raw id; only the party that pressed carries tones', async () => {
    const ws = await server()
    const baseline = await run(
      Effect.gen(function* () {
        const { baseline } = yield* connectStreaming(
          ws,
          streaming(ws.url, {
            audioChannelType: 'unmixed',
            audioFormat: 'pcm24KMono',
            enableDtmfTones: false,
          }),
          [alice, bob],
        )
        yield* request(
          'simulator.dtmf',
          { callConnectionId: 'call-1', rawId: raw(bob) },
          { tones: ['seven', 'eight'] },
        )
        yield* request(
          'simulator.speech',
          { callConnectionId: 'call-1', rawId: raw(alice) },
          { text: 'I would like to speak to an agent' },
        )
        yield* TestClock.adjust(1_000)
        yield* until(
          '100 frames',
          Effect.sync(() => ofKind(ws, 'AudioData').length >= baseline + 100),
        )
        yield* realWait(50)
        return baseline
      }),
    )
    expect(ofKind(ws, 'AudioMetadata')[0]!.data.audioMetadata).toMatchObject({
      sampleRate: 24000,
      length: 960,
    })
    const frames = ofKind(ws, 'AudioData')
    expect(frames.length - baseline).toBe(2 * (1_000 / 20))
    const of = (id: string) => frames.filter((f) => f.data.audioData.participantRawID === id)
    expect(of(raw(alice)).length).toBe(frames.length / 2)
    expect(of(raw(bob)).length).toBe(frames.length / 2)
    expect(DtmfDetector.decode(pcmOf(of(raw(bob))), 24000)).toBe('78')
    // speech is audio, not silence, and no detector mistakes it for keys
    expect(of(raw(alice)).some((f) => f.data.audioData.silent === false)).toBe(true)
    expect(DtmfDetector.decode(pcmOf(of(raw(alice))), 24000)).toBe('')
    expect(ofKind(ws, 'DtmfData')).toHaveLength(0)
  })

  it('at timeScale 3 frames come every 20/3 ms of clock time; a muted party is not streamed', async () => {
    const ws = await server()
    const baseline = await run(
      Effect.gen(function* () {
        const { pipeline, baseline } = yield* connectStreaming(ws, streaming(ws.url), [carol])
        yield* pipeline.command(callId(), { _tag: 'MuteParticipant', participant: carol })
        yield* realWait(20)
        yield* request(
          'simulator.dtmf',
          { callConnectionId: 'call-1', rawId: raw(carol) },
          { tones: ['one', 'two'] },
        )
        yield* TestClock.adjust(600)
        yield* until(
          '90 frames',
          Effect.sync(() => ofKind(ws, 'AudioData').length >= baseline + 90),
        )
        yield* realWait(50)
        return baseline
      }),
      { timeScale: 3 },
    )
    const frames = ofKind(ws, 'AudioData')
    expect(frames.length - baseline).toBe((600 * 3) / 20)
    expect(frames.every((f) => f.data.audioData.silent === true)).toBe(true)
    expect(DtmfDetector.decode(pcmOf(frames), 16000)).toBe('')
  })

  it('bidirectional: audio the app sends is played to the call, stopAudio cuts it (names matched case-insensitively)', async () => {
    const ws = await server()
    const view = await run(
      Effect.gen(function* () {
        yield* connectStreaming(ws, streaming(ws.url, { enableBidirectional: true }))
        const socket = ws.sockets[0]!
        const second = Base64.encode(new Uint8Array(32_000))
        socket.send(
          JSON.stringify({ Kind: 'AudioData', AudioData: { Data: second, IsSilent: false } }),
        )
        socket.send(Streaming.encodeOutbound({ kind: 'audioData', audioData: { data: second } }))
        socket.send('not json at all')
        socket.send(JSON.stringify({ kind: 'somethingElse' }))
        yield* until(
          'outbound audio to be played',
          Effect.map(
            request('simulator.phone.get', { rawId: raw(alice) }),
            (r) => r.body.played[0]?.durationMs === 2000,
          ),
        )
        socket.send(Streaming.encodeOutbound({ kind: 'stopAudio', stopAudio: {} }))
        yield* until(
          'stopAudio',
          Effect.map(
            request('simulator.phone.get', { rawId: raw(alice) }),
            (r) => r.body.played[0]?.status === 'stopped',
          ),
        )
        return yield* request('simulator.phone.get', { rawId: raw(alice) })
      }),
    )
    expect(view.body.played).toEqual([
      expect.objectContaining({ kind: 'streamAudio', durationMs: 2000, status: 'stopped' }),
    ])
  })

  it('stop closes the socket; a transport that cannot be reached ends in MediaStreamingFailed', async () => {
    const ws = await server()
    const stopped = await run(
      Effect.gen(function* () {
        const { pipeline } = yield* connectStreaming(ws, streaming(ws.url))
        yield* pipeline.command(callId(), { _tag: 'StopMediaStreaming' })
        yield* until(
          'the socket to close',
          Effect.sync(() => ws.sockets[0]!.readyState === 3),
        )
        return yield* callbacks(callId())
      }),
    )
    expect(tags(stopped)).toContain('MediaStreamingStopped')
    expect(tags(stopped)).not.toContain('MediaStreamingFailed')

    const closed = await wsServer()
    const url = closed.url
    await closed.close()
    const failed = await run(
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        yield* pipeline.command(
          callId(),
          createCall(callId(), [alice], { mediaStreaming: streaming(url) }),
        )
        yield* TestClock.adjust(500)
        yield* until(
          'MediaStreamingFailed',
          Effect.map(callbacks(callId()), (events) =>
            tags(events).includes('MediaStreamingFailed'),
          ),
        )
        return yield* callbacks(callId())
      }),
    )
    expect(tags(failed)).not.toContain('MediaStreamingStarted')
  })

  it('a transport that drops mid-stream ends in MediaStreamingFailed', async () => {
    const ws = await server()
    const events = await run(
      Effect.gen(function* () {
        yield* connectStreaming(ws, streaming(ws.url))
        ws.sockets[0]!.terminate()
        yield* until(
          'MediaStreamingFailed',
          Effect.map(callbacks(callId()), (events) =>
            tags(events).includes('MediaStreamingFailed'),
          ),
        )
        return yield* callbacks(callId())
      }),
    )
    expect(tags(events)).toContain('MediaStreamingStarted')
  })
})

describe('transcription', () => {
  it('sends metadata, intermediate results as words come, then the final text the phone said', async () => {
    const ws = await server()
    const events = await run(
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        yield* pipeline.command(
          callId(),
          createCall(callId(), [alice], {
            transcription: {
              transportUrl: ws.url,
              locale: 'en-US',
              startTranscription: true,
              enableIntermediateResults: true,
            },
          }),
        )
        yield* TestClock.adjust(500)
        yield* until(
          'TranscriptionMetadata',
          Effect.sync(() => ofKind(ws, 'TranscriptionMetadata').length === 1),
        )
        yield* until(
          'the transcription to start',
          Effect.map(pipeline.load(callId()), (c) => c.state.transcription._tag === 'Active'),
        )
        yield* pipeline.command(callId(), {
          _tag: 'Recognize',
          inputType: 'speech',
          target: alice,
          prompts: [],
          interruptPrompt: false,
          initialSilenceTimeoutMs: 5_000,
          interrupt: false,
        })
        const said = yield* request(
          'simulator.speech',
          { callConnectionId: 'call-1', rawId: raw(alice) },
          { text: 'I need help with my bill.' },
        )
        expect(said.status).toBe(202)
        yield* TestClock.adjust(5_000)
        yield* until(
          'a final result',
          Effect.sync(() =>
            ws.messages.some((m) => m.data.transcriptionData?.resultStatus === 'Final'),
          ),
        )
        return yield* callbacks(callId())
      }),
    )
    const metadata = ofKind(ws, 'TranscriptionMetadata')[0]!.data.transcriptionMetadata
    expect(metadata).toMatchObject({
      locale: 'en-US',
      callConnectionId: 'call-1',
      correlationId: 'corr-call-1',
    })
    const data = ofKind(ws, 'TranscriptionData').map((m) => m.data.transcriptionData)
    for (const m of ofKind(ws, 'TranscriptionData'))
      expect(Streaming.decodeServer(JSON.stringify(m.data))._tag).toBe('Right')
    const intermediate = data.filter((d) => d.resultStatus === 'Intermediate')
    expect(intermediate.map((d) => d.text)).toEqual([
      'I',
      'I need',
      'I need help',
      'I need help with',
      'I need help with my',
    ])
    const final = data.find((d) => d.resultStatus === 'Final')!
    expect(final.text).toBe('I need help with my bill.')
    expect(final.participantRawID).toBe(raw(alice))
    expect(final.words.map((w: { text: string }) => w.text)).toEqual([
      'I',
      'need',
      'help',
      'with',
      'my',
      'bill',
    ])
    expect(final.duration).toBeGreaterThan(0)
    // ticks: words rise, each inside the result
    const offsets = final.words.map((w: { offset: number }) => w.offset)
    expect(offsets).toEqual([...offsets].sort((a: number, b: number) => a - b))
    expect(final.words.at(-1).offset + final.words.at(-1).duration).toBeLessThanOrEqual(
      final.offset + final.duration,
    )
    const done = events.find((e) => e._tag === 'RecognizeCompleted') as Loose
    expect(done?.speechResult?.speech).toBe('I need help with my bill.')
    expect(tags(events)).toContain('TranscriptionStarted')
  })
})

describe('transcription without intermediate results', () => {
  it('sends only final results; update keeps the session; stop closes the socket', async () => {
    const ws = await server()
    const events = await run(
      Effect.gen(function* () {
        const pipeline = yield* Pipeline.Pipeline
        yield* pipeline.command(
          callId(),
          createCall(callId(), [alice, bob], {
            transcription: {
              transportUrl: ws.url,
              locale: 'en-US',
              startTranscription: false,
              enableIntermediateResults: false,
            },
          }),
        )
        yield* TestClock.adjust(500)
        yield* pipeline.command(callId(), { _tag: 'StartTranscription', locale: 'de-DE' })
        yield* until(
          'the transcription to start',
          Effect.map(pipeline.load(callId()), (c) => c.state.transcription._tag === 'Active'),
        )
        yield* pipeline.command(callId(), { _tag: 'UpdateTranscription', locale: 'fr-FR' })
        for (const [who, text] of [
          [alice, 'Bonjour.'],
          [bob, 'Hallo, wie geht es?'],
        ] as const)
          yield* request(
            'simulator.speech',
            { callConnectionId: 'call-1', rawId: raw(who) },
            { text },
          )
        yield* TestClock.adjust(3_000)
        yield* until(
          'two results',
          Effect.sync(() => ofKind(ws, 'TranscriptionData').length === 2),
        )
        yield* pipeline.command(callId(), { _tag: 'StopTranscription' })
        yield* until(
          'the socket to close',
          Effect.sync(() => ws.sockets[0]!.readyState === 3),
        )
        return yield* callbacks(callId())
      }),
    )
    expect(ofKind(ws, 'TranscriptionMetadata')[0]!.data.transcriptionMetadata.locale).toBe('de-DE')
    const data = ofKind(ws, 'TranscriptionData').map((m) => m.data.transcriptionData)
    expect(data.map((d) => [d.resultStatus, d.participantRawID, d.text])).toEqual([
      ['Final', raw(alice), 'Bonjour.'],
      ['Final', raw(bob), 'Hallo, wie geht es?'],
    ])
    expect(tags(events)).toEqual(
      expect.arrayContaining([
        'TranscriptionStarted',
        'TranscriptionUpdated',
        'TranscriptionStopped',
      ]),
    )
  })
})
