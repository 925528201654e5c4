import type { State as StateT } from '@switchboard/core'
import { Event, Identifier, Ids, State, Tone } from '@switchboard/core'
import { HttpRoute, IncomingCalls, Pipeline } from '@switchboard/runtime'
import type { CallId } from '@switchboard/store'
import { EventStore } from '@switchboard/store'
import { Callbacks } from '@switchboard/wire'
import { Effect, Option } from 'effect'
import * as AudioPath from './AudioPath.js'
import * as IncomingCall from './IncomingCall.js'
import * as Party from './Party.js'
import * as Phone from './Phone.js'
import * as World from './World.js'

/**
 * The simulator API: scripts the world's phones and users (behavior, key presses, speech, answer,
 * hang up), places incoming calls, and shows what each phone heard and each call's callbacks.
 * Routes for `@switchboard/http`, mounted as they are (paths start with `/simulator`), auth
 * `simulator`.
 */

export type Services = World.World | Pipeline.Pipeline | IncomingCalls.IncomingCalls | EventStore

type Response = HttpRoute.HttpResponse

/** A handler's early exit with a response (bad input, not found). */
class Reply {
  constructor(readonly response: Response) {}
}

const bad = (message: string) => new Reply(HttpRoute.error(400, 'InvalidRequest', message))
const notFound = (code: string, message: string) => new Reply(HttpRoute.error(404, code, message))

const ok = (status: number, body: object): Response => ({ status, body })

const isObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === 'object' && u !== null && !Array.isArray(u)

const MAX_BODY = 64 * 1024

const json = (request: HttpRoute.HttpRequest): Effect.Effect<Record<string, unknown>, Reply> => {
  if (request.body.length > MAX_BODY) return Effect.fail(bad('the body is too large'))
  const text = new TextDecoder().decode(request.body)
  if (text.trim().length === 0) return Effect.fail(bad('the body must be a JSON object'))
  try {
    const u: unknown = JSON.parse(text)
    return isObject(u) ? Effect.succeed(u) : Effect.fail(bad('the body must be a JSON object'))
  } catch {
    return Effect.fail(bad('the body is not valid JSON'))
  }
}

/**
 * A phone or user by raw id (`4:+14255550101`, `8:acs:...`); a bare E.164 number (`+14255550101`)
 * is taken as a phone number.
 */
export const parseParty = (
  text: unknown,
  field: string,
): Effect.Effect<Identifier.Identifier, Reply> => {
  if (typeof text !== 'string' || text.length === 0 || text.length > 256)
    return Effect.fail(bad(`${field} must be a raw id such as 4:+14255550101 or 8:acs:...`))
  const id = Identifier.parse(text.startsWith('+') ? `4:${text}` : text)
  if (Identifier.isPstn(id) || Identifier.isCommunicationUser(id)) return Effect.succeed(id)
  return Effect.fail(
    bad(
      `${field}: ${JSON.stringify(text)} is neither a phone number (4:+E.164) nor an ACS user (8:acs:...)`,
    ),
  )
}

const optionalInt = (
  body: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
): Effect.Effect<number | undefined, Reply> => {
  const v = body[field]
  if (v === undefined || v === null) return Effect.succeed(undefined)
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    return Effect.fail(bad(`${field} must be an integer between ${min} and ${max}`))
  return Effect.succeed(v)
}

const callIdOf = (params: Readonly<Record<string, string>>) => {
  const id = Ids.callConnectionId(params['callConnectionId'] ?? '')
  return id === null ? Effect.fail(bad('callConnectionId is invalid')) : Effect.succeed(id)
}

const unavailable = (e: unknown) =>
  new Reply(
    HttpRoute.error(
      503,
      'ServiceUnavailable',
      `the store is unavailable: ${String((e as { message?: unknown }).message ?? e)}`,
    ),
  )

/** The call's state; 404 when there is no such call. */
const liveCall = (callId: Ids.CallConnectionId) =>
  Effect.gen(function* () {
    const pipeline = yield* Pipeline.Pipeline
    const loaded = yield* Effect.mapError(pipeline.load(callId), unavailable)
    if (loaded.version === 0)
      return yield* Effect.fail(notFound('CallNotFound', `call ${callId} not found`))
    return loaded.state
  })

