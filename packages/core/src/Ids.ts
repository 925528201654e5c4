import type { Brand } from './Brand.js'

/** The id ACS gives a call connection (`callConnectionId` on the wire). */
export type CallConnectionId = Brand<string, 'CallConnectionId'>
/** The id of the call on the server side (`serverCallId`), shared by every connection to the call. */
export type ServerCallId = Brand<string, 'ServerCallId'>
/** The correlation id of the call (`correlationId`), used in logs and callbacks. */
export type CorrelationId = Brand<string, 'CorrelationId'>
/** The id of one accepted media or call operation, unique within its call (`op-1`, `op-2`, ...). */
export type OperationId = Brand<string, 'OperationId'>
/** The id of an add-participant invitation (`invitationId`). */
export type InvitationId = Brand<string, 'InvitationId'>

const nonEmpty = (s: unknown): s is string =>
  typeof s === 'string' && s.length > 0 && s.length <= 256

/** Accepts a non-empty string of at most 256 characters as a call connection id. */
export const callConnectionId = (s: string): CallConnectionId | null =>
  nonEmpty(s) ? (s as CallConnectionId) : null
export const serverCallId = (s: string): ServerCallId | null =>
  nonEmpty(s) ? (s as ServerCallId) : null
export const correlationId = (s: string): CorrelationId | null =>
  nonEmpty(s) ? (s as CorrelationId) : null
export const invitationId = (s: string): InvitationId | null =>
  nonEmpty(s) ? (s as InvitationId) : null

/** Operation ids are minted by the core from a per-call counter, so replay gives the same ids. */
export const operationId = (n: number): OperationId => `op-${n}` as OperationId

/**
 * Unchecked casts, for code that received the value from a trusted source (the store, the core
 * itself). Inputs from the outside go through the checking constructors above.
 */
export const unsafe = {
  callConnectionId: (s: string) => s as CallConnectionId,
  serverCallId: (s: string) => s as ServerCallId,
  correlationId: (s: string) => s as CorrelationId,
  operationId: (s: string) => s as OperationId,
  invitationId: (s: string) => s as InvitationId,
}
