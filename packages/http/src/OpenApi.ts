import { Errors, Responses } from '@switchboard/wire'
import type * as t from 'io-ts'
import type { Operation } from './Operations.js'

/**
 * The OpenAPI 3.1 document of the API, generated from the route table and the io-ts codecs of
 * `@switchboard/wire` (request bodies, response bodies, the error body), so it cannot drift from
 * what the server decodes and answers.
 */

type Schema = Record<string, unknown>

interface Any {
  readonly _tag?: string
  readonly name: string
  readonly props?: Record<string, Any>
  readonly types?: ReadonlyArray<Any>
  readonly type?: Any
  readonly keys?: Record<string, unknown>
  readonly value?: unknown
  readonly codomain?: Any
}

const named = /^[A-Za-z][A-Za-z0-9]*$/

/** Converts codecs to JSON Schema, collecting named ones as components. */
export const schemas = () => {
  const components: Record<string, Schema> = {}
  const convert = (codec: Any): Schema => {
    if (named.test(codec.name) && structural(codec)) {
      if (!(codec.name in components)) {
        components[codec.name] = {} // placeholder against recursion
        components[codec.name] = shape(codec)
      }
      return { $ref: `#/components/schemas/${codec.name}` }
    }
    return shape(codec)
  }
  const structural = (c: Any) =>
    [
      'InterfaceType',
      'PartialType',
      'IntersectionType',
      'UnionType',
      'RefinementType',
      'ExactType',
    ].includes(c._tag ?? '') || c._tag === undefined
  const shape = (c: Any): Schema => {
    switch (c._tag) {
      case 'StringType':
        return { type: 'string' }
      case 'NumberType':
        return { type: 'number' }
      case 'BooleanType':
        return { type: 'boolean' }
      case 'NullType':
        return { type: 'null' }
      case 'LiteralType':
        return { const: c.value }
      case 'KeyofType':
        return { type: 'string', enum: Object.keys(c.keys ?? {}) }
      case 'ArrayType':
      case 'ReadonlyArrayType':
        return { type: 'array', items: c.type !== undefined ? convert(c.type) : {} }
      case 'InterfaceType':
      case 'PartialType': {
        const props = c.props ?? {}
        return {
          type: 'object',
          properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, convert(v)])),
          ...(c._tag === 'InterfaceType' && Object.keys(props).length > 0
            ? { required: Object.keys(props) }
            : {}),
        }
      }
      case 'IntersectionType':
        return { allOf: (c.types ?? []).map(convert) }
      case 'UnionType':
        return { anyOf: (c.types ?? []).map(convert) }
      case 'RecordType':
        return {
          type: 'object',
          additionalProperties: c.codomain !== undefined ? convert(c.codomain) : {},
        }
      case 'RefinementType':
      case 'ReadonlyType':
      case 'ExactType':
      case 'BrandType':
        return c.type !== undefined ? shape(c.type) : {}
      default:
        // a custom codec (a refinement written by hand): described by its name only
        return c.type !== undefined ? shape(c.type) : { description: c.name }
    }
  }
  return {
    components,
    convert: (codec: t.Decoder<unknown, unknown>) => convert(codec as unknown as Any),
  }
}

const responseCodec: { readonly [K in Responses.BodyKind]: t.Decoder<unknown, unknown> | null } = {
  none: null,
  callConnectionProperties: Responses.CallConnectionProperties,
  participants: Responses.Participants,
  participant: Responses.Participants.types[0].props.value.type,
  addParticipant: Responses.AddParticipantResult,
  operationContext: Responses.OperationContextResult,
  cancelAddParticipant: Responses.CancelAddParticipantResult,
  moveParticipants: null,
  recordingState: Responses.RecordingState,
}

export interface Extra {
  readonly method: string
  readonly path: string
  readonly name: string
  readonly auth: string
}

const paramsOf = (path: string) => [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!)

/** The document for the ACS operations and the contributed routes. */
export const document = (
  operations: ReadonlyArray<Operation>,
  extras: ReadonlyArray<Extra>,
  info: { readonly version: string; readonly server?: string } = { version: '0.1.0' },
) => {
  const { components, convert } = schemas()
  const error = convert(Errors.ErrorBody)
  const paths: Record<string, Record<string, unknown>> = {}
  const add = (path: string, method: string, op: unknown) => {
    paths[path] = { ...(paths[path] ?? {}), [method.toLowerCase()]: op }
  }
  for (const op of operations) {
    const kind = Responses.table[op.name].body
    const codec = responseCodec[kind]
    const status = String(Responses.status[op.name])
    add(op.path, op.method, {
      operationId: op.name,
      summary: op.summary,
      security: [{ hmac: [] }],
      parameters: [
        ...paramsOf(op.path).map((name) => ({
          name,
          in: 'path',
          required: true,
          schema: { type: 'string' },
          ...(name === 'participantRawId'
            ? { description: 'The raw id, URL-encoded (4%3A%2B14255550123).' }
            : {}),
        })),
        {
          name: 'api-version',
          in: 'query',
          required: false,
          schema: { type: 'string' },
          description: 'Any value is accepted (the SDK 1.6.0 sends 2026-03-12).',
        },
        ...(op.repeatable
          ? [
              { name: 'Repeatability-Request-ID', in: 'header', schema: { type: 'string' } },
              {
                name: 'Repeatability-First-Sent',
                in: 'header',
                schema: { type: 'string' },
                description: 'Required when Repeatability-Request-ID is present.',
              },
            ]
          : []),
      ],
      ...(op.request !== null
        ? {
            requestBody: {
              required: op.method === 'POST',
              content: { 'application/json': { schema: convert(op.request) } },
            },
          }
        : {}),
      responses: {
        [status]: {
          description: 'Success',
          ...(codec !== null
            ? { content: { 'application/json': { schema: convert(codec) } } }
            : {}),
        },
        default: {
          description: 'An error in the ACS shape (the ACS subcode as error.code).',
          content: { 'application/json': { schema: error } },
        },
      },
    })
  }
  for (const r of extras)
    add(r.path, r.method, {
      operationId: r.name,
      ...(r.auth === 'none' ? {} : { security: [{ hmac: [] }] }),
      parameters: paramsOf(r.path).map((name) => ({
        name,
        in: 'path',
        required: true,
        schema: { type: 'string' },
      })),
      responses: { default: { description: 'See the contributing package.' } },
    })
  return {
    openapi: '3.1.0',
    info: {
      title: 'Switchboard: ACS Call Automation compatible API',
      version: info.version,
      description:
        'Calls and mid-call media of Azure Communication Services Call Automation, as the official SDK 1.6.0 speaks it.',
    },
    ...(info.server !== undefined ? { servers: [{ url: info.server }] } : {}),
    paths,
    components: {
      schemas: components,
      securitySchemes: {
        hmac: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description:
            'HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=<base64 HMAC-SHA256 of "VERB\\npathAndQuery\\ndate;host;contentHash" with the base64-decoded access key>',
        },
      },
    },
  }
}
