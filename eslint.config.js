// @ts-check
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

/** Globals that would tie a pure package to a platform or to the world (clock, randomness, I/O). */
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
  'atob',
  'btoa',
]

/**
 * The rules of a pure package's sources: no platform globals, no randomness, and imports only of
 * its own modules and of the packages it may depend on (`allowed`, a regex source).
 */
const pure = (name, allowed, dependsOn) => ({
  files: [`packages/${name}/src/**/*.ts`],
  rules: {
    'no-restricted-globals': [
      'error',
      ...impureGlobals.map((global) => ({
        name: global,
        message: `@switchboard/${name} is pure: pass time, ids and I/O in as data.`,
      })),
    ],
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { group: ['node:*'], message: `@switchboard/${name} must not import Node modules.` },
          {
            regex: `^(?!${allowed}\\.{1,2}/)`,
            message: `@switchboard/${name} depends on ${dependsOn}.`,
          },
        ],
      },
    ],
    'no-restricted-properties': [
      'error',
      {
        object: 'Math',
        property: 'random',
        message: `Randomness is an input to @switchboard/${name}, never drawn inside it.`,
      },
    ],
  },
})

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
  pure('core', 'fp-ts(/|$)|', 'fp-ts alone'),
  pure('dsp', '', 'nothing'),
)
