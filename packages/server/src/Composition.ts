import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Server } from '@switchboard/http'
import type { HttpRoute } from '@switchboard/runtime'
import {
  IdSource,
  IncomingCalls,
  MediaPlane,
  Pipeline,
  Recovery,
  Scheduler,
  Wakeup,
} from '@switchboard/runtime'
import type { Services as StoreServices } from '@switchboard/store'
import { MemoryStore, PgliteStore, PostgresStore } from '@switchboard/store'
import { Effect, Layer, type Scope } from 'effect'
import type { Settings } from './Config.js'

/**
 * The composition root: which implementation stands behind each port, and the seams where the
 * other adapters plug in.
 *
 * - store: by `--store` (memory, PGlite in the data directory, PostgreSQL)
 * - ids: random UUIDs; timers: the in-process scheduler; outbox wakeups; incoming calls in memory
 * - media plane: the one a plugin provides, else `MediaPlane.silent` (nobody ever answers)
 * - plugins: routes mounted on the HTTP server and background workers (callback delivery, ...)
 */

/** What every plugin can use: the store ports and the shell's services, before the media plane. */
export type Base =
  | StoreServices
  | IdSource.IdSource
  | Wakeup.Wakeup
  | Scheduler.Scheduler
  | IncomingCalls.IncomingCalls

/** Everything the running service provides. */
export type Services = Base | MediaPlane.MediaPlane | Pipeline.Pipeline

/**
 * Routes as plugins contribute them. A route may need services of its own plugin's layer (the
 * simulated `World`, the webhook `Keys`): the composition provides every plugin's layer, so the
 * route's requirements are erased to `unknown` here. A route whose service nobody provides dies at
 * its first request (logged, answered 500): the server's own tests catch that.
 */
export type Route = HttpRoute.Route<unknown>

/** What a plugin contributes once the services are built. */
export interface Extension {
  /** Routes mounted on the HTTP server next to the ACS API (`HttpRoute.Route`). */
  readonly routes?: ReadonlyArray<Route>
  /** Long-running background work. Interrupted on shutdown. */
  readonly workers?: ReadonlyArray<Effect.Effect<void, never, Services>>
  /** Lines printed in the start banner (for example the simulator's URL). */
  readonly banner?: ReadonlyArray<string>
}

/**
 * A plugin: `@switchboard/media` (the simulated world: a media plane and the `/simulator` routes),
 * `@switchboard/webhooks` (callback delivery worker, keys, admin routes). The composition builds
 * the base services, then the media plane (at most one plugin provides it; else
 * `MediaPlane.silent`), then the pipeline, then each plugin's `layer` in order (each sees what the
 * earlier ones provide), then runs each `start`, mounts the routes and starts the workers.
 */
export interface Plugin {
  readonly name: string
  /**
   * The media plane, built on the base services (it reports signals through `execute`'s
   * `report`). It may provide more (the simulated `World` its routes act on): the extra services
   * are in the context of every later layer and route.
   */
  readonly mediaPlane?: Layer.Layer<MediaPlane.MediaPlane, unknown, Base>
  /**
   * Services and background workers (`Layer.scopedDiscard(Effect.forkScoped(worker))`), built
   * after the pipeline with every service before it in context; released on shutdown.
   */
  readonly layer?: Layer.Layer<never, unknown, unknown>
  /** Routes mounted on the HTTP server. */
  readonly routes?: ReadonlyArray<Route>
  /** Runs once the service is composed, before it listens; the scope lasts until shutdown. */
  readonly start?: Effect.Effect<Extension, unknown, Services | Scope.Scope>
  /** Lines for the start banner. */
  readonly banner?: ReadonlyArray<string>
}

/** A plugin is made from the settings (`timeScale` and `dataDir` are for plugins to read). */
export type PluginFactory = (settings: Settings) => Plugin

/** The store layer `--store` names. */
export const storeLayer = (settings: Settings): Layer.Layer<StoreServices, unknown> => {
  switch (settings.store) {
    case 'memory':
      return MemoryStore.layer()
    case 'pglite': {
      const dir = resolve(settings.dataDir, 'pglite')
      return Layer.unwrapEffect(
        Effect.sync(() => {
          mkdirSync(dir, { recursive: true })
          return PgliteStore.layer({ dataDir: dir, schema: settings.schema })
        }),
      )
    }
    case 'postgres':
      return PostgresStore.layer({
        databaseUrl: settings.databaseUrl ?? '',
        schema: settings.schema,
        poolSize: settings.poolSize,
      })
  }
}

/** Where the PGlite files live (for the banner). */
export const pgliteDir = (settings: Settings) => join(resolve(settings.dataDir), 'pglite')

/** The whole service's layer: store, shell services, media plane, pipeline. */
export const layer = (
  settings: Settings,
  plugins: ReadonlyArray<Plugin>,
  store: Layer.Layer<StoreServices, unknown> = storeLayer(settings),
): Layer.Layer<Services, unknown> => {
  const media = plugins.find((p) => p.mediaPlane !== undefined)?.mediaPlane ?? MediaPlane.silent
  const base = Layer.mergeAll(
    store,
    IdSource.random,
    Wakeup.layer,
    Scheduler.layer,
    IncomingCalls.memory,
  )
  const withMedia = Layer.provideMerge(media, base)
  let all: Layer.Layer<Services, unknown> = Layer.provideMerge(Pipeline.layer(), withMedia)
  for (const plugin of plugins)
    if (plugin.layer !== undefined)
      all = Layer.provideMerge(plugin.layer as Layer.Layer<never, unknown, Services>, all)
  return all
}

export interface Running {
  readonly http: Server.Handle
  readonly banner: ReadonlyArray<string>
  /** Live calls whose timers were re-armed at start. */
  readonly rearmed: number
}

/**
 * Starts the service in the current scope: plugins, timers re-armed, workers, the HTTP server.
 * Closing the scope stops it in reverse: the server stops taking requests and finishes those in
 * flight, workers are interrupted, the store is closed.
 *
 * Request log lines go to `log`: a function called once per line, or `{ out }`, a stream written
 * in batches (the lines of one event-loop turn in one write; what `serve` uses for standard
 * output).
 */
export const start = (
  settings: Settings & { readonly accessKey: string },
  plugins: ReadonlyArray<Plugin>,
  log: ((line: string) => void) | { readonly out: (chunk: string) => void },
): Effect.Effect<Running, unknown, Services | Scope.Scope> =>
  Effect.gen(function* () {
    const extensions: Array<Extension> = plugins.map((p) => ({
      ...(p.routes !== undefined ? { routes: p.routes } : {}),
      ...(p.banner !== undefined ? { banner: p.banner } : {}),
    }))
    for (const plugin of plugins)
      if (plugin.start !== undefined) extensions.push(yield* plugin.start)
    const rearmed = yield* Recovery.rearm
    for (const e of extensions)
      for (const worker of e.workers ?? []) yield* Effect.forkScoped(worker)
    const http = yield* Server.make<unknown>({
      host: settings.host,
      port: settings.port,
      accessKey: settings.accessKey,
      maxBodyBytes: settings.maxBodyBytes,
      openSimulator: settings.openSimulator,
      routes: extensions.flatMap((e) => e.routes ?? []),
      logFormat: settings.logFormat,
      ...(typeof log === 'function' ? { write: log } : { out: log.out }),
    }) as Effect.Effect<Server.Handle, Server.ServerListenError, Services | Scope.Scope>
    return { http, rearmed, banner: extensions.flatMap((e) => e.banner ?? []) }
  })
