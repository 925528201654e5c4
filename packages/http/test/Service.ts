import { randomBytes } from 'node:crypto'
import type { Ids, Instruction, Signal } from '@switchboard/core'
import {
  IdSource,
  IncomingCalls,
  MediaPlane,
  Pipeline,
  Scheduler,
  Wakeup,
} from '@switchboard/runtime'
import type { StoreService } from '@switchboard/store'
import {
  EventStore,
  Idempotency,
  Inbox,
  MemoryStore,
  Outbox,
  Store,
  Timers,
} from '@switchboard/store'
import { Effect, Exit, Layer, Runtime, Scope } from 'effect'
import * as Auth from '../src/Auth.js'
import * as Server from '../src/Server.js'

/** The HTTP server on a memory store, with a media plane where every party answers at once. */
export interface Service {
  readonly url: string
  readonly host: string
  readonly accessKey: string
  readonly store: StoreService
  readonly logs: Array<string>
  readonly close: () => Promise<void>
  /** A signed request (as the SDK signs), with optional header overrides. */
  readonly send: (
    method: string,
    path: string,
    body?: string,
    headers?: Record<string, string | undefined>,
    options?: { readonly key?: string; readonly date?: Date },
  ) => Promise<{ status: number; headers: Headers; json: unknown }>
}

const answering = Layer.succeed(MediaPlane.MediaPlane, {
  execute: (
    _callId: Ids.CallConnectionId,
    instruction: Instruction.MediaInstruction,
    report: (s: Signal.Signal) => void,
  ) =>
    Effect.sync(() => {
      if (instruction._tag === 'Dial')
        for (const participant of instruction.participants)
          setImmediate(() => report({ _tag: 'PartyAnswered', participant }))
    }),
})

export const start = async (): Promise<Service> => {
  const store = MemoryStore.open()
  const services = Layer.mergeAll(
    Layer.succeed(Store, store),
    Layer.succeed(EventStore, store.events),
    Layer.succeed(Outbox, store.outbox),
    Layer.succeed(Timers, store.timers),
    Layer.succeed(Idempotency, store.idempotency),
    Layer.succeed(Inbox, store.inbox),
    IdSource.random,
    Wakeup.layer,
    Scheduler.layer,
    IncomingCalls.memory,
    answering,
  )
  const layer = Layer.provideMerge(Pipeline.layer(), services)
  const accessKey = randomBytes(32).toString('base64')
  const logs: Array<string> = []
  const scope = Effect.runSync(Scope.make())
  const runtime = await Effect.runPromise(Layer.toRuntime(layer).pipe(Scope.extend(scope)))
  const handle = await Runtime.runPromise(runtime)(
    Server.make<never>({
      host: '127.0.0.1',
      port: 0,
      accessKey,
      logFormat: 'json',
      maxBodyBytes: 64 * 1024,
      write: (l) => void logs.push(l),
    }).pipe(Scope.extend(scope)),
  )
  const host = `127.0.0.1:${handle.port}`
  return {
    url: handle.url,
    host,
    accessKey,
    store,
    logs,
    close: () => Effect.runPromise(Scope.close(scope, Exit.void)),
    send: async (method, path, body = '', headers = {}, options = {}) => {
      const signed = Auth.signedHeaders({
        accessKey: options.key ?? accessKey,
        method,
        pathAndQuery: path,
        host,
        body,
        ...(options.date !== undefined ? { date: options.date } : {}),
      })
      const all: Record<string, string> = {}
      for (const [k, v] of Object.entries({
        ...(body.length > 0 ? { 'content-type': 'application/json' } : {}),
        ...signed,
        ...headers,
      }))
        if (v !== undefined) all[k] = v
      const res = await fetch(`http://${host}${path}`, {
        method,
        headers: all,
        ...(method === 'GET' || method === 'HEAD' ? {} : { body }),
      })
      const text = await res.text()
      let json: unknown = undefined
      try {
        json = text.length > 0 ? JSON.parse(text) : undefined
      } catch {
        json = text
      }
      return { status: res.status, headers: res.headers, json }
    },
  }
}
