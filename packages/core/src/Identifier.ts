import type { Brand } from './Brand.js'

/**
 * Communication identifiers as ACS models them, with their raw ids:
 * `8:acs:<id>` (ACS user), `4:+<E.164>` (phone number), `8:orgid:` / `8:dod:` / `8:gcch:` /
 * `8:teamsvisitor:` (Microsoft Teams user), `28:orgid:` / `28:dod:` / `28:gcch:` (Teams app),
 * anything else is unknown.
 */
export type RawId = Brand<string, 'RawId'>

export type TeamsCloud = 'public' | 'dod' | 'gcch'

export interface CommunicationUser {
  readonly _tag: 'CommunicationUser'
  readonly id: string
}
export interface PhoneNumber {
  readonly _tag: 'PhoneNumber'
  /** E.164, with the leading `+`. */
  readonly value: string
  readonly isAnonymous: boolean
}
export interface MicrosoftTeamsUser {
  readonly _tag: 'MicrosoftTeamsUser'
  readonly userId: string
  readonly isAnonymous: boolean
  readonly cloud: TeamsCloud
}
export interface MicrosoftTeamsApp {
  readonly _tag: 'MicrosoftTeamsApp'
  readonly appId: string
  readonly cloud: TeamsCloud
}
export interface Unknown {
  readonly _tag: 'Unknown'
  readonly id: string
}

export type Identifier =
  CommunicationUser | PhoneNumber | MicrosoftTeamsUser | MicrosoftTeamsApp | Unknown

export const communicationUser = (id: string): CommunicationUser => ({
  _tag: 'CommunicationUser',
  id,
})
export const phoneNumber = (value: string, isAnonymous = false): PhoneNumber => ({
  _tag: 'PhoneNumber',
  value,
  isAnonymous,
})
export const teamsUser = (
  userId: string,
  cloud: TeamsCloud = 'public',
  isAnonymous = false,
): MicrosoftTeamsUser => ({ _tag: 'MicrosoftTeamsUser', userId, cloud, isAnonymous })
export const teamsApp = (appId: string, cloud: TeamsCloud = 'public'): MicrosoftTeamsApp => ({
  _tag: 'MicrosoftTeamsApp',
  appId,
  cloud,
})
export const unknown = (id: string): Unknown => ({ _tag: 'Unknown', id })

/** True for a well-formed E.164 number: `+`, a non-zero digit, at most 15 digits in all. */
export const isE164 = (s: string): boolean => {
  // `/^\+[1-9][0-9]{1,14}$/`, without the regular expression (it is on the path of every DTMF)
  if (typeof s !== 'string' || s.length < 3 || s.length > 16 || s.charCodeAt(0) !== 43) return false
  const first = s.charCodeAt(1)
  if (first < 49 || first > 57) return false
  for (let i = 2; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c < 48 || c > 57) return false
  }
  return true
}

const teamsUserPrefixes: ReadonlyArray<readonly [string, TeamsCloud]> = [
  ['8:orgid:', 'public'],
  ['8:dod:', 'dod'],
  ['8:gcch:', 'gcch'],
]
const teamsAppPrefixes: ReadonlyArray<readonly [string, TeamsCloud]> = [
  ['28:orgid:', 'public'],
  ['28:dod:', 'dod'],
  ['28:gcch:', 'gcch'],
]

/** Parses a raw id. Total: what no prefix claims is `Unknown`. */
export const parse = (raw: string): Identifier => {
  if (raw.startsWith('4:')) {
    const value = raw.slice(2)
    if (value === 'anonymous') return phoneNumber('anonymous', true)
    return phoneNumber(value)
  }
  if (raw.startsWith('8:acs:') || raw.startsWith('8:spool:')) return communicationUser(raw)
  if (raw.startsWith('8:teamsvisitor:'))
    return teamsUser(raw.slice('8:teamsvisitor:'.length), 'public', true)
  for (const [prefix, cloud] of teamsUserPrefixes) {
    if (raw.startsWith(prefix)) return teamsUser(raw.slice(prefix.length), cloud)
  }
  for (const [prefix, cloud] of teamsAppPrefixes) {
    if (raw.startsWith(prefix)) return teamsApp(raw.slice(prefix.length), cloud)
  }
  return unknown(raw)
}

const cloudPrefix = (cloud: TeamsCloud): string => (cloud === 'public' ? 'orgid' : cloud)

/** Formats the raw id of an identifier. `parse(rawId(x))` gives back `x` for well-formed identifiers. */
export const rawId = (identifier: Identifier): RawId => {
  // one decision asks for the same party's raw id several times in a row
  if (identifier === lastIdentifier) return lastRawId
  if (typeof identifier !== 'object' || identifier === null) return String(identifier) as RawId
  const r = formatRawId(identifier)
  lastIdentifier = identifier
  lastRawId = r
  return r
}

