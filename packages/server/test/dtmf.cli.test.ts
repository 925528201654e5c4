/**
 * `switchboard dtmf` as a process: exit statuses, the one-line reasons on stderr, and that the
 * good files given alongside a bad one are still decoded; the root `pnpm switchboard` script.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { WavWriter } from '@switchboard/dsp'
import * as Synth from '../src/dtmf/Synth.js'

const bin = fileURLToPath(new URL('../bin/switchboard.js', import.meta.url))
const root = fileURLToPath(new URL('../../..', import.meta.url))

interface Run {
  readonly status: number | null
  readonly stdout: Buffer
  readonly stderr: string
}

/** Runs a command without blocking the test worker (a busy machine makes each start slow). */
const spawnAsync = (
  command: string,
  args: ReadonlyArray<string>,
  options: { readonly input?: Uint8Array; readonly cwd?: string } = {},
): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? process.cwd() })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (b: Buffer) => out.push(b))
    child.stderr.on('data', (b: Buffer) => err.push(b))
    child.on('error', reject)
    child.on('close', (status) =>
      resolve({ status, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }),
    )
    child.stdin.end(options.input ?? new Uint8Array(0))
  })

const lines = (text: string) => text.split('\n').filter((l) => l !== '')

const cli = async (args: ReadonlyArray<string>, input?: Uint8Array) => {
  const r = await spawnAsync(process.execPath, [bin, 'dtmf', ...args], {
    ...(input === undefined ? {} : { input }),
  })
  return { status: r.status, stdout: lines(r.stdout.toString('utf8')), stderr: lines(r.stderr) }
}

