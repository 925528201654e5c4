import type { Command, Identifier as IdentifierT, State } from '@switchboard/core'
import type { Rejection } from '@switchboard/core'
import { Identifier, Ids } from '@switchboard/core'
import type { HttpRoute } from '@switchboard/runtime'
import { IdSource, IncomingCalls, Pipeline } from '@switchboard/runtime'
import { Idempotency } from '@switchboard/store'
import { Requests, Responses, ToCommand } from '@switchboard/wire'
import { Clock, Effect, Option } from 'effect'
import type * as t from 'io-ts'
import * as Failure from './Failure.js'
import * as Repeatability from './Repeatability.js'

/**
 * The ACS Call Automation operations of reference section 2 that concern calls and mid-call
 * media: one entry per operation with its method, path, request codec (for the OpenAPI document)
 * and handler. Handlers turn the body into a core command with `@switchboard/wire`, run it through
 * the pipeline, and answer with exactly the status and body of reference 1.5.
 */

export type Deps = Pipeline.Pipeline | IdSource.IdSource | IncomingCalls.IncomingCalls | Idempotency

export interface OperationRequest {
  readonly params: Readonly<Record<string, string>>
  /** The parsed JSON body; undefined when the request had none. */
  readonly json: unknown
  readonly repeatability: Repeatability.Repeatability | undefined
}

export interface OperationResult {
  readonly response: HttpRoute.HttpResponse
  /** The call the request was about (for logs). */
  readonly callId?: string
  /** True when the idempotency record was written with the events (nothing left to store). */
  readonly recorded: boolean
}

export type Name = Responses.Operation

export interface Operation {
  readonly name: Name
  readonly method: 'GET' | 'POST' | 'DELETE'
  readonly path: string
  /** The request body codec (null: no body). */
  readonly request: t.Decoder<unknown, unknown> | null
  /** The SDK sends Repeatability headers (reference section 9). */
  readonly repeatable: boolean
  readonly summary: string
  readonly handle: (request: OperationRequest) => Effect.Effect<OperationResult, never, Deps>
}

export interface Options {
  /** The application's identity: the `source` of created calls when the body names none. */
  readonly app: IdentifierT.Identifier
}

const calls = '/calling/callConnections'
const call = `${calls}/{callConnectionId}`

type Accepted = Omit<Pipeline.Accepted, 'version'>

const done = (response: HttpRoute.HttpResponse, callId?: string, recorded = false) =>
  ({ response, recorded, ...(callId !== undefined ? { callId } : {}) }) as OperationResult

const success = (name: Name, body?: object): HttpRoute.HttpResponse => ({
  status: Responses.status[name],
  ...(body !== undefined ? { body } : {}),
})

/** Maps what the pipeline failed with to an answer. */
const failure = (
  callId: string,
  error: Rejection.Rejection | Pipeline.PipelineError,
  repeatability: Repeatability.Repeatability | undefined,
): Effect.Effect<HttpRoute.HttpResponse, never, Idempotency> => {
  switch (error._tag) {
    case 'Rejection':
      return Effect.succeed(Failure.fromRejection(error))
    case 'ContentionError':
      return Effect.succeed(Failure.contention(callId))
    case 'StoreInputError':
      return Effect.succeed(Failure.invalid(`Invalid request: ${error.message}.`))
    case 'StoreDuplicateError':
      // another request with the same Repeatability-Request-ID committed first: answer as it did
      return repeatability === undefined
        ? Effect.succeed(Failure.unavailable())
        : lookup(repeatability).pipe(
            Effect.map((found) =>
              found === undefined ? Failure.repeatabilityConflict(repeatability.requestId) : found,
            ),
          )
    case 'StoreUnavailableError':
    case 'StoreClosedError':
      return Effect.succeed(Failure.unavailable())
  }
}

/**
 * The stored response for a repeated request: the response, a 409 when the id was used with
 * another request, or undefined when there is no live record.
 */
export const lookup = (
  r: Repeatability.Repeatability,
): Effect.Effect<HttpRoute.HttpResponse | undefined, never, Idempotency> =>
  Effect.gen(function* () {
    const store = yield* Idempotency
    const now = yield* Clock.currentTimeMillis
    const found = yield* store.get(r.key, now)
    if (Option.isNone(found)) return undefined
    return found.value.requestHash === r.requestHash
      ? Repeatability.replay(found.value.response)
      : Failure.repeatabilityConflict(r.requestId)
  }).pipe(Effect.catchAll(() => Effect.succeed(Failure.unavailable())))