const handler =
  <R>(
    body: (
      request: HttpRoute.HttpRequest,
      params: Readonly<Record<string, string>>,
    ) => Effect.Effect<Response, Reply, R>,
  ) =>
  (
    request: HttpRoute.HttpRequest,
    params: Readonly<Record<string, string>>,
  ): Effect.Effect<Response, never, R> =>
    Effect.suspend(() => body(request, params)).pipe(
      Effect.catchAll((reply) => Effect.succeed(reply.response)),
      Effect.catchAllDefect((defect) =>
        Effect.as(
          Effect.logError('simulator route failed', defect),
          HttpRoute.error(500, 'InternalError', 'the simulator failed on this request'),
        ),
      ),
    )

// ------------------------------------------------------------------ phones

/** What the phone did and heard; incoming calls only while they still wait for the app. */
const phoneView = (world: World.WorldService, phone: Phone.Phone) =>
  Effect.gen(function* () {
    const incoming = yield* IncomingCalls.IncomingCalls
    const waiting = yield* Effect.filter(phone.incoming, (c) =>
      Effect.map(incoming.resolve(c.incomingCallContext), Option.isSome),
    )
    return {
      rawId: phone.rawId,
      behavior: phone.behavior,
      calls: Array.from(phone.calls).flatMap((id) => {
        const leg = world.calls.get(id)?.legs.get(phone.rawId)
        return leg === undefined
          ? []
          : [
              {
                callConnectionId: id,
                status: leg.status,
                onHold: leg.onHold,
                muted: leg.muted,
                since: leg.since,
              },
            ]
      }),
      incomingCalls: waiting.map((c) => ({ ...c })),
      heardTones: phone.heard.map((h) => ({ ...h })),
      played: phone.played.map((p) => ({ ...p, sources: [...p.sources] })),
    }
  })

const putPhone: HttpRoute.Route<Services> = {
  method: 'PUT',
  path: '/simulator/phones/{rawId}',
  auth: 'simulator',
  name: 'simulator.phone.set',
  handle: handler((request, params) =>
    Effect.gen(function* () {
      const world = yield* World.World
      const id = yield* parseParty(params['rawId'], 'rawId')
      const body = yield* json(request)
      if (!Phone.isAnswer(body['answer']))
        return yield* Effect.fail(bad(`answer must be one of ${Phone.answers.join(', ')}`))
      const delay = yield* optionalInt(body, 'answerDelayMs', 0, 600_000)
      const phone = world.phone(id)
      phone.behavior = {
        answer: body['answer'],
        answerDelayMs: delay ?? world.config.defaultAnswerDelayMs,
      }
      return ok(200, yield* phoneView(world, phone))
    }),
  ),
}

const getPhone: HttpRoute.Route<Services> = {
  method: 'GET',
  path: '/simulator/phones/{rawId}',
  auth: 'simulator',
  name: 'simulator.phone.get',
  handle: handler((_request, params) =>
    Effect.gen(function* () {
      const world = yield* World.World
      const id = yield* parseParty(params['rawId'], 'rawId')
      // looking does not create: an unknown phone is shown with the defaults
      const known = world.phones.get(Identifier.rawId(id))
      return ok(200, yield* phoneView(world, known ?? World.fresh(world.config, id)))
    }),
  ),
}

// ------------------------------------------------------------------ parties

const inState = (state: StateT.State, raw: Identifier.RawId) =>
  State.findParticipant(state, raw) !== null ||
  state.invitations.some((i) => Identifier.rawId(i.participant) === raw)

/** The party's leg, connected; created from the call's state when the world does not know it (after a restart). */
const connectedLeg = (
  world: World.WorldService,
  state: StateT.State,
  call: World.CallRecord,
  participant: Identifier.Identifier,
) =>
  Effect.gen(function* () {
    const raw = Identifier.rawId(participant)
    const leg = call.legs.get(raw)
    if (leg !== undefined && leg.status === 'connected') return leg
    if (leg === undefined && State.findParticipant(state, raw) !== null) {
      const phone = world.phone(participant)
      World.joined(phone, call.id)
      const fresh: World.Leg = {
        phone,
        status: 'connected',
        onHold: State.findHold(state, raw) !== null,
        muted: State.findParticipant(state, raw)?.isMuted === true,
        since: yield* World.iso,
        onAnswer: null,
        pressId: 0,
        speechId: 0,
        segments: [],
      }
      call.legs.set(raw, fresh)
      return fresh
    }
    return yield* Effect.fail(
      new Reply(
        HttpRoute.error(
          409,
          'ParticipantNotConnected',
          `${raw} is not connected to call ${call.id}`,
        ),
      ),
    )
  })

