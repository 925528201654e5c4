import * as fc from 'fast-check'
import type * as t from 'io-ts'
import type { Event, Instant, Instruction } from '@switchboard/core'
import { Event as CoreEvent, Identifier, Ids } from '@switchboard/core'
import * as Callbacks from './Callbacks.js'
import * as Identifiers from './Identifiers.js'

/**
 * fast-check arbitraries derived from the io-ts codecs, by interpreting their structure
 * (`InterfaceType`, `PartialType`, `ExactType`, `UnionType`, `IntersectionType`, `LiteralType`,
 * `KeyofType`, `ArrayType`, `ReadonlyArrayType`, `RefinementType`, `DictionaryType`, ...).
 * Refinements get a generator by name when one is registered (E.164 numbers, ISO date-times,
 * base64, identifiers); otherwise their base is generated and filtered by the predicate.
 *
 * A separate entry (`@switchboard/wire/arbitrary`) so that runtime users do not load fast-check.
 */

export type Overrides = Readonly<Record<string, fc.Arbitrary<unknown>>>

// ------------------------------------------------------------------ named generators

const digits = (min: number, max: number) =>
  fc
    .array(fc.constantFrom(...'0123456789'), { minLength: min, maxLength: max })
    .map((a) => a.join(''))

/** `+` then a non-zero digit then 1–14 digits. */
export const e164: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom(...'123456789'), digits(1, 14))
  .map(([a, b]) => `+${a}${b}`)

const token = fc
  .array(fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789-_'), {
    minLength: 1,
    maxLength: 24,
  })
  .map((a) => a.join(''))

export const uri: fc.Arbitrary<string> = fc.webUrl()

const cloud = fc.constantFrom<Identifier.TeamsCloud>('public', 'dod', 'gcch')

/** Core identifiers, every kind, as ACS formats them. */
export const identifier: fc.Arbitrary<Identifier.Identifier> = fc.oneof(
  token.map((s) => Identifier.communicationUser(`8:acs:${s}`)),
  e164.map((n) => Identifier.phoneNumber(n)),
  fc.constant(Identifier.phoneNumber('anonymous', true)),
  fc
    .tuple(token, cloud, fc.boolean())
    .map(([u, c, anon]) => Identifier.teamsUser(u, anon ? 'public' : c, anon)),
  fc.tuple(token, cloud).map(([a, c]) => Identifier.teamsApp(a, c)),
  token.map((s) => Identifier.unknown(`9:${s}`)),
)

/** Identifier models as the SDK sends them: with `kind` (call operations) or without (media operations). */
export const identifierModel: fc.Arbitrary<Identifiers.IdentifierModel> = fc
  .tuple(identifier, fc.boolean())
  .map(([id, withKind]) => {
    const m = Identifiers.fromCore(id)
    if (withKind || id._tag === 'Unknown') return m

    const { kind: _kind, ...rest } = m
    return rest
  })

const isoDateTime = fc
  .date({
    min: new Date('2000-01-01T00:00:00.000Z'),
    max: new Date('2099-12-31T23:59:59.999Z'),
    noInvalidDate: true,
  })
  .map((d) => d.toISOString())

const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x))

export const named: Overrides = {
  CommunicationIdentifierModel: identifierModel,
  IsoDateTime: isoDateTime,
  Base64: fc.base64String({ maxLength: 64 }),
  Finite: finite,
  Integer: fc.integer(),
  NonNegativeInt: fc.nat(),
  NonEmptyString: fc.string({ minLength: 1 }),
  Sequence: fc.nat(),
  E164: e164,
  Uri: uri,
}

// ------------------------------------------------------------------ derivation

interface Node {
  readonly _tag?: string
  readonly name: string
  readonly props?: t.Props
  readonly type?: t.Any
  readonly types?: ReadonlyArray<t.Any>
  readonly value?: unknown
  readonly keys?: Record<string, unknown>
  readonly domain?: t.Any
  readonly codomain?: t.Any
  readonly predicate?: (a: unknown) => boolean
}

/** JSON values as they come back from `JSON.parse` (no `-0`). */
const json = fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.parse(JSON.stringify(v)) as unknown)

const safeKey = fc.string().filter((k) => k !== '__proto__')