/** Runs a command on a call and answers with `respond` (also what is stored for a replay). */
const execute = (
  callId: Ids.CallConnectionId,
  command: Command.Command,
  repeatability: Repeatability.Repeatability | undefined,
  respond: (accepted: Accepted) => HttpRoute.HttpResponse,
): Effect.Effect<OperationResult, never, Deps> =>
  Effect.flatMap(Pipeline.Pipeline, (pipeline) =>
    Effect.catchAll(
      Effect.map(
        pipeline.command(
          callId,
          command,
          repeatability === undefined ? undefined : idempotencyOf(repeatability, respond),
        ),
        // a command that changed nothing wrote no record: the server stores the response itself
        (accepted) => done(respond(accepted), callId, accepted.decision.events.length > 0),
      ),
      // positional callbacks rather than an options object: tsx names every function in an
      // object literal at run time, a cost on every request
      (error) =>
        Effect.map(failure(callId, error, repeatability), (response) => done(response, callId)),
    ),
  )

const idempotencyOf = (
  repeatability: Repeatability.Repeatability,
  respond: (accepted: Accepted) => HttpRoute.HttpResponse,
) => ({
  idempotency: {
    key: repeatability.key,
    requestHash: repeatability.requestHash,
    respond: (accepted: Accepted) => Repeatability.store(respond(accepted)),
  },
})

const callIdOf = (params: Readonly<Record<string, string>>): Ids.CallConnectionId | null =>
  Ids.callConnectionId(params.callConnectionId ?? '')

/** An operation on an existing call whose body becomes a command. */
const onCall = <C extends Command.Command>(
  name: Name & ToCommand.OperationName,
  method: 'POST' | 'DELETE',
  path: string,
  summary: string,
  toCommand: (json: unknown) => ToCommand.Result<C>,
  respond: (command: C, accepted: Accepted) => HttpRoute.HttpResponse = () => success(name),
): Operation => ({
  name,
  method,
  path,
  request:
    name in Requests.byOperation
      ? (Requests.byOperation[name as Requests.BodyOperation] as t.Decoder<unknown, unknown>)
      : null,
  repeatable: repeatableOps.has(name),
  summary,
  handle: (req) => {
    const callId = callIdOf(req.params)
    if (callId === null)
      return Effect.succeed(done(Failure.callNotFound(req.params.callConnectionId ?? '')))
    const command = toCommand(req.json)
    if (command._tag === 'Left')
      return Effect.succeed(done(Failure.fromRejection(command.left), callId))
    return execute(callId, command.right, req.repeatability, (accepted) =>
      respond(command.right, accepted),
    )
  },
})

const repeatableOps = new Set<Name>([
  'createCall',
  'answerCall',
  'redirectCall',
  'rejectCall',
  'terminate',
  'transferToParticipant',
  'addParticipant',
  'removeParticipant',
  'muteParticipant',
  'cancelAddParticipant',
  'sendDtmfTones',
])

const withContext = (name: Name) => (c: { readonly operationContext?: string }) =>
  success(name, Responses.operationContext(c.operationContext))

/** Reads the call; 404 / 8522 when there is none. */
const readCall = (
  params: Readonly<Record<string, string>>,
  answer: (state: State.State, callId: string) => HttpRoute.HttpResponse,
): Effect.Effect<OperationResult, never, Deps> => {
  const callId = callIdOf(params)
  if (callId === null)
    return Effect.succeed(done(Failure.callNotFound(params.callConnectionId ?? '')))
  return Effect.gen(function* () {
    const pipeline = yield* Pipeline.Pipeline
    const loaded = yield* Effect.either(pipeline.load(callId))
    if (loaded._tag === 'Left') return done(yield* failure(callId, loaded.left, undefined), callId)
    if (loaded.right.state.call === null) return done(Failure.callNotFound(callId), callId)
    return done(answer(loaded.right.state, callId), callId)
  })
}

/** Fresh ids for a new call connection: uuids, and a base64 server call id as ACS uses. */
const mintCallIds = Effect.gen(function* () {
  const ids = yield* IdSource.IdSource
  const callConnectionId = Ids.unsafe.callConnectionId(yield* ids.uuid)
  const server = yield* ids.uuid
  const serverCallId = Ids.unsafe.serverCallId(
    Buffer.from(`aHR0cHM6Ly9zd2l0Y2hib2FyZC5sb2NhbC9jYWxs/${server}`, 'utf8').toString('base64'),
  )
  const correlationId = Ids.unsafe.correlationId(yield* ids.uuid)
  return { callConnectionId, serverCallId, correlationId }
})

const properties = (name: Name) => (accepted: Accepted) => {
  const props = Responses.callConnectionProperties(accepted.state)
  return props === null ? Failure.internal() : success(name, props)
}

/** Decodes a body that has no core command (redirect, reject). */
const body = <K extends Requests.BodyOperation>(name: K, json: unknown) =>
  ToCommand.decodeBody(name, json)

