import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { Base64 } from '../src/index.js'

const text = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('Base64', () => {
  it('matches the RFC 4648 test vectors', () => {
    const vectors: Array<[string, string]> = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ]
    for (const [plain, coded] of vectors) {
      expect(Base64.encode(text(plain))).toBe(coded)
      expect(Base64.decode(coded)).toEqual(text(plain))
    }
  })

  it('agrees with Node for any bytes, and round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (bytes) => {
        const coded = Base64.encode(bytes)
        expect(coded).toBe(Buffer.from(bytes).toString('base64'))
        expect(Base64.decode(coded)).toEqual(bytes)
      }),
    )
  })

  it('rejects text that is not canonical padded base64', () => {
    for (const bad of ['Zg', 'Zg=', 'Z===', 'Zm9v!A==', 'Zh==', 'Zm9=', ' Zm9v', 'Zm9vYg=a'])
      expect(() => Base64.decode(bad), bad).toThrow(Base64.Base64Error)
  })
})
