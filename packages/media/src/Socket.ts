import { Data, Effect, type Scope } from 'effect'
import WebSocket from 'ws'

/**
 * The WebSocket client the world uses to reach the app's `transportUrl` (media streaming and
 * transcription), as a scoped resource: closed (code 1000) when the scope closes.
 */

export class SocketError extends Data.TaggedError('SocketError')<{ readonly message: string }> {}

/** Largest message accepted from the app (bidirectional audio). */
export const MAX_MESSAGE_BYTES = 4 * 1024 * 1024

export interface Options {
  readonly headers: Readonly<Record<string, string>>
  /** How long the opening handshake may take (real time, ms). */
  readonly handshakeTimeoutMs: number
}

export interface Socket {
  readonly ws: WebSocket
  /** Sends a text frame; false when the socket is no longer open. */
  readonly send: (text: string) => boolean
  /** True once we closed it ourselves (a close then is not a failure). */
  readonly closing: () => boolean
}

const checkUrl = (url: string): Effect.Effect<URL, SocketError> => {
  try {
    const u = new URL(url)
    if (u.protocol !== 'ws:' && u.protocol !== 'wss:')
      return Effect.fail(
        new SocketError({ message: `transportUrl must be ws: or wss:, got ${u.protocol}` }),
      )
    return Effect.succeed(u)
  } catch {
    return Effect.fail(new SocketError({ message: `transportUrl is not a URL: ${url}` }))
  }
}

const open = (url: URL, options: Options) =>
  Effect.async<WebSocket, SocketError>((resume) => {
    let ws: WebSocket
    try {
      ws = new WebSocket(url, {
        headers: { ...options.headers },
        handshakeTimeout: options.handshakeTimeoutMs,
        maxPayload: MAX_MESSAGE_BYTES,
      })
    } catch (e) {
      resume(Effect.fail(new SocketError({ message: e instanceof Error ? e.message : String(e) })))
      return
    }
    const onOpen = () => {
      ws.off('error', onError)
      // errors after the open are reported through 'close'
      ws.on('error', () => undefined)
      resume(Effect.succeed(ws))
    }
    const onError = (e: Error) => {
      ws.off('open', onOpen)
      resume(
        Effect.fail(new SocketError({ message: `cannot connect to ${url.href}: ${e.message}` })),
      )
    }
    ws.once('open', onOpen)
    ws.once('error', onError)
    return Effect.sync(() => {
      ws.removeAllListeners()
      ws.on('error', () => undefined)
      ws.terminate()
    })
  })

/** Connects; the socket is closed when the scope closes. */
export const connect = (
  url: string,
  options: Options,
): Effect.Effect<Socket, SocketError, Scope.Scope> =>
  Effect.gen(function* () {
    const u = yield* checkUrl(url)
    let closing = false
    const ws = yield* Effect.acquireRelease(open(u, options), (ws) =>
      Effect.sync(() => {
        closing = true
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING)
          ws.close(1000, 'closed by the service')
      }),
    )
    return {
      ws,
      send: (text: string) => {
        if (ws.readyState !== WebSocket.OPEN) return false
        ws.send(text)
        return true
      },
      closing: () => closing,
    }
  })

/** The call a streaming or transcription socket belongs to, as its connection headers name it. */
export interface CallIds {
  readonly callConnectionId: string
  readonly correlationId: string
}

/**
 * Opens a socket to the app's `transportUrl` as ACS does: with the call's connection and
 * correlation ids in the request headers.
 */
export const connectToApp = (
  url: string,
  ids: CallIds,
): Effect.Effect<Socket, SocketError, Scope.Scope> =>
  connect(url, {
    headers: {
      'x-ms-call-correlation-id': ids.correlationId,
      'x-ms-call-connection-id': ids.callConnectionId,
    },
    handshakeTimeoutMs: 10_000,
  })

/** Waits until the socket closes (by the peer or the network); yields a description. */
export const closed = (socket: Socket): Effect.Effect<string> =>
  Effect.async<string>((resume) => {
    if (socket.ws.readyState === WebSocket.CLOSED) {
      resume(Effect.succeed('the transport closed'))
      return
    }
    const onClose = (code: number, reason: Buffer) =>
      resume(
        Effect.succeed(
          `the transport closed (${code}${reason.length > 0 ? ` ${reason.toString()}` : ''})`,
        ),
      )
    socket.ws.once('close', onClose)
    return Effect.sync(() => void socket.ws.off('close', onClose))
  })
