import type * as t from 'io-ts'
import { Rejection } from '@switchboard/core'

/**
 * Turns io-ts validation errors into the refusal the service gives for a malformed body:
 * `invalidArgument` (400 / "8523"), or `toneUnknown` when the offending value is meant to be a
 * tone, with a message that names the offending JSON path (`recognizeOptions.dtmfOptions.stopTones[1]`).
 */

/** Codecs whose numbered context entries are branch indices, not JSON keys. */
const transparent: ReadonlySet<string> = new Set(['UnionType', 'IntersectionType'])
const objects: ReadonlySet<string> = new Set([
  'InterfaceType',
  'PartialType',
  'IntersectionType',
  'ExactType',
])

/** The JSON path of an error, e.g. `playSources[0].file.uri`; empty for the root. */
export const pathOf = (context: t.Context): string => {
  let out = ''
  for (let i = 1; i < context.length; i++) {
    const parent = context[i - 1]!.type as unknown as { readonly _tag?: string }
    const key = context[i]!.key
    if (key === '') continue
    if (parent._tag !== undefined && transparent.has(parent._tag) && /^\d+$/.test(key)) continue
    out += /^\d+$/.test(key) ? `[${key}]` : out === '' ? key : `.${key}`
  }
  return out
}

const show = (u: unknown): string => {
  if (u === undefined) return 'nothing'
  let s: string
  try {
    s = JSON.stringify(u) ?? String(u)
  } catch {
    s = String(u)
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s
}

const expectations: Readonly<Record<string, string>> = {
  Tone: 'a DTMF tone (zero..nine, a..d, pound, asterisk)',
  CommunicationIdentifierModel:
    'an identifier (one of communicationUser, phoneNumber, microsoftTeamsUser, microsoftTeamsApp, teamsExtensionUser, or a rawId)',
  Finite: 'a number',
  Integer: 'an integer',
  NonNegativeInt: 'a non-negative integer',
  NonEmptyString: 'a non-empty string',
  IsoDateTime: 'an ISO-8601 date-time',
  Base64: 'base64',
}

const expected = (name: string): string => expectations[name] ?? name

export interface Described {
  readonly path: string
  readonly message: string
  readonly tone: boolean
}

/** The first error, described. */
export const describe = (errors: t.Errors): Described => {
  const e = errors[0]
  if (e === undefined) return { path: '', message: 'is malformed', tone: false }
  const path = pathOf(e.context)
  const leaf = e.context[e.context.length - 1]
  const name = leaf?.type.name ?? 'a value'
  const tag = (leaf?.type as { readonly _tag?: string } | undefined)?._tag
  const tone = name === 'Tone'
  const isObject = typeof e.value === 'object' && e.value !== null && !Array.isArray(e.value)
  const message =
    e.value === undefined
      ? 'is required'
      : tag !== undefined && objects.has(tag) && !isObject
        ? `must be a JSON object, got ${show(e.value)}`
        : `must be ${expected(name)}, got ${show(e.value)}`
  return { path, message, tone }
}

/** The refusal of a malformed request body. */
export const toRejection = (errors: t.Errors): Rejection.Rejection => {
  const d = describe(errors)
  const subject = d.path === '' ? 'the body' : d.path
  return Rejection.make(
    d.tone ? 'toneUnknown' : 'invalidArgument',
    `Invalid request: ${subject} ${d.message}.`,
  )
}

/** A one-line description of a decoding failure, for non-request decoders. */
export const toMessage = (errors: t.Errors): string => {
  const d = describe(errors)
  return `${d.path === '' ? 'value' : d.path} ${d.message}`
}
