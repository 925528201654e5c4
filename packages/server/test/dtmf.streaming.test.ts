/**
 * `switchboard dtmf decode --streaming-jsonl` on sessions recorded from the service's own media
 * streaming: the simulated world of @switchboard/media (its test harness: the service in memory,
 * a loopback WebSocket server capturing what the service sends) with phones pressing keys.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { Effect, TestClock } from 'effect'
import type { Command, Identifier } from '@switchboard/core'
import { Pipeline } from '@switchboard/runtime'
import {
  alice,
  bob,
  callId,
  createCall,
  raw,
  realWait,
  request,
  run,
  until,
  wsServer,
  type WsServer,
} from '../../media/test/Harness.js'
import * as Decode from '../src/dtmf/Decode.js'
import * as Report from '../src/dtmf/Report.js'

const servers: Array<WsServer> = []
afterEach(async () => {
  while (servers.length > 0) await servers.pop()!.close()
})

const count = (ws: WsServer, kind: string) => ws.messages.filter((m) => m.data.kind === kind).length

/**
 * Records a call's media stream while `presses` are made: the JSON lines the service sent,
 * in order, as a recording tool on the app's side would write them.
 */
const record = async (
  config: Partial<Command.MediaStreamingConfig>,
  targets: ReadonlyArray<Identifier.Identifier>,
  presses: ReadonlyArray<{ who: Identifier.Identifier; tones: ReadonlyArray<string> }>,
  ms: number,
): Promise<{ jsonl: string; ws: WsServer }> => {
  const ws = await wsServer()
  servers.push(ws)
  const streaming: Command.MediaStreamingConfig = {
    transportUrl: ws.url,
    audioChannelType: 'mixed',
    audioFormat: 'pcm16KMono',
    startMediaStreaming: true,
    enableBidirectional: false,
    enableDtmfTones: false,
    ...config,
  }
  await run(
    Effect.gen(function* () {
      const pipeline = yield* Pipeline.Pipeline
      yield* pipeline.command(
        callId(),
        createCall(callId(), targets, { mediaStreaming: streaming }),
      )
      yield* TestClock.adjust(500)
      yield* until(
        'the media stream to start',
        Effect.map(pipeline.load(callId()), (c) => c.state.streaming._tag === 'Active'),
      )
      yield* until(
        'AudioMetadata',
        Effect.sync(() => count(ws, 'AudioMetadata') === 1),
      )
      yield* realWait(30)
      const baseline = count(ws, 'AudioData')
      for (const p of presses) {
        const r = yield* request(
          'simulator.dtmf',
          { callConnectionId: 'call-1', rawId: raw(p.who) },
          { tones: p.tones },
        )
        expect(r.status).toBe(202)
      }
      yield* TestClock.adjust(ms)
      const frames = (ms / 20) * (streaming.audioChannelType === 'unmixed' ? targets.length : 1)
      yield* until(
        'the frames',
        Effect.sync(() => count(ws, 'AudioData') >= baseline + frames),
      )
      yield* realWait(50)
    }),
  )
  return { jsonl: ws.messages.map((m) => JSON.stringify(m.data)).join('\n') + '\n', ws }
}

const decode = (jsonl: string) => {
  const d = Decode.decoder({ _tag: 'StreamingJsonl' })
  const bytes = new TextEncoder().encode(jsonl)
  // in 64 KiB blocks, as the CLI reads files: lines are split across blocks
  for (let o = 0; o < bytes.length; o += 65536) d.push(bytes.subarray(o, o + 65536))
  return Decode.report('session.jsonl', d.end())
}

describe('--streaming-jsonl on sessions recorded from the simulated world', () => {
  it('mixed 16 kHz: finds the keys the phone pressed, the ones the service sent as DtmfData', async () => {
    const { jsonl, ws } = await record(
      { enableDtmfTones: true },
      [alice],
      [{ who: alice, tones: ['one', 'five', 'nine', 'pound', 'asterisk', 'zero'] }],
      2_500,
    )
    const report = decode(jsonl)
    expect(report.sampleRate).toBe(16000)
    expect(report.digits).toBe('159#*0')
    expect(report.participants).toBeUndefined()
    const sent = ws.messages
      .filter((m) => m.data.kind === 'DtmfData')
      .map((m) => m.data.dtmfData.data)
    expect(sent.join('')).toBe(report.digits)
    expect(Report.text(report)).toEqual(['session.jsonl: 159#*0'])
    // the tones are in order and do not overlap
    report.tones.forEach((t, i) => {
      expect(t.endMs).toBeGreaterThan(t.startMs)
      if (i > 0) expect(t.startMs).toBeGreaterThan(report.tones[i - 1]!.endMs)
    })
  })

  it('unmixed 24 kHz: keys per participantRawID, only for the party that pressed them', async () => {
    const { jsonl } = await record(
      { audioChannelType: 'unmixed', audioFormat: 'pcm24KMono' },
      [alice, bob],
      [
        { who: bob, tones: ['seven', 'eight'] },
        { who: alice, tones: ['two'] },
      ],
      1_500,
    )
    const report = decode(jsonl)
    expect(report.sampleRate).toBe(24000)
    const byId = Object.fromEntries(
      (report.participants ?? []).map((p) => [p.participantRawID, p.digits]),
    )
    expect(byId).toEqual({ [raw(alice)]: '2', [raw(bob)]: '78' })
    expect(report.tones.filter((t) => t.participantRawID === raw(bob)).map((t) => t.key)).toEqual([
      '7',
      '8',
    ])
    expect(Report.text(report)).toContain(`session.jsonl [${raw(bob)}]: 78`)
    expect(Report.Report.is(JSON.parse(Report.json(report)))).toBe(true)
  })
})