const party = (params: Readonly<Record<string, string>>) =>
  Effect.gen(function* () {
    const world = yield* World.World
    const pipeline = yield* Pipeline.Pipeline
    const callId = yield* callIdOf(params)
    const participant = yield* parseParty(params['rawId'], 'rawId')
    const state = yield* liveCall(callId)
    const call = world.call(callId)
    const sink: Party.SignalSink = (signal) => Effect.ignoreLogged(pipeline.signal(callId, signal))
    return { world, pipeline, callId, participant, state, call, sink }
  })

const parseTones = (u: unknown): Effect.Effect<ReadonlyArray<Tone.Tone>, Reply> => {
  if (!Array.isArray(u) || u.length === 0 || u.length > 100)
    return Effect.fail(bad('tones must be an array of 1 to 100 tones'))
  const tones: Array<Tone.Tone> = []
  for (const [i, t] of u.entries()) {
    const tone = Tone.isTone(t)
      ? t
      : typeof t === 'string' && t.length === 1
        ? Tone.fromKey(t)
        : null
    if (tone === null)
      return Effect.fail(
        bad(
          `tones[${i}]: ${JSON.stringify(t)} is not a tone (zero..nine, a..d, pound, asterisk, or a key such as "#")`,
        ),
      )
    tones.push(tone)
  }
  return Effect.succeed(tones)
}

const dtmf: HttpRoute.Route<Services> = {
  method: 'POST',
  path: '/simulator/calls/{callConnectionId}/participants/{rawId}/dtmf',
  auth: 'simulator',
  name: 'simulator.dtmf',
  handle: handler((request, params) =>
    Effect.gen(function* () {
      const body = yield* json(request)
      const tones = yield* parseTones(body['tones'])
      const toneMs = yield* optionalInt(
        body,
        'toneMs',
        AudioPath.MIN_TONE_MS,
        AudioPath.MAX_TONE_MS,
      )
      const gapMs = yield* optionalInt(body, 'gapMs', AudioPath.MIN_GAP_MS, AudioPath.MAX_GAP_MS)
      const p = yield* party(params)
      const leg = yield* connectedLeg(p.world, p.state, p.call, p.participant)
      const timing = {
        toneMs: toneMs ?? AudioPath.keypadTiming.toneMs,
        gapMs: gapMs ?? AudioPath.keypadTiming.gapMs,
      }
      const pressed = yield* Party.press(
        p.world,
        p.call,
        p.participant,
        leg,
        tones,
        timing,
        State.lastPressId(p.state, Identifier.rawId(p.participant)),
        p.sink,
      )
      return ok(202, {
        durationMs: pressed.durationMs,
        detected: pressed.heard.map((h) => ({
          tone: h.tone,
          key: h.key,
          atMs: Math.round(h.endMs),
        })),
      })
    }),
  ),
}

const speech: HttpRoute.Route<Services> = {
  method: 'POST',
  path: '/simulator/calls/{callConnectionId}/participants/{rawId}/speech',
  auth: 'simulator',
  name: 'simulator.speech',
  handle: handler((request, params) =>
    Effect.gen(function* () {
      const body = yield* json(request)
      const text = body['text']
      if (typeof text !== 'string' || text.trim().length === 0 || text.length > 4000)
        return yield* Effect.fail(bad('text must be a non-empty string of at most 4000 characters'))
      const p = yield* party(params)
      const leg = yield* connectedLeg(p.world, p.state, p.call, p.participant)
      const u = yield* Party.speak(
        p.world,
        p.call,
        p.participant,
        leg,
        text,
        State.lastSpeechId(p.state, Identifier.rawId(p.participant)),
        p.sink,
      )
      return ok(202, { durationMs: u.durationMs, words: u.words })
    }),
  ),
}

