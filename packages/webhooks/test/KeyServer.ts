import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Runtime } from 'effect'
import type { HttpRoute } from '@switchboard/runtime'

/**
 * Serves the `auth: 'none'` GET routes (OpenID configuration, JWKS) over HTTP for tests. Started
 * first (so its URL can be the issuer), the routes attached once the service runs.
 */
export const start = async () => {
  let handle: ((path: string) => Promise<HttpRoute.HttpResponse | null>) | null = null
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const answer = handle === null || req.method !== 'GET' ? Promise.resolve(null) : handle(path)
    void answer.then((r) => {
      if (r === null) {
        res.statusCode = 404
        res.end()
        return
      }
      res.writeHead(r.status, { 'content-type': 'application/json' })
      res.end(JSON.stringify(r.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${address.port}`,
    attach: <R>(routes: ReadonlyArray<HttpRoute.Route<R>>, runtime: Runtime.Runtime<R>) => {
      handle = async (path) => {
        const route = routes.find((r) => r.auth === 'none' && r.method === 'GET' && r.path === path)
        if (route === undefined) return null
        return Runtime.runPromise(runtime)(
          route.handle(
            {
              method: 'GET',
              rawPath: path,
              query: new URLSearchParams(),
              headers: {},
              body: new Uint8Array(),
            },
            {},
          ),
        )
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
