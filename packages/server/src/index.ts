/** @switchboard/server: the composition root and the `switchboard` CLI. */
export * as Cli from './Cli.js'
