import type { Command, Rejection } from '@switchboard/core'
import {
  decide,
  Identifier,
  Ids,
  initial,
  Instant,
  observe,
  Rejection as RejectionModule,
  replay,
  Rules,
} from '@switchboard/core'

/** What a CLI command prints and its exit status; the entry point writes them out. */
export interface Outcome {
  readonly stdout: ReadonlyArray<string>
  readonly stderr: ReadonlyArray<string>
  readonly status: number
}

const cell = (existing: Rules.ExistingKind, requested: Rules.RequestedKind): string => {
  const v = Rules.verdict(requested, [existing], {
    mainBusy: Rules.leg[existing] === 'main',
    interrupt: false,
  })
  return v._tag === 'Reject' ? 'REJECT 412/8583' : v._tag === 'Queue' ? 'queue' : 'run'
}

const pad = (s: string, n: number) => s + ' '.repeat(Math.max(0, n - s.length))

/** `switchboard rules`: the media action compatibility table and the validation rules. */
export const rules = (): Outcome => {
  const columns = Rules.seedRequestedKinds
  const first = Math.max(...Rules.existingKinds.map((k) => k.length)) + 2
  const width = Math.max(...columns.map((c) => c.length), 15) + 2
  const out: Array<string> = []
  out.push('Media action compatibility (ACS seed table): requested operation across, existing down')
  out.push('')
  out.push(pad('', first) + columns.map((c) => pad(c, width)).join(''))
  for (const e of Rules.existingKinds)
    out.push(pad(e, first) + columns.map((r) => pad(cell(e, r), width)).join(''))
  out.push('')
  out.push('Operations the seed does not list are always allowed by the table (see docs/rules.md):')
  out.push(
    '  ' + Rules.requestedKinds.filter((k) => !Rules.seedRequestedKinds.includes(k)).join(', '),
  )
  out.push('')
  out.push('Validation rules (HTTP status, ACS code):')
  for (const name of RejectionModule.ruleNames) {
    const r = RejectionModule.catalogue[name]
    out.push(`  ${pad(name, 30)} ${r.status} ${pad(r.code, 5)} ${r.summary}`)
  }
  return { stdout: out, stderr: [], status: 0 }
}

const identifierFields = new Set([
  'target',
  'participant',
  'transferee',
  'source',
  'caller',
  'answeredBy',
])

/** Lets a scenario name parties by raw id (`"+1425..."` or `"4:+1425..."`) and files by URL. */
const normalize = (value: unknown, key = ''): unknown => {
  if (typeof value === 'string' && (identifierFields.has(key) || key === 'targets[]'))
    return Identifier.parse(value.startsWith('+') ? `4:${value}` : value)
  if (
    typeof value === 'string' &&
    (key === 'sources[]' || key === 'prompts[]' || key === 'playSource')
  )
    return { _tag: 'File', uri: value }
  if (Array.isArray(value)) return value.map((v) => normalize(v, `${key}[]`))
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v, k)]))
  return value
}

interface Scenario {
  readonly parties: ReadonlyArray<string>
  readonly commands: ReadonlyArray<unknown>
}

const parseScenario = (text: string): Scenario | string => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (e) {
    return `not JSON: ${(e as Error).message}`
  }
  if (Array.isArray(json)) return { parties: ['+14255550101'], commands: json }
  if (typeof json !== 'object' || json === null)
    return 'expected a command object, an array of commands, or {parties, commands}'
  const o = json as Record<string, unknown>
  if (typeof o._tag === 'string') return { parties: ['+14255550101'], commands: [o] }
  if (!Array.isArray(o.commands)) return 'expected "commands": an array of commands'
  const parties = Array.isArray(o.parties) ? o.parties : ['+14255550101']
  if (!parties.every((p): p is string => typeof p === 'string')) return '"parties" must be raw ids'
  return { parties, commands: o.commands }
}

const describeRejection = (r: Rejection.Rejection) =>
  `REFUSED ${r.status} ${r.code} (${r.rule}): ${r.message}`

/**
 * `switchboard validate JSON`: runs commands (in the core's JSON form) against a connected call
 * whose parties are given, and prints what the core answers to each: accepted, with the events it
 * records, or refused, with the HTTP status and ACS code a client would get.
 */