const incomingCallGone = (context: string) =>
  Failure.json(
    404,
    '8522',
    `Incoming call context ${JSON.stringify(context.length > 64 ? `${context.slice(0, 64)}…` : context)} is unknown or was already answered, rejected or redirected.`,
  )

/** Settles an incoming call (reject, redirect): no event, the context can no longer be used. */
const settle = (
  name: 'redirectCall' | 'rejectCall',
  json: unknown,
): Effect.Effect<OperationResult, never, Deps> =>
  Effect.gen(function* () {
    const decoded = body(name, json)
    if (decoded._tag === 'Left') return done(Failure.fromRejection(decoded.left))
    const incoming = yield* IncomingCalls.IncomingCalls
    const context = decoded.right.incomingCallContext
    const found = yield* incoming.resolve(context)
    if (Option.isNone(found)) return done(incomingCallGone(context))
    yield* incoming.settle(context)
    return done(success(name))
  })

/** The table. */
export const make = (options: Options): ReadonlyArray<Operation> => [
  {
    name: 'createCall',
    method: 'POST',
    path: calls,
    request: Requests.createCall,
    repeatable: true,
    summary: 'Create an outbound call to one or more targets.',
    handle: (req) =>
      Effect.gen(function* () {
        const ids = yield* mintCallIds
        const command = ToCommand.createCall(req.json, { ...ids, app: options.app })
        if (command._tag === 'Left') return done(Failure.fromRejection(command.left))
        return yield* execute(
          ids.callConnectionId,
          command.right,
          req.repeatability,
          properties('createCall'),
        )
      }),
  },
  {
    name: 'answerCall',
    method: 'POST',
    path: `${calls}:answer`,
    request: Requests.answerCall,
    repeatable: true,
    summary: 'Answer an incoming call (its incomingCallContext came with the IncomingCall event).',
    handle: (req) =>
      Effect.gen(function* () {
        const decoded = body('answerCall', req.json)
        if (decoded._tag === 'Left') return done(Failure.fromRejection(decoded.left))
        const incoming = yield* IncomingCalls.IncomingCalls
        const context = decoded.right.incomingCallContext
        const found = yield* incoming.resolve(context)
        if (Option.isNone(found)) return done(incomingCallGone(context))
        const ids = yield* mintCallIds
        const waiting = found.value
        const command = ToCommand.answerCall(req.json, {
          callConnectionId: ids.callConnectionId,
          serverCallId: Ids.unsafe.serverCallId(waiting.serverCallId),
          correlationId: Ids.unsafe.correlationId(waiting.correlationId),
          app: Identifier.isCommunicationUser(waiting.to) ? waiting.to : options.app,
          caller: waiting.from,
        })
        if (command._tag === 'Left') return done(Failure.fromRejection(command.left))
        const result = yield* execute(
          ids.callConnectionId,
          command.right,
          req.repeatability,
          properties('answerCall'),
        )
        if (result.response.status === Responses.status.answerCall) yield* incoming.settle(context)
        return result
      }),
  },
  {
    name: 'redirectCall',
    method: 'POST',
    path: `${calls}:redirect`,
    request: Requests.redirectCall,
    repeatable: true,
    summary: 'Redirect an incoming call to another target.',
    handle: (req) => settle('redirectCall', req.json),
  },
  {
    name: 'rejectCall',
    method: 'POST',
    path: `${calls}:reject`,
    request: Requests.rejectCall,
    repeatable: true,
    summary: 'Reject an incoming call.',
    handle: (req) => settle('rejectCall', req.json),
  },
  {
    name: 'getCall',
    method: 'GET',
    path: call,
    request: null,
    repeatable: false,
    summary: 'The properties of a call connection.',
    handle: (req) =>
      readCall(req.params, (state) => {
        const props = Responses.callConnectionProperties(state)
        return props === null ? Failure.internal() : success('getCall', props)
      }),
  },
  onCall('hangUp', 'DELETE', call, 'Hang up: the application leaves the call.', () =>
    ToCommand.hangUp(),
  ),
  onCall('terminate', 'POST', `${call}:terminate`, 'Terminate the call for everyone.', () =>
    ToCommand.terminate(),
  ),
  onCall(
    'transferToParticipant',
    'POST',
    `${call}:transferToParticipant`,
    'Transfer the call to a participant.',
    ToCommand.transferToParticipant,
    withContext('transferToParticipant'),
  ),
  {
    name: 'getParticipants',
    method: 'GET',
    path: `${call}/participants`,
    request: null,
    repeatable: false,
    summary: 'The participants of the call (one page: no nextLink).',
    handle: (req) =>
      readCall(req.params, (state) =>
        success('getParticipants', Responses.participants(state.participants)),
      ),
  },
  {
    name: 'getParticipant',
    method: 'GET',
    path: `${call}/participants/{participantRawId}`,
    request: null,
    repeatable: false,
    summary: 'One participant of the call, by raw id (URL-encoded).',
    handle: (req) =>
      readCall(req.params, (state) => {
        const raw = Identifier.rawId(Identifier.parse(req.params.participantRawId ?? ''))
        const p = state.participants.find((x) => Identifier.rawId(x.identifier) === raw)
        return p === undefined
          ? Failure.json(
              404,
              '8522',
              `Participant ${JSON.stringify(req.params.participantRawId ?? '')} is not in the call.`,
            )
          : success('getParticipant', Responses.participant(p))
      }),
  },
  {
    name: 'addParticipant',
    method: 'POST',
    path: `${call}/participants:add`,
    request: Requests.addParticipant,
    repeatable: true,
    summary: 'Invite a participant into the call.',
    handle: (req) =>
      Effect.gen(function* () {
        const callId = callIdOf(req.params)
        if (callId === null) return done(Failure.callNotFound(req.params.callConnectionId ?? ''))
        const ids = yield* IdSource.IdSource
        const invitationId = Ids.unsafe.invitationId(yield* ids.uuid)
        const command = ToCommand.addParticipant(req.json, { invitationId })
        if (command._tag === 'Left') return done(Failure.fromRejection(command.left), callId)
        const c = command.right
        return yield* execute(callId, c, req.repeatability, () =>
          success(
            'addParticipant',
            Responses.addParticipant(c.participant, invitationId, c.operationContext),
          ),
        )
      }),
  },
  onCall(
    'removeParticipant',
    'POST',
    `${call}/participants:remove`,
    'Remove a participant from the call.',
    ToCommand.removeParticipant,
    withContext('removeParticipant'),
  ),
  onCall(
    'muteParticipant',
    'POST',
    `${call}/participants:mute`,
    'Mute a participant (ACS users only).',
    ToCommand.muteParticipant,
    withContext('muteParticipant'),
  ),
  onCall(
    'cancelAddParticipant',
    'POST',
    `${call}/participants:cancelAddParticipant`,
    'Cancel a pending add-participant invitation.',
    ToCommand.cancelAddParticipant,
    (c) =>
      success(
        'cancelAddParticipant',
        Responses.cancelAddParticipant(c.invitationId, c.operationContext),
      ),
  ),
  onCall(
    'play',
    'POST',
    `${call}:play`,
    'Play audio to everyone or to some participants.',
    ToCommand.play,
  ),
  onCall(
    'recognize',
    'POST',
    `${call}:recognize`,
    'Recognize DTMF, speech or choices from a participant.',
    ToCommand.recognize,
  ),
  onCall(
    'cancelAllMediaOperations',
    'POST',
    `${call}:cancelAllMediaOperations`,
    'Cancel every running and queued media operation.',
    () => ToCommand.cancelAllMediaOperations(),
  ),
  onCall(
    'startContinuousDtmfRecognition',
    'POST',
    `${call}:startContinuousDtmfRecognition`,
    'Start reporting every key a PSTN participant presses.',
    ToCommand.startContinuousDtmfRecognition,
  ),
  onCall(
    'stopContinuousDtmfRecognition',
    'POST',
    `${call}:stopContinuousDtmfRecognition`,
    'Stop continuous DTMF recognition.',
    ToCommand.stopContinuousDtmfRecognition,
  ),
  onCall(
    'sendDtmfTones',
    'POST',
    `${call}:sendDtmfTones`,
    'Send DTMF tones (at most 18) to a PSTN participant.',
    ToCommand.sendDtmfTones,
    withContext('sendDtmfTones'),
  ),
  onCall('hold', 'POST', `${call}:hold`, 'Put a participant on hold.', ToCommand.hold),
  onCall('unhold', 'POST', `${call}:unhold`, 'Take a participant off hold.', ToCommand.unhold),
  onCall(
    'startTranscription',
    'POST',
    `${call}:startTranscription`,
    'Start real-time transcription.',
    ToCommand.startTranscription,
  ),
  onCall(
    'stopTranscription',
    'POST',
    `${call}:stopTranscription`,
    'Stop real-time transcription.',
    ToCommand.stopTranscription,
  ),
  onCall(
    'updateTranscription',
    'POST',
    `${call}:updateTranscription`,
    'Change the transcription locale.',
    ToCommand.updateTranscription,
  ),
  onCall(
    'startMediaStreaming',
    'POST',
    `${call}:startMediaStreaming`,
    'Start media (audio) streaming.',
    ToCommand.startMediaStreaming,
  ),
  onCall(
    'stopMediaStreaming',
    'POST',
    `${call}:stopMediaStreaming`,
    'Stop media (audio) streaming.',
    ToCommand.stopMediaStreaming,
  ),
]