const answer: HttpRoute.Route<Services> = {
  method: 'POST',
  path: '/simulator/calls/{callConnectionId}/participants/{rawId}/answer',
  auth: 'simulator',
  name: 'simulator.answer',
  handle: handler((_request, params) =>
    Effect.gen(function* () {
      const p = yield* party(params)
      const raw = Identifier.rawId(p.participant)
      const leg = p.call.legs.get(raw)
      if (leg === undefined || leg.status !== 'ringing' || leg.onAnswer === null)
        return yield* Effect.fail(
          new Reply(
            HttpRoute.error(409, 'NotRinging', `${raw} is not ringing in call ${p.callId}`),
          ),
        )
      yield* p.world.stop(World.keys.ring(p.callId, raw))
      leg.onAnswer()
      return ok(200, { callConnectionId: p.callId, rawId: raw, status: leg.status })
    }),
  ),
}

const hangup: HttpRoute.Route<Services> = {
  method: 'POST',
  path: '/simulator/calls/{callConnectionId}/participants/{rawId}/hangup',
  auth: 'simulator',
  name: 'simulator.hangup',
  handle: handler((_request, params) =>
    Effect.gen(function* () {
      const p = yield* party(params)
      const raw = Identifier.rawId(p.participant)
      const leg = p.call.legs.get(raw)
      const active = leg !== undefined && (leg.status === 'connected' || leg.status === 'ringing')
      if (!active && !inState(p.state, raw))
        return yield* Effect.fail(
          notFound('ParticipantNotFound', `${raw} is not in call ${p.callId}`),
        )
      if (leg !== undefined && active) {
        leg.status = 'left'
        leg.onAnswer = null
        leg.onHold = false
      }
      yield* p.world.stop(World.keys.ring(p.callId, raw))
      yield* p.world.stop(World.keys.hold(p.callId, raw))
      yield* p.world.stopAll(World.keys.party(p.callId, raw))
      yield* Effect.mapError(
        p.pipeline.signal(p.callId, { _tag: 'PartyHungUp', participant: p.participant }),
        unavailable,
      )
      return ok(200, { callConnectionId: p.callId, rawId: raw, status: 'left' })
    }),
  ),
}

// ------------------------------------------------------------------ incoming calls, events

const incomingCalls: HttpRoute.Route<Services> = {
  method: 'POST',
  path: '/simulator/incomingCalls',
  auth: 'simulator',
  name: 'simulator.incomingCall',
  handle: handler((request) =>
    Effect.gen(function* () {
      const body = yield* json(request)
      const from = yield* parseParty(body['from'], 'from')
      const to = yield* parseParty(body['to'], 'to')
      if (Identifier.equals(from, to)) return yield* Effect.fail(bad('from and to must differ'))
      const placed = yield* IncomingCall.place(from, to)
      return ok(201, placed)
    }),
  ),
}

const events: HttpRoute.Route<Services> = {
  method: 'GET',
  path: '/simulator/calls/{callConnectionId}/events',
  auth: 'simulator',
  name: 'simulator.events',
  handle: handler((_request, params) =>
    Effect.gen(function* () {
      const callId = yield* callIdOf(params)
      const store = yield* EventStore
      const stored = yield* Effect.mapError(store.read(callId as unknown as CallId), unavailable)
      if (stored.length === 0)
        return yield* Effect.fail(notFound('CallNotFound', `call ${callId} not found`))
      let ref: {
        callConnectionId: Ids.CallConnectionId
        serverCallId: Ids.ServerCallId
        correlationId: Ids.CorrelationId
      } = {
        callConnectionId: callId,
        serverCallId: Ids.unsafe.serverCallId(callId),
        correlationId: Ids.unsafe.correlationId(callId),
      }
      const out: Array<object> = []
      for (const e of stored) {
        const event = e.payload as unknown as Event.Event
        if (event === null || typeof event !== 'object') continue
        if (event._tag === 'CallCreated')
          ref = {
            callConnectionId: event.callConnectionId,
            serverCallId: event.serverCallId,
            correlationId: event.correlationId,
          }
        if (!Event.isCallback(event)) continue
        out.push({
          sequence: out.length + 1,
          type: Callbacks.prefix + event._tag,
          time: Callbacks.isoOf(event.at),
          data: Callbacks.toData(ref, event),
        })
      }
      return ok(200, { callConnectionId: callId, events: out })
    }),
  ),
}

/** Every route of the simulator API. */
export const routes: ReadonlyArray<HttpRoute.Route<Services>> = [
  putPhone,
  getPhone,
  dtmf,
  speech,
  answer,
  hangup,
  incomingCalls,
  events,
]
