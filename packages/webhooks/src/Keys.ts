import { generateKeyPairSync, createPrivateKey, randomUUID, type KeyObject } from 'node:crypto'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Clock, Context, Data, Effect, Layer } from 'effect'

/**
 * The signing keys of callback delivery: RSA 2048 key pairs (RS256), the newest signs, older ones
 * stay published for a while after a rotation so tokens already handed out still verify. Kept in
 * `<dataDir>/webhook-keys.json` (mode 0600) with the resource id (the default audience), or in
 * memory when no data directory is given.
 */

export const fileName = 'webhook-keys.json'

/** A JSON Web Key (public part), as published in the JWKS. */
export interface PublicJwk {
  readonly kty: 'RSA'
  readonly n: string
  readonly e: string
  readonly kid: string
  readonly alg: 'RS256'
  readonly use: 'sig'
}

export interface SigningKey {
  readonly kid: string
  readonly privateKey: KeyObject
  readonly publicJwk: PublicJwk
  /** ms since the epoch */
  readonly createdAt: number
  /** When a newer key replaced it (ms); absent for the current key. */
  readonly retiredAt?: number
}

export interface KeysOptions {
  /** Where the key file lives; absent: keys live in memory for the life of the process. */
  readonly dataDir?: string
  /**
   * The token issuer (`iss`) and the base of the published documents: the service's public
   * URL, e.g. `http://127.0.0.1:8080`. Default `http://localhost`.
   */
  readonly issuer?: string
  /** How long a replaced key stays published (ms, default 1 hour; at least the token lifetime). */
  readonly retainMs?: number
}

export class KeysError extends Data.TaggedError('KeysError')<{
  readonly message: string
  readonly cause?: unknown
}> {}

export interface KeysService {
  /** Switchboard's resource id: a UUID made once per data directory; the default audience. */
  readonly resourceId: string
  readonly issuer: string
  /** The path of the JWKS document under the issuer (`/calling/keys`, as ACS). */
  readonly jwksPath: string
  /** The key that signs now. */
  readonly current: Effect.Effect<SigningKey>
  /** The keys published now (current first). */
  readonly published: Effect.Effect<ReadonlyArray<PublicJwk>>
  /** Makes a new key the signing key; the old one stays published for `retainMs`. */
  readonly rotate: Effect.Effect<SigningKey, KeysError>
}

export class Keys extends Context.Tag('@switchboard/webhooks/Keys')<Keys, KeysService>() {}

interface StoredKey {
  readonly kid: string
  readonly privatePem: string
  readonly createdAt: number
  readonly retiredAt?: number
}
interface StoredFile {
  readonly version: 1
  readonly resourceId: string
  readonly keys: ReadonlyArray<StoredKey>
}

const toPublic = (kid: string, privateKey: KeyObject): PublicJwk => {
  const jwk = privateKey.export({ format: 'jwk' }) as { n?: string; e?: string }
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string') throw new Error('not an RSA key')
  return { kty: 'RSA', n: jwk.n, e: jwk.e, kid, alg: 'RS256', use: 'sig' }
}

const fromStored = (k: StoredKey): SigningKey => {
  const privateKey = createPrivateKey(k.privatePem)
  return {
    kid: k.kid,
    privateKey,
    publicJwk: toPublic(k.kid, privateKey),
    createdAt: k.createdAt,
    ...(k.retiredAt !== undefined ? { retiredAt: k.retiredAt } : {}),
  }
}

/** A fresh RSA 2048 key. */
export const generate = (now: number): SigningKey => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const kid = randomUUID()
  return { kid, privateKey, publicJwk: toPublic(kid, privateKey), createdAt: now }
}

const toStored = (k: SigningKey): StoredKey => ({
  kid: k.kid,
  privatePem: k.privateKey.export({ format: 'pem', type: 'pkcs8' }) as string,
  createdAt: k.createdAt,
  ...(k.retiredAt !== undefined ? { retiredAt: k.retiredAt } : {}),
})

const isStoredFile = (u: unknown): u is StoredFile =>
  typeof u === 'object' &&
  u !== null &&
  typeof (u as StoredFile).resourceId === 'string' &&
  Array.isArray((u as StoredFile).keys) &&
  (u as StoredFile).keys.every(
    (k) =>
      typeof k === 'object' &&
      k !== null &&
      typeof k.kid === 'string' &&
      typeof k.privatePem === 'string' &&
      typeof k.createdAt === 'number',
  )

