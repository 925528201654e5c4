/**
 * Standard base64 (RFC 4648, with padding), as ACS media streaming carries audio in
 * `AudioData.data`. Written by hand so the package needs no platform API.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

const LOOKUP: Int16Array = (() => {
  const table = new Int16Array(128).fill(-1)
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = i
  return table
})()

/** Raised by `decode` for text that is not canonical padded base64. */
export class Base64Error extends Error {
  readonly _tag = 'Base64Error'
  constructor(message: string) {
    super(message)
    this.name = 'Base64Error'
  }
}

export const encode = (bytes: Uint8Array): string => {
  let out = ''
  const full = bytes.length - (bytes.length % 3)
  for (let i = 0; i < full; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!
    out +=
      ALPHABET[(n >> 18) & 63]! +
      ALPHABET[(n >> 12) & 63]! +
      ALPHABET[(n >> 6) & 63]! +
      ALPHABET[n & 63]!
  }
  const rest = bytes.length - full
  if (rest === 1) {
    const n = bytes[full]! << 16
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + '=='
  } else if (rest === 2) {
    const n = (bytes[full]! << 16) | (bytes[full + 1]! << 8)
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + '='
  }
  return out
}

const value = (text: string, i: number): number => {
  const c = text.charCodeAt(i)
  const v = c < 128 ? LOOKUP[c]! : -1
  if (v < 0) throw new Base64Error(`invalid base64 character at ${i}`)
  return v
}

/** Decodes padded base64. Whitespace, missing padding and non-zero pad bits are errors. */
export const decode = (text: string): Uint8Array => {
  if (text.length % 4 !== 0) throw new Base64Error('base64 length must be a multiple of 4')
  if (text.length === 0) return new Uint8Array(0)
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0
  const out = new Uint8Array((text.length / 4) * 3 - pad)
  const full = pad === 0 ? text.length : text.length - 4
  let o = 0
  for (let i = 0; i < full; i += 4) {
    const n =
      (value(text, i) << 18) |
      (value(text, i + 1) << 12) |
      (value(text, i + 2) << 6) |
      value(text, i + 3)
    out[o++] = (n >> 16) & 0xff
    out[o++] = (n >> 8) & 0xff
    out[o++] = n & 0xff
  }
  if (pad === 2) {
    const n = (value(text, full) << 18) | (value(text, full + 1) << 12)
    if ((n & 0xffff) !== 0) throw new Base64Error('non-zero padding bits')
    out[o++] = (n >> 16) & 0xff
  } else if (pad === 1) {
    const n =
      (value(text, full) << 18) | (value(text, full + 1) << 12) | (value(text, full + 2) << 6)
    if ((n & 0xff) !== 0) throw new Base64Error('non-zero padding bits')
    out[o++] = (n >> 16) & 0xff
    out[o++] = (n >> 8) & 0xff
  }
  return out
}