// A memo of the last answer (a cache of a pure function: it changes no result). There is no
// memo per identifier: a server decodes fresh identifier objects for every request, and a
// `WeakMap` keyed by them cost more (in its own upkeep and in the collector's) than formatting.
let lastIdentifier: Identifier | null = null
let lastRawId = '' as RawId

const formatRawId = (identifier: Identifier): RawId => {
  switch (identifier._tag) {
    case 'CommunicationUser':
      return identifier.id as RawId
    case 'PhoneNumber':
      return `4:${identifier.isAnonymous ? 'anonymous' : identifier.value}` as RawId
    case 'MicrosoftTeamsUser':
      return (
        identifier.isAnonymous
          ? `8:teamsvisitor:${identifier.userId}`
          : `8:${cloudPrefix(identifier.cloud)}:${identifier.userId}`
      ) as RawId
    case 'MicrosoftTeamsApp':
      return `28:${cloudPrefix(identifier.cloud)}:${identifier.appId}` as RawId
    case 'Unknown':
      return identifier.id as RawId
  }
}

/** A PSTN party: the only kind SendDtmfTones and continuous DTMF recognition can address. */
export const isPstn = (identifier: Identifier): identifier is PhoneNumber =>
  identifier._tag === 'PhoneNumber' && !identifier.isAnonymous && isE164(identifier.value)

/** Call Automation does not interoperate with Microsoft Teams: every Teams identity is refused. */
export const isTeams = (identifier: Identifier): boolean =>
  identifier._tag === 'MicrosoftTeamsUser' || identifier._tag === 'MicrosoftTeamsApp'

export const isCommunicationUser = (identifier: Identifier): identifier is CommunicationUser =>
  identifier._tag === 'CommunicationUser'

/**
 * Two identifiers denote the same party when their raw ids are equal. Identifiers of one kind are
 * compared field by field (the answer the raw ids would give, without formatting them); only
 * identifiers of different kinds are compared by their raw ids.
 */
export const equals = (a: Identifier, b: Identifier): boolean => {
  if (a === b) return true
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null)
    return rawId(a) === rawId(b)
  switch (a._tag) {
    case 'PhoneNumber':
      return b._tag === 'PhoneNumber'
        ? (a.isAnonymous ? 'anonymous' : a.value) === (b.isAnonymous ? 'anonymous' : b.value)
        : rawId(a) === rawId(b)
    case 'CommunicationUser':
    case 'Unknown':
      return b._tag === 'CommunicationUser' || b._tag === 'Unknown'
        ? a.id === b.id
        : rawId(a) === rawId(b)
    case 'MicrosoftTeamsUser':
      // `8:teamsvisitor:`, `8:orgid:`, `8:dod:` and `8:gcch:` differ at their third character
      return b._tag === 'MicrosoftTeamsUser'
        ? a.isAnonymous === b.isAnonymous &&
            (a.isAnonymous || a.cloud === b.cloud) &&
            a.userId === b.userId
        : rawId(a) === rawId(b)
    case 'MicrosoftTeamsApp':
      return b._tag === 'MicrosoftTeamsApp'
        ? a.cloud === b.cloud && a.appId === b.appId
        : rawId(a) === rawId(b)
  }
  return rawId(a) === rawId(b)
}

/** `rawId(who) === raw`, without formatting the raw id of a phone number or an ACS user. */
export const hasRawId = (who: Identifier, raw: string): boolean => {
  if (typeof who === 'object' && who !== null) {
    if (who._tag === 'PhoneNumber') {
      const body = who.isAnonymous ? 'anonymous' : who.value
      if (typeof body !== 'string') return raw === rawId(who)
      return (
        raw.length === body.length + 2 &&
        raw.charCodeAt(0) === 52 && // 4
        raw.charCodeAt(1) === 58 && // :
        raw.endsWith(body)
      )
    }
    if (who._tag === 'CommunicationUser' || who._tag === 'Unknown') return raw === who.id
  }
  return raw === rawId(who)
}

/** A short, human description for messages: `phone number +14255550123`. */
export const describe = (identifier: Identifier): string => {
  switch (identifier._tag) {
    case 'CommunicationUser':
      return `communication user ${identifier.id}`
    case 'PhoneNumber':
      return `phone number ${identifier.value}`
    case 'MicrosoftTeamsUser':
      return `Microsoft Teams user ${identifier.userId}`
    case 'MicrosoftTeamsApp':
      return `Microsoft Teams app ${identifier.appId}`
    case 'Unknown':
      return `identifier ${identifier.id}`
  }
}
