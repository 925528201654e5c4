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
      return source.uri.trim().length === 0
    case 'Text':
      return source.text.trim().length === 0
    case 'Ssml':
      return source.ssmlText.trim().length === 0
  }
}
