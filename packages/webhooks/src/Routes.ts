import { HttpRoute, Wakeup } from '@switchboard/runtime'
import { Outbox } from '@switchboard/store'
import { Clock, Effect } from 'effect'
import { Keys, openIdConfiguration } from './Keys.js'

/**
 * The routes delivery contributes to the HTTP server:
 * - `GET /.well-known/openid-configuration` and `GET /calling/.well-known/acsopenidconfiguration`
 *   (the path ACS uses): `{issuer, jwks_uri, ...}`, auth `none`;
 * - `GET /calling/keys`: the JWKS `{keys: [...]}` (current key first, replaced keys while they are
 *   retained), auth `none`;
 * - `GET /admin/deadLetters?limit=N`: the dead-lettered callbacks, auth `acs`;
 * - `POST /admin/deadLetters/{id}:redrive`: puts one back into the outbox, due now, attempts
 *   reset; 202 `{id}`, 404 when there is no such dead letter; auth `acs`.
 * - `POST /admin/keys:rotate`: a new signing key; the old one stays published for a while;
 *   200 `{kid}`; auth `acs`.
 */
type R = Keys | Outbox

const json = (status: number, body: object): HttpRoute.HttpResponse => ({
  status,
  headers: { 'cache-control': 'no-store' },
  body,
})

const storeFailed = (e: { readonly _tag: string; readonly message?: string }) =>
  HttpRoute.error(503, 'ServiceUnavailable', `The store is unavailable (${e._tag}).`)

const openId: HttpRoute.Route<R>['handle'] = () =>
  Effect.map(Keys, (keys) => json(200, openIdConfiguration(keys)))

export const routes: ReadonlyArray<HttpRoute.Route<R>> = [
  {
    method: 'GET',
    path: '/.well-known/openid-configuration',
    auth: 'none',
    name: 'webhooks.openidConfiguration',
    handle: openId,
  },
  {
    method: 'GET',
    path: '/calling/.well-known/acsopenidconfiguration',
    auth: 'none',
    name: 'webhooks.acsOpenidConfiguration',
    handle: openId,
  },
  {
    method: 'GET',
    path: '/calling/keys',
    auth: 'none',
    name: 'webhooks.jwks',
    handle: () =>
      Effect.gen(function* () {
        const keys = yield* Keys
        return json(200, { keys: yield* keys.published })
      }),
  },
  {
    method: 'GET',
    path: '/admin/deadLetters',
    auth: 'acs',
    name: 'webhooks.deadLetters',
    handle: (request) =>
      Effect.gen(function* () {
        const raw = request.query.get('limit')
        const limit = raw === null ? 100 : Number(raw)
        if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000)
          return HttpRoute.error(400, 'BadRequest', 'limit must be an integer from 1 to 1000.')
        const outbox = yield* Outbox
        const letters = yield* outbox.listDeadLetters({ limit })
        return json(200, {
          value: letters.map((l) => ({
            id: l.id,
            callConnectionId: l.callId,
            seq: l.seq,
            kind: l.kind,
            attempts: l.attempts,
            reason: l.reason,
            ...(l.lastError !== undefined ? { lastError: l.lastError } : {}),
            payload: l.payload,
          })),
        })
      }).pipe(Effect.catchAll((e) => Effect.succeed(storeFailed(e)))),
  },
  {
    method: 'POST',
    path: '/admin/deadLetters/{id}:redrive',
    auth: 'acs',
    name: 'webhooks.redrive',
    handle: (_request, params) =>
      Effect.gen(function* () {
        const id = params.id ?? ''
        const outbox = yield* Outbox
        const now = yield* Clock.currentTimeMillis
        const result = yield* Effect.either(outbox.redrive(id, now))
        if (result._tag === 'Right') {
          const wakeup = yield* Effect.serviceOption(Wakeup.Wakeup)
          if (wakeup._tag === 'Some') yield* wakeup.value.wake
          return json(202, { id })
        }
        if (result.left._tag === 'StoreNotFoundError')
          return HttpRoute.error(404, 'NotFound', `No dead letter ${id}.`)
        if (result.left._tag === 'StoreInputError')
          return HttpRoute.error(400, 'BadRequest', `Invalid dead letter id ${id}.`)
        return storeFailed(result.left)
      }).pipe(Effect.catchAll((e) => Effect.succeed(storeFailed(e)))),
  },
  {
    method: 'POST',
    path: '/admin/keys:rotate',
    auth: 'acs',
    name: 'webhooks.rotateKeys',
    handle: () =>
      Effect.gen(function* () {
        const keys = yield* Keys
        const rotated = yield* Effect.either(keys.rotate)
        if (rotated._tag === 'Left')
          return HttpRoute.error(503, 'ServiceUnavailable', 'The key file could not be written.')
        return json(200, { kid: rotated.right.kid })
      }),
  },
]