let dir: string
const at = (name: string) => join(dir, name)

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dtmf-cli-'))
  const good = Synth.wav('12', Synth.defaults)
  writeFileSync(at('a.wav'), good)
  writeFileSync(at('b.wav'), Synth.wav('34', { ...Synth.defaults, sampleRate: 48000 }))
  writeFileSync(at('text.wav'), 'this is not audio at all\n')
  writeFileSync(at('truncated.wav'), good.subarray(0, good.length - 1001))
  const alaw = good.slice()
  new DataView(alaw.buffer).setUint16(20, 6, true)
  writeFileSync(at('alaw.wav'), alaw)
  writeFileSync(at('96k.wav'), WavWriter.write(new Float32Array(9600), { sampleRate: 96000 }))
  writeFileSync(at('empty.wav'), new Uint8Array(0))
  mkdirSync(at('folder.wav'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('switchboard dtmf decode: bad input', () => {
  const cases: Array<[string, RegExp]> = [
    ['text.wav', /: not audio: not a RIFF\/WAVE file$/],
    ['truncated.wav', /: truncated: input ended 1001 bytes before the end of the audio$/],
    [
      'alaw.wav',
      /: unsupported encoding: format tag 6, 16 bits \(read: PCM 8, 16, 24 or 32-bit, float 32-bit\)$/,
    ],
    ['96k.wav', /: unsupported sample rate: 96000 Hz \(read: 8000–48000 Hz\)$/],
    ['empty.wav', /: empty: the file is empty \(0 bytes\)$/],
    ['missing.wav', /: cannot read: no such file$/],
    ['folder.wav', /: cannot read: is a directory$/],
  ]
  for (const [name, reason] of cases)
    it(`${name}: status 2, one line naming the file and the reason, the others still decoded`, async () => {
      const r = await cli(['decode', at('a.wav'), at(name), at('b.wav')])
      expect(r.status).toBe(2)
      expect(r.stdout).toEqual([`${at('a.wav')}: 12`, `${at('b.wav')}: 34`])
      expect(r.stderr).toHaveLength(1)
      expect(r.stderr[0]!.startsWith(`switchboard dtmf: ${at(name)}: `)).toBe(true)
      expect(r.stderr[0]).toMatch(reason)
    })

  it('all at once, with --json: one line each, never a stack trace', async () => {
    const bad = cases.map(([name]) => at(name))
    const r = await cli(['decode', '--json', ...bad, at('a.wav')])
    expect(r.status).toBe(2)
    expect(r.stderr).toHaveLength(bad.length)
    expect(r.stderr.join('\n')).not.toMatch(/^\s+at /m)
    expect(r.stdout).toHaveLength(1)
    expect(JSON.parse(r.stdout[0]!)).toMatchObject({ file: at('a.wav'), digits: '12' })
  })

  it('bad raw input: an odd number of bytes is truncated', async () => {
    writeFileSync(at('odd.raw'), new Uint8Array(801))
    const r = await cli(['decode', '--raw', '--rate', '8000', at('odd.raw')])
    expect(r.status).toBe(2)
    expect(r.stderr[0]).toMatch(/odd\.raw: truncated: input ended inside a sample/)
  })

  it('a WAV given as a streaming session: not a media-streaming session, line 1', async () => {
    const r = await cli(['decode', '--streaming-jsonl', at('a.wav')])
    expect(r.status).toBe(2)
    expect(r.stderr[0]).toMatch(/a\.wav: not a media-streaming session: line 1: /)
  })

  it('a wrong command line: status 2 and where to read the options', async () => {
    const r = await cli(['decode', '--threshold', '3', at('a.wav')])
    expect(r.status).toBe(2)
    expect(r.stderr).toEqual([
      'switchboard dtmf: unknown option --threshold',
      'Run `switchboard dtmf --help` for the options.',
    ])
  })
})

describe('switchboard dtmf as a process', () => {
  it('--help documents decode, synth, the formats, the output and the exit statuses', async () => {
    const r = await cli(['--help'])
    expect(r.status).toBe(0)
    const text = r.stdout.join('\n')
    for (const word of [
      'decode FILE',
      'synth DIGITS',
      '--channel N',
      '--raw --rate N',
      '--streaming-jsonl',
      'participantRawID',
      '--json',
      '"levelDbfs"',
      '--tone-ms',
      '--gap-ms',
      '--level-dbfs',
      '--twist-db',
      '--encoding',
      'Exit status',
    ])
      expect(text).toContain(word)
  })

  it('synth writes a file that decode reads back; - is standard input', async () => {
    const out = at('synth.wav')
    const w = await cli(['synth', '0*#D', '-o', out, '--rate', '24000', '--level-dbfs', '-15'])
    expect(w).toEqual({ status: 0, stdout: [], stderr: [] })
    expect((await cli(['decode', out])).stdout).toEqual([`${out}: 0*#D`])
    const piped = await spawnAsync(process.execPath, [bin, 'dtmf', 'synth', '9A', '-o', '-'])
    expect(piped.status).toBe(0)
    const r = await cli(['decode', '-'], piped.stdout)
    expect(r).toEqual({ status: 0, stdout: ['-: 9A'], stderr: [] })
  })

  it('a reader that stops early (| head -1): no stack trace, status 0', async () => {
    const files = Array.from({ length: 40 }, () => at('a.wav'))
    const r = await new Promise<{ status: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'dtmf', 'decode', ...files])
      let stderr = ''
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
      child.stdout.once('data', () => child.stdout.destroy())
      child.on('close', (status) => resolve({ status, stderr }))
    })
    expect(r).toEqual({ status: 0, stderr: '' })
  })

  it('`pnpm switchboard dtmf decode FILE` works from the repository root with a relative path', async () => {
    const rel = relative(root, at('a.wav'))
    const r = await spawnAsync('pnpm', ['--silent', 'switchboard', 'dtmf', 'decode', rel], {
      cwd: root,
    })
    expect(r.stderr).toBe('')
    expect(r.stdout.toString('utf8')).toBe(`${rel}: 12\n`)
    expect(r.status).toBe(0)
  })
})
