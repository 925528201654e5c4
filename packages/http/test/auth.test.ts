import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import * as Auth from '../src/Auth.js'

const key = Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')
const now = Date.parse('Tue, 24 Nov 2026 18:06:16 GMT')
const date = new Date(now)

const request = (body: string, overrides: Record<string, string | undefined> = {}) => {
  const url = '/calling/callConnections/cc-1:play?api-version=2026-03-12'
  const headers = {
    host: '127.0.0.1:8080',
    ...Auth.signedHeaders({
      accessKey: key,
      method: 'POST',
      pathAndQuery: url,
      host: '127.0.0.1:8080',
      body,
      date,
    }),
    ...overrides,
  }
  return { method: 'POST', url, headers, body: Buffer.from(body), now }
}

describe('HMAC-SHA256 verification (reference 1.2)', () => {
  const verifier = Auth.verifier(key)
  it('accepts what the SDK signs', () => {
    expect(verifier.verify(request('{"a":1}'))).toBeNull()
    expect(verifier.verify(request(''))).toBeNull()
  })
  it('matches the empty-body hash of the reference', () => {
    expect(Auth.contentHash(new Uint8Array())).toBe('47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=')
  })
  it('refuses a wrong key, an altered body, a stale date, missing headers', () => {
    const other = Auth.verifier(Buffer.from('another key of 32 bytes at least!').toString('base64'))
    expect(other.verify(request('{}'))).toMatch(/signature/)
    expect(verifier.verify({ ...request('{"a":1}'), body: Buffer.from('{"a":2}') })).toMatch(
      /x-ms-content-sha256/,
    )
    expect(verifier.verify({ ...request('{}'), now: now + 16 * 60_000 })).toMatch(/15 minutes/)
    expect(verifier.verify({ ...request('{}'), now: now - 16 * 60_000 })).toMatch(/15 minutes/)
    expect(verifier.verify(request('{}', { authorization: undefined }))).toMatch(/Authorization/)
    expect(verifier.verify(request('{}', { 'x-ms-date': undefined }))).toMatch(/x-ms-date/)
    expect(verifier.verify(request('{}', { 'x-ms-content-sha256': undefined }))).toMatch(/sha256/)
    expect(verifier.verify(request('{}', { host: '127.0.0.1:9999' }))).toMatch(/signature/)
    expect(verifier.verify(request('{}', { authorization: 'Bearer x' }))).toMatch(/HMAC-SHA256/)
  })
  it('never throws and never accepts an arbitrary Authorization header', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (authorization, d) => {
        const r = verifier.verify(request('{}', { authorization, 'x-ms-date': d }))
        expect(r).not.toBeNull()
      }),
    )
  })
  it('signs the query as URLSearchParams re-serializes it, plain or not', () => {
    const reference = (url: string) => {
      const q = url.indexOf('?')
      if (q < 0) return url
      const query = new URLSearchParams(url.slice(q + 1)).toString()
      return query.length === 0 ? url.slice(0, q) : `${url.slice(0, q)}?${query}`
    }
    const chars = fc.constantFrom(...'aZ09*._-=&+%20~ é!?'.split(''))
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 30 }), (cs) => {
        const url = `/calling/callConnections/cc-1:play?${cs.join('')}`
        expect(Auth.pathAndQuery(url)).toBe(reference(url))
      }),
      { numRuns: 2000 },
    )
    expect(Auth.pathAndQuery('/x?api-version=2026-03-12')).toBe('/x?api-version=2026-03-12')
    expect(Auth.pathAndQuery('/x?a=b c')).toBe('/x?a=b+c')
    expect(Auth.pathAndQuery('/x?a')).toBe('/x?a=')
  })
})
