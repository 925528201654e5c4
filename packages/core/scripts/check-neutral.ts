/**
 * Bundles @switchboard/core for esbuild's `neutral` platform (no Node, no browser) and fails when
 * the bundle needs anything platform-specific: an import that is not the core or fp-ts, a Node
 * built-in, or a reference to a global of a particular platform or of the outside world (clock,
 * randomness, I/O).
 */
import { build } from 'esbuild'
import { fileURLToPath } from 'node:url'

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url))

const forbiddenGlobals = [
  'process',
  'Buffer',
  'require',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'Date',
  'console',
  'fetch',
  'window',
  'document',
  'navigator',
  'performance',
  'crypto',
  'XMLHttpRequest',
  'WebSocket',
  '__dirname',
  '__filename',
]

const result = await build({
  entryPoints: [entry],
  bundle: true,
  platform: 'neutral',
  mainFields: ['module', 'main'],
  format: 'esm',
  write: false,
  metafile: true,
  minify: false,
  logLevel: 'silent',
})

const problems: Array<string> = []
for (const input of Object.keys(result.metafile.inputs)) {
  const fromCore = input.startsWith('src/') || input.includes('packages/core/src/')
  const fromFpTs = /node_modules\/(\.pnpm\/[^/]+\/node_modules\/)?fp-ts\//.test(input)
  if (!fromCore && !fromFpTs) problems.push(`unexpected module in the bundle: ${input}`)
}
const output = result.outputFiles[0]?.text ?? ''
// strip comments and string literals before looking for identifiers
const code = output
  .replace(/\/\*[\s\S]*?\*\//g, '')
  .replace(/\/\/[^\n]*/g, '')
  .replace(/`(?:\\[\s\S]|[^`\\])*`/g, '``')
  .replace(/'(?:\\.|[^'\\\n])*'/g, "''")
  .replace(/"(?:\\.|[^"\\\n])*"/g, '""')
for (const name of forbiddenGlobals) {
  const re = new RegExp(`(?<![\\w$.])${name}(?![\\w$])`)
  const m = re.exec(code)
  if (m !== null) {
    const line = code.slice(0, m.index).split('\n').length
    problems.push(
      `the bundle references \`${name}\` (bundle line ${line}): ${code.split('\n')[line - 1]?.trim()}`,
    )
  }
}
if (/\bimport\s*\(|from\s*["']node:/.test(code))
  problems.push('the bundle imports a module at run time')

if (problems.length > 0) {
  console.error('@switchboard/core is not platform-neutral:')
  for (const p of problems) console.error(`  - ${p}`)
  process.exit(1)
}
console.log(
  `@switchboard/core bundles for the neutral platform: ${Object.keys(result.metafile.inputs).length} modules, ${output.length} bytes, no platform references.`,
)
