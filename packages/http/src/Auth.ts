import {
  createHmac,
  createSecretKey,
  hash as digest,
  type KeyObject,
  timingSafeEqual,
} from 'node:crypto'

/**
 * The ACS access-key scheme (reference 1.2) as `@azure/communication-common` signs:
 *
 * ```
 * Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<base64>
 * string to sign: VERB \n pathAndQuery \n x-ms-date;host;x-ms-content-sha256
 * key: base64-decoded access key
 * ```
 */

export const emptyBodyHash = '47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='

/** base64(SHA-256(body)). */
export const contentHash = (body: Uint8Array): string =>
  body.length === 0 ? emptyBodyHash : digest('sha256', body, 'base64')

export const stringToSign = (
  method: string,
  pathAndQuery: string,
  date: string,
  host: string,
  hash: string,
): string => `${method.toUpperCase()}\n${pathAndQuery}\n${date};${host};${hash}`

/** base64(HMAC-SHA256(key, stringToSign)); `key` is the raw (decoded) key. */
export const sign = (key: Uint8Array | KeyObject, toSign: string): string =>
  createHmac('sha256', key).update(toSign).digest('base64')

/** The headers a client adds to sign a request (what the SDK does); for tests and the benchmark. */
export const signedHeaders = (options: {
  readonly accessKey: string
  readonly method: string
  /** `url.pathname + url.search` as sent */
  readonly pathAndQuery: string
  readonly host: string
  readonly body: string | Uint8Array
  readonly date?: Date
}): Record<string, string> => {
  const body = typeof options.body === 'string' ? Buffer.from(options.body, 'utf8') : options.body
  const date = (options.date ?? new Date()).toUTCString()
  const hash = contentHash(body)
  const signature = sign(
    Buffer.from(options.accessKey, 'base64'),
    stringToSign(options.method, options.pathAndQuery, date, options.host, hash),
  )
  return {
    'x-ms-date': date,
    'x-ms-content-sha256': hash,
    authorization: `HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=${signature}`,
  }
}

export interface Verifier {
  readonly verify: (request: {
    readonly method: string
    /** path and query as sent (percent-encoded) */
    readonly url: string
    readonly headers: Readonly<Record<string, string | string[] | undefined>>
    readonly body: Uint8Array
    readonly now: number
  }) => string | null
}

/** How far `x-ms-date` may be from the server's clock: 15 minutes (reference 1.2). */
export const maxSkewMs = 15 * 60_000

const scheme = 'HMAC-SHA256 '
const signedHeadersPart = 'SignedHeaders='
const signaturePart = '&Signature='

const header = (
  headers: Readonly<Record<string, string | string[] | undefined>>,
  name: string,
): string | undefined => {
  const v = headers[name]
  return typeof v === 'string' ? v : undefined
}

const plainQuery = /^[A-Za-z0-9*._-]+=[A-Za-z0-9*._-]*(?:&[A-Za-z0-9*._-]+=[A-Za-z0-9*._-]*)*$/

/**
 * The URL's path and query as the SDK signs it: the path as sent and the query re-serialized by
 * `URLSearchParams` (which is what the SDK does before signing).
 */
export const pathAndQuery = (url: string): string => {
  const q = url.indexOf('?')
  if (q < 0) return url
  // what URLSearchParams leaves as it is (name=value pairs of unreserved characters): no need to
  // parse and re-serialize (the SDK's `?api-version=2026-03-12` is one)
  if (plainQuery.test(url.slice(q + 1))) return url
  const query = new URLSearchParams(url.slice(q + 1)).toString()
  return query.length === 0 ? url.slice(0, q) : `${url.slice(0, q)}?${query}`
}

/**
 * A verifier for one access key (base64). `verify` answers null when the request is authentic,
 * otherwise the reason (for the 401 message). The signature is compared in constant time.
 */
export const verifier = (accessKey: string, skewMs = maxSkewMs): Verifier => {
  const key = createSecretKey(Buffer.from(accessKey, 'base64'))
  return {
    verify: ({ method, url, headers, body, now }) => {
      const authorization = header(headers, 'authorization')
      if (authorization === undefined) return 'the Authorization header is missing'
      if (!authorization.startsWith(scheme))
        return 'the Authorization header is not HMAC-SHA256 (only access-key authentication is supported)'
      const rest = authorization.slice(scheme.length).trim()
      const at = rest.indexOf(signaturePart)
      if (!rest.startsWith(signedHeadersPart) || at < 0)
        return 'the Authorization header is malformed (SignedHeaders=...&Signature=...)'
      const signed = rest.slice(signedHeadersPart.length, at).toLowerCase()
      if (signed !== 'x-ms-date;host;x-ms-content-sha256')
        return 'SignedHeaders must be x-ms-date;host;x-ms-content-sha256'
      const given = rest.slice(at + signaturePart.length)
      const date = header(headers, 'x-ms-date')
      if (date === undefined) return 'the x-ms-date header is missing'
      const host = header(headers, 'host')
      if (host === undefined) return 'the Host header is missing'
      const hash = header(headers, 'x-ms-content-sha256')
      if (hash === undefined) return 'the x-ms-content-sha256 header is missing'
      const when = Date.parse(date)
      if (Number.isNaN(when)) return 'x-ms-date is not a date'
      if (Math.abs(now - when) > skewMs)
        return 'x-ms-date is more than 15 minutes away from the server time'
      const actual = contentHash(body)
      if (!equal(hash, actual)) return 'x-ms-content-sha256 does not match the body'
      const expected = sign(key, stringToSign(method, pathAndQuery(url), date, host, hash))
      if (!equal(given, expected)) return 'the signature does not match'
      return null
    },
  }
}

/** Constant-time comparison of two base64 strings (lengths are not secret). */
const equal = (a: string, b: string): boolean => {
  const x = Buffer.from(a, 'utf8')
  const y = Buffer.from(b, 'utf8')
  return x.length === y.length && timingSafeEqual(x, y)
}
