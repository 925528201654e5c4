import { describe, expect, it } from 'vitest'
import { execFileSync, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import * as Cli from '../src/Cli.js'

describe('switchboard rules', () => {
  it('prints the seed table with the 412/8583 refusals and every validation rule', () => {
    const { stdout, status } = Cli.rules()
    expect(status).toBe(0)
    const sendDtmfRow = stdout.find((l) => l.startsWith('SendDtmf '))
    expect(sendDtmfRow?.match(/REJECT 412\/8583/g)).toHaveLength(4)
    expect(stdout.find((l) => l.startsWith('PlayToAll '))).toMatch(/queue/)
    expect(stdout.some((l) => l.includes('tonesTooMany') && l.includes('400'))).toBe(true)
  })
})

describe('switchboard validate', () => {
  it('answers each command: accepted, queued, or refused with status and code', () => {
    const { stdout, status } = Cli.validate(Cli.sample)
    expect(status).toBe(1)
    expect(stdout[2]).toMatch(/ACCEPTED \(queued\)/)
    expect(stdout[4]).toMatch(/REFUSED 400 8523 \(tonesTooMany\)/)
    expect(stdout[5]).toMatch(/REFUSED 412 8583/)
  })
  it('all accepted exits 0', () => {
    const { status } = Cli.validate(
      '{"_tag":"PlayToAll","sources":["https://x/a.wav"],"loop":false,"interrupt":false}',
    )
    expect(status).toBe(0)
  })
  it('bad JSON exits 2 with a one-line reason', () => {
    const { stderr, status } = Cli.validate('{nope')
    expect(status).toBe(2)
    expect(stderr[0]).toMatch(/^switchboard validate: not JSON/)
  })
  it('malformed commands are refused, not crashed on', () => {
    const { stdout, status } = Cli.validate('[{"_tag":"Hold"},{"_tag":"Nope"},42]')
    expect(status).toBe(1)
    expect(stdout.slice(1).every((l) => l.includes('REFUSED'))).toBe(true)
  })
})

describe('the switchboard command', () => {
  const bin = fileURLToPath(new URL('../bin/switchboard.js', import.meta.url))
  it(
    'runs from its bin with a help text, and refuses unknown commands with status 2',
    { timeout: 60_000 },
    () => {
      expect(execFileSync(process.execPath, [bin, 'help'], { encoding: 'utf8' })).toMatch(
        /Usage: switchboard/,
      )
      const unknown = spawnSync(process.execPath, [bin, 'frobnicate'], { encoding: 'utf8' })
      expect(unknown.status).toBe(2)
      expect(unknown.stderr).toMatch(/unknown command "frobnicate"/)
    },
  )
})
