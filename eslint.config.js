// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/** Globals and modules that would make the pure core depend on a platform or on the world. */
const impureGlobals = [
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
].map((name) => ({
  name,
  message: '@switchboard/core is pure: pass time, ids and I/O in as data.',
}))

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.turbo/**', '**/coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector:
            "CallExpression[callee.object.name='it'][callee.property.name=/^(only|skip|todo)$/]",
          message: 'No skipped, todo or focused tests.',
        },
        {
          selector:
            "CallExpression[callee.object.name='test'][callee.property.name=/^(only|skip|todo)$/]",
          message: 'No skipped, todo or focused tests.',
        },
        {
          selector:
            "CallExpression[callee.object.name='describe'][callee.property.name=/^(only|skip|todo)$/]",
          message: 'No skipped, todo or focused tests.',
        },
      ],
    },
  },
  {
    files: ['packages/core/src/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', ...impureGlobals],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*'], message: '@switchboard/core must not import Node modules.' },
            {
              regex: '^(?!fp-ts(/|$)|\\.{1,2}/)',
              message: '@switchboard/core depends on fp-ts alone.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Randomness is an input to the core, never drawn inside it.',
        },
      ],
    },
  },
)
