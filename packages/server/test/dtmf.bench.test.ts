/**
 * The DTMF benchmark's corpora (packages/dsp/bench: the same generator and seeds) decoded
 * through the `switchboard dtmf decode` process give the same figures — the same keys, hence
 * the same missed and extra digits — as through the library the benchmark calls. The speech
 * (talk-off) corpus is included when espeak-ng is installed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { DtmfDetector, WavReader } from '@switchboard/dsp'
import * as Corpora from '../../dsp/bench/Corpora.js'
import * as Report from '../src/dtmf/Report.js'

const bin = fileURLToPath(new URL('../bin/switchboard.js', import.meta.url))

let dir: string
let corpora: ReadonlyArray<Corpora.Corpus & { readonly path: string }>

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'dtmf-bench-'))
  const speech = Corpora.speech()
  if (speech === undefined)
    console.log('notice: espeak-ng is not installed; the speech (talk-off) corpus is left out')
  corpora = [...Corpora.synthetic(), ...(speech === undefined ? [] : [speech])].map((c) => {
    const path = join(dir, `${c.name.replace(/[^a-z0-9-]/gi, '_')}.wav`)
    writeFileSync(path, c.wav)
    return { ...c, path }
  })
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** What the benchmark does with each file. */
const library = (wav: Uint8Array): string => {
  const { format, samples } = WavReader.read(wav)
  return DtmfDetector.decode(samples, format.sampleRate)
}

describe('the dsp benchmark corpus through the CLI', () => {
  it('gives the same digits, missed and extra as through the library', async () => {
    const r = await new Promise<{ status: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(process.execPath, [
          bin,
          'dtmf',
          'decode',
          '--json',
          ...corpora.map((c) => c.path),
        ])
        let stdout = ''
        let stderr = ''
        child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d))
        child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d))
        child.on('error', reject)
        child.on('close', (status) => resolve({ status, stdout, stderr }))
      },
    )
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const reports = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as unknown)
    expect(reports.every((x) => Report.Report.is(x))).toBe(true)
    const viaCli = (reports as ReadonlyArray<Report.Report>).map((x) => x.digits)
    const rows = corpora.map((c, i) => ({
      corpus: c.name,
      digits: c.truth.length,
      library: Corpora.score(c.truth, library(c.wav)),
      cli: Corpora.score(c.truth, viaCli[i]!),
    }))
    expect(viaCli).toEqual(corpora.map((c) => library(c.wav)))
    for (const row of rows) expect(row.cli).toEqual(row.library)
    expect(rows.map((r) => r.corpus).slice(0, Corpora.STYLES.length)).toEqual(
      Corpora.STYLES.map(([name]) => name),
    )
    // a corpus that decoded nothing would make the comparison empty
    expect(
      rows.slice(0, Corpora.STYLES.length).every((r) => r.digits > 200 && r.library.missed < 10),
    ).toBe(true)
  })
})