const readFileIfAny = (path: string) =>
  Effect.tryPromise({
    try: async () => {
      try {
        return await readFile(path, 'utf8')
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') return null
        throw e
      }
    },
    catch: (cause) => new KeysError({ message: `cannot read ${path}`, cause }),
  })

const save = (dir: string, file: StoredFile) =>
  Effect.tryPromise({
    try: async () => {
      await mkdir(dir, { recursive: true })
      const path = join(dir, fileName)
      const tmp = `${path}.${process.pid}.tmp`
      await writeFile(tmp, JSON.stringify(file, null, 2), { mode: 0o600 })
      await rename(tmp, path)
    },
    catch: (cause) => new KeysError({ message: `cannot write the key file in ${dir}`, cause }),
  })

/** Loads the keys from the data directory, creating the file (resource id, first key) if absent. */
export const make = (options: KeysOptions = {}): Effect.Effect<KeysService, KeysError> =>
  Effect.gen(function* () {
    const issuer = (options.issuer ?? 'http://localhost').replace(/\/+$/, '')
    const retainMs = options.retainMs ?? 3_600_000
    const now = yield* Clock.currentTimeMillis
    let resourceId: string
    let keys: Array<SigningKey>
    const dir = options.dataDir
    const text = dir === undefined ? null : yield* readFileIfAny(join(dir, fileName))
    if (text !== null) {
      const parsed = yield* Effect.try({
        try: () => JSON.parse(text) as unknown,
        catch: (cause) => new KeysError({ message: `${fileName} is not JSON`, cause }),
      })
      if (!isStoredFile(parsed) || parsed.keys.length === 0)
        return yield* Effect.fail(new KeysError({ message: `${fileName} is malformed` }))
      resourceId = parsed.resourceId
      keys = yield* Effect.try({
        try: () => parsed.keys.map(fromStored),
        catch: (cause) => new KeysError({ message: `${fileName} holds a bad key`, cause }),
      })
    } else {
      resourceId = randomUUID()
      keys = [generate(now)]
      if (dir !== undefined) yield* save(dir, { version: 1, resourceId, keys: keys.map(toStored) })
    }
    // the signing key (never retired) first, then the retired ones, newest first
    keys.sort((a, b) =>
      (a.retiredAt === undefined) !== (b.retiredAt === undefined)
        ? a.retiredAt === undefined
          ? -1
          : 1
        : b.createdAt - a.createdAt,
    )
    const lock = yield* Effect.makeSemaphore(1)

    const live = (at: number) =>
      keys.filter((k) => k.retiredAt === undefined || at - k.retiredAt < retainMs)

    const rotate = lock.withPermits(1)(
      Effect.gen(function* () {
        const at = yield* Clock.currentTimeMillis
        const fresh = generate(at)
        const next = [
          fresh,
          ...keys.map((k) => (k.retiredAt === undefined ? { ...k, retiredAt: at } : k)),
        ].filter((k) => k.retiredAt === undefined || at - k.retiredAt < retainMs)
        if (dir !== undefined)
          yield* save(dir, { version: 1, resourceId, keys: next.map(toStored) })
        keys = next
        return fresh
      }),
    )

    return {
      resourceId,
      issuer,
      jwksPath: '/calling/keys',
      current: Effect.sync(() => keys[0]!),
      published: Effect.map(Clock.currentTimeMillis, (at) => live(at).map((k) => k.publicJwk)),
      rotate,
    } satisfies KeysService
  })

export const layer = (options: KeysOptions = {}): Layer.Layer<Keys, KeysError> =>
  Layer.effect(Keys, make(options))

/**
 * The OpenID configuration document naming the JWKS. `resource_id` (not an OpenID field) is the
 * default audience of callback tokens, so an app can configure its verifier from this document.
 */
export const openIdConfiguration = (keys: KeysService) => ({
  issuer: keys.issuer,
  resource_id: keys.resourceId,
  jwks_uri: keys.issuer + keys.jwksPath,
  id_token_signing_alg_values_supported: ['RS256'],
  response_types_supported: ['id_token'],
  subject_types_supported: ['public'],
})
