import type { Either } from 'fp-ts/lib/Either.js'
import type {
  Command,
  Decision as DecisionModule,
  Event,
  Instruction,
  Rejection,
  Signal,
  State,
} from '../src/index.js'
import { decide, expire, Identifier, Ids, Instant, observe, replay, initial } from '../src/index.js'

type Decision = DecisionModule.Decision

export const app = Identifier.communicationUser('8:acs:app')
export const alice = Identifier.phoneNumber('+14255550101')
export const bob = Identifier.phoneNumber('+14255550102')
export const carol = Identifier.phoneNumber('+14255550103')
export const user = Identifier.communicationUser('8:acs:user-1')
export const teams = Identifier.teamsUser('f00d')
export const file = (name: string) => ({
  _tag: 'File' as const,
  uri: `https://media.example/${name}.wav`,
})

export const mediaStreaming: Command.MediaStreamingConfig = {
  transportUrl: 'wss://app.example/media',
  audioChannelType: 'mixed',
  audioFormat: 'pcm16KMono',
  startMediaStreaming: false,
  enableBidirectional: false,
  enableDtmfTones: false,
}
export const transcription: Command.TranscriptionConfig = {
  transportUrl: 'wss://app.example/tx',
  locale: 'en-US',
  startTranscription: false,
  enableIntermediateResults: false,
}

/**
 * A call driven step by step like the shell drives it: every decision's events are folded into the
 * state, and the events and instructions are kept for assertions.
 */
export class Call {
  state: State.State = initial
  now = 1_000
  readonly events: Array<Event.Event> = []
  readonly instructions: Array<Instruction.Instruction> = []

  private take(decision: Decision): Decision {
    this.state = replay(decision.events, this.state)
    this.events.push(...decision.events)
    this.instructions.push(...decision.instructions)
    return decision
  }

  /** Sends a command; returns the core's answer (and folds it when accepted). */
  try(command: Command.Command): Either<Rejection.Rejection, Decision> {
    this.now += 10
    const result = decide(this.state, command, { now: Instant.fromMillis(this.now) })
    if (result._tag === 'Right') this.take(result.right)
    return result
  }

  /** Sends a command that must be accepted. */
  do(command: Command.Command): Decision {
    const result = this.try(command)
    if (result._tag === 'Left')
      throw new Error(`${command._tag} refused: ${result.left.rule} ${result.left.message}`)
    return result.right
  }

  /** Sends a command that must be refused; returns the rejection. */
  refuse(command: Command.Command): Rejection.Rejection {
    const result = this.try(command)
    if (result._tag === 'Right')
      throw new Error(
        `${command._tag} accepted: ${result.right.events.map((e) => e._tag).join(',')}`,
      )
    return result.left
  }

  signal(signal: Signal.Signal): Decision {
    this.now += 10
    return this.take(observe(this.state, signal, { now: Instant.fromMillis(this.now) }))
  }

  advance(ms: number): Decision {
    this.now += ms
    return this.take(expire(this.state, Instant.fromMillis(this.now)))
  }

  /** Tags of the events recorded since `from`. */
  tags(from = 0): ReadonlyArray<string> {
    return this.events.slice(from).map((e) => e._tag)
  }

  /** The operation id the last OperationAccepted minted. */
  lastOperation(): Ids.OperationId {
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!
      if (e._tag === 'OperationAccepted') return e.operation.id
    }
    throw new Error('no operation accepted yet')
  }

  /** An outbound call to `parties`, all of whom answer. */
  static connected(
    parties: ReadonlyArray<Identifier.Identifier> = [alice],
    options: { readonly streaming?: boolean; readonly transcription?: boolean } = {},
  ): Call {
    const call = new Call()
    call.do({
      _tag: 'CreateCall',
      callConnectionId: Ids.unsafe.callConnectionId('cc-1'),
      serverCallId: Ids.unsafe.serverCallId('server-1'),
      correlationId: Ids.unsafe.correlationId('corr-1'),
      callbackUri: 'https://app.example/callbacks',
      source: app,
      targets: parties,
      ...(options.streaming === true ? { mediaStreaming } : {}),
      ...(options.transcription === true ? { transcription } : {}),
    })
    for (const p of parties) call.signal({ _tag: 'PartyAnswered', participant: p })
    return call
  }
}

export const playToAll = (name = 'a', interrupt = false): Command.PlayToAll => ({
  _tag: 'PlayToAll',
  sources: [file(name)],
  loop: false,
  interrupt,
})
export const playTo = (
  targets: ReadonlyArray<Identifier.Identifier>,
  name = 'a',
): Command.PlayTo => ({
  _tag: 'PlayTo',
  targets,
  sources: [file(name)],
  loop: false,
  interrupt: false,
})
export const recognizeDtmf = (
  target: Identifier.Identifier,
  options: Partial<Command.DtmfOptions> & { readonly prompt?: boolean } = {},
): Command.Recognize => ({
  _tag: 'Recognize',
  inputType: 'dtmf',
  target,
  prompts: options.prompt === true ? [file('prompt')] : [],
  interruptPrompt: false,
  initialSilenceTimeoutMs: 5_000,
  dtmf: {
    interToneTimeoutMs: options.interToneTimeoutMs ?? 2_000,
    maxTonesToCollect: options.maxTonesToCollect ?? 4,
    stopTones: options.stopTones ?? [],
  },
  interrupt: false,
})
export const sendDtmf = (
  target: Identifier.Identifier,
  tones: ReadonlyArray<string> = ['one', 'two', 'three', 'four'],
): Command.SendDtmfTones => ({
  _tag: 'SendDtmfTones',
  target,
  tones: tones as Command.SendDtmfTones['tones'],
})
