import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as AccessKey from '../src/AccessKey.js'
import * as Config from '../src/Config.js'

describe('serve settings', () => {
  it('flags win over SWITCHBOARD_* variables, which win over the defaults', () => {
    const parsed = Config.parse(['--port', '9001', '--store=memory', '--open-simulator'], {
      SWITCHBOARD_PORT: '9002',
      SWITCHBOARD_HOST: '0.0.0.0',
      SWITCHBOARD_TIME_SCALE: '10',
      SWITCHBOARD_LOG_FORMAT: 'json',
    })
    expect(parsed).toMatchObject({
      _tag: 'ok',
      settings: {
        port: 9001,
        host: '0.0.0.0',
        store: 'memory',
        timeScale: 10,
        logFormat: 'json',
        openSimulator: true,
        dataDir: './.switchboard',
      },
    })
    expect(Config.parse([], {})).toMatchObject({
      _tag: 'ok',
      settings: {
        host: '127.0.0.1',
        port: 8080,
        store: 'pglite',
        timeScale: 1,
        logFormat: 'human',
      },
    })
  })
  it('refuses bad values, one reason each', () => {
    const parsed = Config.parse(
      ['--port', 'x', '--store', 'mongo', '--time-scale', '0', '--access-key', 'short', '--nope'],
      {},
    )
    expect(parsed._tag).toBe('error')
    if (parsed._tag === 'error') expect(parsed.errors).toHaveLength(5)
    expect(Config.parse(['--store', 'postgres'], {})).toMatchObject({ _tag: 'error' })
    expect(
      Config.parse(['--store', 'postgres'], { DATABASE_URL: 'postgres://x@y/z' }),
    ).toMatchObject({ _tag: 'ok' })
  })
  it('generates an access key once, keeps it (0600) and reuses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-key-'))
    const first = AccessKey.resolveKey(undefined, dir)
    expect(first.source).toBe('generated')
    expect(Config.isAccessKey(first.accessKey)).toBe(true)
    expect(statSync(first.file).mode & 0o777).toBe(0o600)
    const second = AccessKey.resolveKey(undefined, dir)
    expect(second).toMatchObject({ source: 'data-dir', accessKey: first.accessKey })
    expect(AccessKey.resolveKey('Z2l2ZW4ga2V5IG9mIDE2IGJ5dGVz', dir).source).toBe('given')
  })
})

describe('switchboard serve', () => {
  const bin = fileURLToPath(new URL('../bin/switchboard.js', import.meta.url))
  it('prints the endpoint, connection string and SDK lines, answers, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-serve-'))
    const child = spawn(
      process.execPath,
      [bin, 'serve', '--port', '0', '--store', 'memory', '--data-dir', dir],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    )
    let out = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setInterval(() => {
        const m = /listening on (http:\/\/[^\s]+)/.exec(out)
        if (m !== null && out.includes('Ctrl-C')) {
          clearInterval(timer)
          resolve(m[1]!)
        }
      }, 20)
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)))
    })
    const key = readFileSync(join(dir, 'access-key'), 'utf8').trim()
    expect(out).toContain(`endpoint=${url};accesskey=${key}`)
    expect(out).toContain('allowInsecureConnection: true')
    expect(out).toMatch(/store: +memory/)
    expect((await fetch(`${url}healthz`)).status).toBe(200)
    const exit = new Promise<number | null>((r) => child.on('exit', r))
    child.kill('SIGTERM')
    expect(await exit).toBe(0)
    expect(out).toContain('switchboard: stopped')
  })
  it('refuses bad options with status 2', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--store', 'mongo'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let err = ''
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    expect(await new Promise((r) => child.on('exit', r))).toBe(2)
    expect(err).toMatch(/--store: memory, pglite or postgres/)
  })
})
