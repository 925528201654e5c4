import { Cause, Effect, Exit, Fiber, Layer } from 'effect'
import * as AccessKey from './AccessKey.js'
import * as Composition from './Composition.js'
import * as Config from './Config.js'

/**
 * `switchboard serve`: reads the settings, resolves the access key, composes the service, prints
 * the banner and runs until SIGINT or SIGTERM, then shuts down cleanly (stop taking requests,
 * finish those in flight, stop workers, close the store). A second signal exits at once.
 */

export interface Io {
  readonly out: (line: string) => void
  readonly err: (line: string) => void
  /**
   * The stream behind `out`, for the request log: written in batches (one write per event-loop
   * turn) instead of once per request. Without it, log lines go through `out`.
   */
  readonly stream?: (chunk: string) => void
}

const host = (h: string) => (h.includes(':') ? `[${h}]` : h)

export const banner = (
  settings: Config.Settings,
  running: Composition.Running,
  key: AccessKey.Resolved,
): ReadonlyArray<string> => {
  const endpoint = `http://${host(settings.host === '0.0.0.0' ? '127.0.0.1' : settings.host)}:${running.http.port}/`
  const connection = `endpoint=${endpoint};accesskey=${key.accessKey}`
  const store =
    settings.store === 'pglite'
      ? `pglite (embedded, ${Composition.pgliteDir(settings)})`
      : settings.store === 'postgres'
        ? `postgres (${(settings.databaseUrl ?? '').replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}, schema ${settings.schema})`
        : 'memory (nothing survives a restart)'
  const keyNote =
    key.source === 'generated'
      ? `generated now, kept in ${key.file}`
      : key.source === 'data-dir'
        ? `from ${key.file}`
        : 'given'
  return [
    `Switchboard is listening on ${endpoint}`,
    `  store:       ${store}`,
    `  access key:  ${key.accessKey}  (${keyNote})`,
    `  connection:  ${connection}`,
    `  time scale:  ${settings.timeScale}${running.rearmed > 0 ? `   live calls resumed: ${running.rearmed}` : ''}`,
    `  OpenAPI:     ${endpoint}openapi.json   health: ${endpoint}healthz`,
    ...running.banner.map((l) => `  ${l}`),
    '',
    'Point the official SDK at it (plain HTTP needs allowInsecureConnection):',
    "  import { CallAutomationClient } from '@azure/communication-call-automation'",
    `  const client = new CallAutomationClient('${connection}', { allowInsecureConnection: true })`,
    '',
    'Ctrl-C stops it.',
  ]
}

/** Runs the service until a signal; resolves with the exit status. */
export const run = async (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
  io: Io,
  factories: ReadonlyArray<Composition.PluginFactory>,
): Promise<number> => {
  if (args.includes('--help') || args.includes('-h')) {
    for (const l of Config.help) io.out(l)
    return 0
  }
  // `pnpm start -- --port 9000` may pass the separator through
  const parsed = Config.parse(
    args.filter((a) => a !== '--'),
    env,
  )
  if (parsed._tag === 'error') {
    for (const e of parsed.errors) io.err(`switchboard serve: ${e}`)
    io.err('(switchboard serve --help lists the options)')
    return 2
  }
  const settings = parsed.settings
  let key: AccessKey.Resolved
  try {
    key = AccessKey.resolveKey(settings.accessKey, settings.dataDir)
  } catch (e) {
    io.err(`switchboard serve: ${e instanceof Error ? e.message : String(e)}`)
    return 2
  }
  const plugins = factories.map((f) => f(settings))
  const program = Effect.scoped(
    Effect.gen(function* () {
      const running = yield* Composition.start(
        { ...settings, accessKey: key.accessKey },
        plugins,
        io.stream !== undefined ? { out: io.stream } : io.out,
      )
      for (const l of banner(settings, running, key)) io.out(l)
      return yield* Effect.never
    }),
  ).pipe(Effect.provide(Layer.orDie(Composition.layer(settings, plugins))))

  const fiber = Effect.runFork(program)
  let stopping = false
  const stop = (signal: string) => {
    if (stopping) {
      io.err(`switchboard: ${signal} again, exiting now`)
      process.exit(130)
    }
    stopping = true
    io.out(`switchboard: ${signal}, shutting down (finishing requests in flight)`)
    Effect.runFork(Fiber.interrupt(fiber))
  }
  const onInt = () => stop('SIGINT')
  const onTerm = () => stop('SIGTERM')
  process.on('SIGINT', onInt)
  process.on('SIGTERM', onTerm)
  const exit = await Effect.runPromise(Fiber.await(fiber))
  process.off('SIGINT', onInt)
  process.off('SIGTERM', onTerm)
  if (Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)) {
    io.out('switchboard: stopped')
    return 0
  }
  const failure = Cause.squash(exit.cause)
  io.err(
    `switchboard serve: ${failure instanceof Error ? failure.message : Cause.pretty(exit.cause)}`,
  )
  return 1
}
