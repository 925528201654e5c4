import * as t from 'io-ts'
import { Identifier } from '@switchboard/core'
import { refine } from './Shapes.js'

/**
 * `CommunicationIdentifierModel` (reference section 3) and its mapping to core identifiers.
 *
 * Decoding goes by which nested object is present, in the SDK's own order (`communicationUser`,
 * `phoneNumber`, `microsoftTeamsUser`, `microsoftTeamsApp`, `teamsExtensionUser`): media
 * operations send no `kind`, so `kind` is never needed, and a `kind` that contradicts the nested
 * object is ignored (the nested object carries the data). With no nested object the model must
 * carry a `rawId`, and it becomes a core `Unknown` of that raw id (as the SDK does).
 *
 * Encoding writes what the service returns: `kind`, `rawId` and the nested object.
 */

export const TeamsCloud = t.keyof({ public: null, dod: null, gcch: null }, 'TeamsCloud')

export const CommunicationUserModel = t.type({ id: t.string }, 'CommunicationUserIdentifierModel')
export type CommunicationUserModel = t.TypeOf<typeof CommunicationUserModel>

export const PhoneNumberModel = t.intersection(
  [t.type({ value: t.string }), t.partial({ isAnonymous: t.boolean, assertedId: t.string })],
  'PhoneNumberIdentifierModel',
)
export type PhoneNumberModel = t.TypeOf<typeof PhoneNumberModel>

export const TeamsUserModel = t.intersection(
  [t.type({ userId: t.string }), t.partial({ isAnonymous: t.boolean, cloud: TeamsCloud })],
  'MicrosoftTeamsUserIdentifierModel',
)
export const TeamsAppModel = t.intersection(
  [t.type({ appId: t.string }), t.partial({ cloud: TeamsCloud })],
  'MicrosoftTeamsAppIdentifierModel',
)
export const TeamsExtensionUserModel = t.intersection(
  [
    t.type({ userId: t.string, tenantId: t.string, resourceId: t.string }),
    t.partial({ cloud: TeamsCloud }),
  ],
  'TeamsExtensionUserIdentifierModel',
)

const Fields = t.partial({
  kind: t.string,
  rawId: t.string,
  communicationUser: CommunicationUserModel,
  phoneNumber: PhoneNumberModel,
  microsoftTeamsUser: TeamsUserModel,
  microsoftTeamsApp: TeamsAppModel,
  teamsExtensionUser: TeamsExtensionUserModel,
})
type Fields = t.TypeOf<typeof Fields>

const identifies = (m: Fields): boolean =>
  m.communicationUser !== undefined ||
  m.phoneNumber !== undefined ||
  m.microsoftTeamsUser !== undefined ||
  m.microsoftTeamsApp !== undefined ||
  m.teamsExtensionUser !== undefined ||
  (m.rawId !== undefined && m.rawId.length > 0)

/** A CIM that names someone: a nested object, or at least a non-empty `rawId`. */
export const IdentifierModel = refine(Fields, identifies, 'CommunicationIdentifierModel')
export type IdentifierModel = t.TypeOf<typeof IdentifierModel>

/** The core identifier a model denotes. Total. */
export const toCore = (m: Fields): Identifier.Identifier => {
  if (m.communicationUser !== undefined) return Identifier.communicationUser(m.communicationUser.id)
  if (m.phoneNumber !== undefined)
    return Identifier.phoneNumber(m.phoneNumber.value, m.phoneNumber.isAnonymous === true)
  if (m.microsoftTeamsUser !== undefined)
    return Identifier.teamsUser(
      m.microsoftTeamsUser.userId,
      m.microsoftTeamsUser.cloud ?? 'public',
      m.microsoftTeamsUser.isAnonymous === true,
    )
  if (m.microsoftTeamsApp !== undefined)
    return Identifier.teamsApp(m.microsoftTeamsApp.appId, m.microsoftTeamsApp.cloud ?? 'public')
  if (m.teamsExtensionUser !== undefined) {
    const x = m.teamsExtensionUser
    return Identifier.unknown(m.rawId ?? `8:acs:${x.resourceId}_${x.tenantId}_${x.userId}`)
  }
  return Identifier.unknown(m.rawId ?? '')
}

/** The model the service returns for a core identifier: `kind`, `rawId`, nested object. */
export const fromCore = (id: Identifier.Identifier): IdentifierModel => {
  const rawId: string = Identifier.rawId(id)
  switch (id._tag) {
    case 'CommunicationUser':
      return { kind: 'communicationUser', rawId, communicationUser: { id: id.id } }
    case 'PhoneNumber':
      return {
        kind: 'phoneNumber',
        rawId,
        phoneNumber: { value: id.value, isAnonymous: id.isAnonymous },
      }
    case 'MicrosoftTeamsUser':
      return {
        kind: 'microsoftTeamsUser',
        rawId,
        microsoftTeamsUser: { userId: id.userId, isAnonymous: id.isAnonymous, cloud: id.cloud },
      }
    case 'MicrosoftTeamsApp':
      return {
        kind: 'microsoftTeamsApp',
        rawId,
        microsoftTeamsApp: { appId: id.appId, cloud: id.cloud },
      }
    case 'Unknown':
      return { kind: 'unknown', rawId }
  }
}

/** `{id}` of `source` / `answeredBy`: an ACS user. */
export const userToCore = (m: CommunicationUserModel): Identifier.Identifier =>
  Identifier.communicationUser(m.id)
