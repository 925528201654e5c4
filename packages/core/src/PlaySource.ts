/** What can be played: an audio file by URI, text spoken by text-to-speech, or SSML. */
export interface File {
  readonly _tag: 'File'
  readonly uri: string
  readonly cacheId?: string
}
export interface Text {
  readonly _tag: 'Text'
  readonly text: string
  readonly voiceName?: string
  readonly sourceLocale?: string
  readonly voiceKind?: 'male' | 'female'
  readonly cacheId?: string
}
export interface Ssml {
  readonly _tag: 'Ssml'
  readonly ssmlText: string
  readonly cacheId?: string
}

export type PlaySource = File | Text | Ssml

export const file = (uri: string): File => ({ _tag: 'File', uri })
export const text = (t: string, voiceName?: string): Text =>
  voiceName === undefined ? { _tag: 'Text', text: t } : { _tag: 'Text', text: t, voiceName }
export const ssml = (ssmlText: string): Ssml => ({ _tag: 'Ssml', ssmlText })

/** The most play sources one play or recognize request may carry. */
export const maxSources = 10

/** A source with nothing to play (empty URI, text or SSML) is invalid (ACS 8582). */
export const isEmpty = (source: PlaySource): boolean => {
  switch (source._tag) {
    case 'File':
      return isBlank(source.uri)
    case 'Text':
      return isBlank(source.text)
    case 'Ssml':
      return isBlank(source.ssmlText)
  }
}

/**
 * `s.trim().length === 0`, without making the trimmed copy: the first character that `trim`
 * would keep answers it (a URI or a text usually starts with one).
 */
const isBlank = (s: string): boolean => {
  if (typeof s !== 'string') return (s as string).trim().length === 0
  for (let i = 0; i < s.length; i++) if (!isTrimmed(s.charCodeAt(i))) return false
  return true
}

/** The code units `String.prototype.trim` removes: white space and line terminators. */
const isTrimmed = (c: number): boolean =>
  c === 0x20 ||
  (c >= 0x09 && c <= 0x0d) ||
  (c > 0x7f &&
    (c === 0xa0 ||
      c === 0x1680 ||
      (c >= 0x2000 && c <= 0x200a) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0x202f ||
      c === 0x205f ||
      c === 0x3000 ||
      c === 0xfeff))