const derive = (codec: t.Any, overrides: Overrides): fc.Arbitrary<unknown> => {
  const n = codec as unknown as Node
  const named = overrides[n.name]
  if (named !== undefined) return named
  const go = (c: t.Any) => derive(c, overrides)
  switch (n._tag) {
    case 'StringType':
      return fc.string()
    case 'NumberType':
      return finite
    case 'BooleanType':
      return fc.boolean()
    case 'NullType':
      return fc.constant(null)
    case 'UndefinedType':
    case 'VoidType':
      return fc.constant(undefined)
    case 'UnknownType':
    case 'AnyType':
      return json
    case 'LiteralType':
      return fc.constant(n.value)
    case 'KeyofType':
      return fc.constantFrom(...Object.keys(n.keys ?? {}))
    case 'InterfaceType':
      return fc.record(
        Object.fromEntries(Object.entries(n.props ?? {}).map(([k, v]) => [k, go(v)])),
      )
    case 'PartialType':
      return fc.record(
        Object.fromEntries(Object.entries(n.props ?? {}).map(([k, v]) => [k, go(v)])),
        {
          requiredKeys: [],
        },
      )
    case 'ExactType':
    case 'ReadonlyType':
      return go(n.type!)
    case 'ArrayType':
    case 'ReadonlyArrayType':
      return fc.array(go(n.type!), { maxLength: 4 })
    case 'DictionaryType':
      return fc.dictionary(safeKey, go(n.codomain!), { maxKeys: 4 })
    case 'UnionType':
      return fc.oneof(...(n.types ?? []).map(go))
    case 'IntersectionType':
      return fc
        .tuple(...(n.types ?? []).map(go))
        .map((parts) => Object.assign({}, ...(parts as Array<object>)) as unknown)
    case 'TupleType':
      return fc.tuple(...(n.types ?? []).map(go))
    case 'RefinementType': {
      const p = n.predicate ?? (() => true)
      return go(n.type!).filter((a) => p(a))
    }
    default:
      throw new TypeError(
        `Arbitrary: no generator for codec ${n.name} (${n._tag ?? 'custom'}); register one by name.`,
      )
  }
}

/** The arbitrary of a codec: values the codec accepts (`codec.decode(codec.encode(a))` gives back `a`). */
export const of = <C extends t.Any>(
  codec: C,
  overrides: Overrides = {},
): fc.Arbitrary<t.TypeOf<C>> =>
  derive(codec, { ...named, ...overrides }) as fc.Arbitrary<t.TypeOf<C>>

// ------------------------------------------------------------------ core values

const idString = token
export const instant: fc.Arbitrary<Instant.Instant> = fc.integer({
  min: Date.parse('2000-01-01T00:00:00Z'),
  max: Date.parse('2099-12-31T23:59:59Z'),
}) as fc.Arbitrary<Instant.Instant>

export const callRef: fc.Arbitrary<Instruction.CallRef> = fc.record({
  callConnectionId: idString.map(Ids.unsafe.callConnectionId),
  serverCallId: idString.map(Ids.unsafe.serverCallId),
  correlationId: idString.map(Ids.unsafe.correlationId),
})

/** Core callback events of one type, as Switchboard can emit them (internal-only fields absent). */
export const callbackEventOf = <K extends Callbacks.Tag>(
  tag: K,
): fc.Arbitrary<Extract<Event.CallbackEvent, { _tag: K }>> =>
  fc
    .tuple(of(Callbacks.data[tag] as t.Mixed), instant)
    .map(
      ([d, at]) =>
        Callbacks.fromData(tag, d as Callbacks.Data, at) as Extract<
          Event.CallbackEvent,
          { _tag: K }
        >,
    )

/** Core callback events of every type. */
export const callbackEvent: fc.Arbitrary<Event.CallbackEvent> = fc.oneof(
  ...CoreEvent.callbackTags.map((tag) => callbackEventOf(tag) as fc.Arbitrary<Event.CallbackEvent>),
)

/** `NotifyCallback` instructions for events of one type (or of every type). */
export const notify = (tag?: Callbacks.Tag): fc.Arbitrary<Instruction.NotifyCallback> =>
  fc.record({
    _tag: fc.constant('NotifyCallback' as const),
    callbackUri: uri,
    sequence: fc.integer({ min: 1, max: 1_000_000 }),
    call: callRef,
    event:
      tag === undefined
        ? callbackEvent
        : (callbackEventOf(tag) as fc.Arbitrary<Event.CallbackEvent>),
  })