export const validate = (text: string): Outcome => {
  const scenario = parseScenario(text)
  if (typeof scenario === 'string')
    return { stdout: [], stderr: [`switchboard validate: ${scenario}`], status: 2 }
  const parties = scenario.parties.map((p) => Identifier.parse(p.startsWith('+') ? `4:${p}` : p))
  let now = 1_000
  let state = initial
  const created = decide(
    state,
    {
      _tag: 'CreateCall',
      callConnectionId: Ids.unsafe.callConnectionId('demo-call'),
      serverCallId: Ids.unsafe.serverCallId('demo-server-call'),
      correlationId: Ids.unsafe.correlationId('demo-correlation'),
      callbackUri: 'https://app.example/callbacks',
      source: Identifier.communicationUser('8:acs:switchboard-demo'),
      targets: parties,
    },
    { now: Instant.fromMillis(now) },
  )
  if (created._tag === 'Left')
    return {
      stdout: [],
      stderr: [`switchboard validate: parties refused: ${describeRejection(created.left)}`],
      status: 2,
    }
  state = replay(created.right.events, state)
  for (const participant of parties) {
    now += 10
    state = replay(
      observe(state, { _tag: 'PartyAnswered', participant }, { now: Instant.fromMillis(now) })
        .events,
      state,
    )
  }
  const out = [`call connected with ${parties.map((p) => Identifier.rawId(p)).join(', ')}`]
  let refused = 0
  scenario.commands.forEach((raw, i) => {
    now += 10
    const command = normalize(raw) as Command.Command
    const label = `#${i + 1} ${typeof command === 'object' && command !== null ? String(command._tag) : typeof command}`
    const result = decide(state, command, { now: Instant.fromMillis(now) })
    if (result._tag === 'Left') {
      refused++
      out.push(`${label}: ${describeRejection(result.left)}`)
      return
    }
    state = replay(result.right.events, state)
    const queued = result.right.events.some(
      (e) => e._tag === 'OperationAccepted' && e.operation.phase === 'queued',
    )
    out.push(
      `${label}: ACCEPTED${queued ? ' (queued)' : ''} -> ${result.right.events.map((e) => e._tag).join(', ') || 'no events'}`,
    )
  })
  return { stdout: out, stderr: [], status: refused > 0 ? 1 : 0 }
}

export const usage = [
  'Usage: switchboard <command>',
  '',
  'Commands:',
  '  serve [options]       run the ACS-compatible service (what `pnpm start` runs; serve --help lists the options)',
  '  rules                 print the media action compatibility table and the validation rules',
  '  validate JSON|-       run commands against a connected demo call and print what the core answers',
  '                        JSON: a command, an array of commands, or {"parties": [...], "commands": [...]}',
  '                        parties and targets by raw id ("+14255550101", "8:acs:..."), play sources by URL',
  '  dtmf decode FILE...   print the DTMF keys in recordings (WAV, raw PCM, media-streaming JSONL; dtmf --help)',
  '  dtmf synth DIGITS -o OUT.wav   write the keys as a WAV file',
  '  start                 print the rules, then a sample validation (no service)',
  '  help                  this text',
  '',
  'Example:',
  `  switchboard validate '{"parties":["+14255550101"],"commands":[{"_tag":"PlayTo","targets":["+14255550101"],"sources":["https://x/a.wav"],"loop":false,"interrupt":false},{"_tag":"SendDtmfTones","target":"+14255550101","tones":["one","two"]}]}'`,
]

export const sample = JSON.stringify({
  parties: ['+14255550101'],
  commands: [
    {
      _tag: 'PlayToAll',
      sources: ['https://media.example/welcome.wav'],
      loop: false,
      interrupt: false,
    },
    {
      _tag: 'PlayToAll',
      sources: ['https://media.example/menu.wav'],
      loop: false,
      interrupt: false,
    },
    { _tag: 'SendDtmfTones', target: '+14255550101', tones: ['one', 'two', 'three', 'four'] },
    { _tag: 'SendDtmfTones', target: '+14255550101', tones: Array(19).fill('nine') },
    {
      _tag: 'PlayTo',
      targets: ['+14255550101'],
      sources: ['https://media.example/a.wav'],
      loop: false,
      interrupt: false,
    },
    { _tag: 'StartContinuousDtmfRecognition', target: '+14255550101' },
  ],
})
