/** @switchboard/server: the composition root and the `switchboard` CLI. */
export * as AccessKey from './AccessKey.js'
export * as Cli from './Cli.js'
export * as Composition from './Composition.js'
export * as Config from './Config.js'
export * as Plugins from './Plugins.js'
export * as Serve from './Serve.js'
