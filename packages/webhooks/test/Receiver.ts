import http from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A callback receiver for tests: records every POST (headers and parsed body), answers with a
 * status chosen per request (default 204), or resets the connection.
 */
export interface Received {
  readonly path: string
  readonly headers: http.IncomingHttpHeaders
  readonly body: unknown
  readonly text: string
  readonly at: number
}

export type Answer = number | 'reset'

export interface Receiver {
  readonly url: string
  readonly port: number
  readonly received: Array<Received>
  close(): Promise<void>
}

export const start = async (
  answer: (r: Received) => Answer = () => 204,
  onReceive?: (r: Received) => void,
): Promise<Receiver> => {
  const received: Array<Received> = []
  const server = http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      let body: unknown = null
      try {
        body = JSON.parse(text)
      } catch {
        body = null
      }
      const r: Received = { path: req.url ?? '', headers: req.headers, body, text, at: Date.now() }
      const a = answer(r)
      if (a === 'reset') {
        req.socket.destroy()
        return
      }
      received.push(r)
      onReceive?.(r)
      res.statusCode = a
      res.end()
    })
  })
  server.keepAliveTimeout = 30_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
