// @ts-check
// The repository's rules, plus purity for this package's sources: no platform, no I/O, no clock.
import root from '../../eslint.config.js'

const impure = [
  'Date',
  'process',
  'console',
  'fetch',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
  'queueMicrotask',
  'performance',
  'crypto',
  'Buffer',
  'window',
  'document',
  'globalThis',
  'require',
  'atob',
  'btoa',
].map((name) => ({ name, message: '@switchboard/dsp is pure: no platform APIs, I/O or clock.' }))

export default [
  ...root,
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...impure],
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: '^(?!\\.{1,2}/)', message: '@switchboard/dsp depends on nothing.' }],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'No randomness inside the DSP.' },
      ],
    },
  },
]
