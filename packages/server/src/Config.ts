/**
 * The settings of `switchboard serve`: flags, then `SWITCHBOARD_*` environment variables, then
 * defaults. Pure: the arguments and environment are inputs; the result is the settings or the
 * reasons they were refused.
 */

export type StoreKind = 'memory' | 'pglite' | 'postgres'
export type LogFormat = 'human' | 'json' | 'none'

export interface Settings {
  readonly host: string
  readonly port: number
  /** The ACS access key (base64); undefined: read from the data directory or generate one. */
  readonly accessKey: string | undefined
  readonly store: StoreKind
  /** Where the embedded store, the generated access key and signing keys live. */
  readonly dataDir: string
  readonly databaseUrl: string | undefined
  /** PostgreSQL schema of the tables. */
  readonly schema: string
  /** PostgreSQL pool size. */
  readonly poolSize: number
  /** Simulated media time: 1 is real time, 10 ten times faster. */
  readonly timeScale: number
  readonly logFormat: LogFormat
  /** Simulator routes without authentication (loopback hosts only). */
  readonly openSimulator: boolean
  /** The largest accepted request body in bytes. */
  readonly maxBodyBytes: number
  /** Where the simulated world sends Event Grid `IncomingCall` events (the app's webhook). */
  readonly eventGridUrl: string | undefined
}

export const defaults = {
  host: '127.0.0.1',
  port: 8080,
  store: 'pglite',
  dataDir: './.switchboard',
  schema: 'switchboard',
  poolSize: 10,
  timeScale: 1,
  logFormat: 'human',
  openSimulator: false,
  maxBodyBytes: 1024 * 1024,
} as const

interface Option {
  readonly flag: string
  readonly env: string
  readonly boolean?: boolean
  readonly help: string
}

export const options: ReadonlyArray<Option> = [
  {
    flag: 'host',
    env: 'SWITCHBOARD_HOST',
    help: `address to listen on (default ${defaults.host})`,
  },
  {
    flag: 'port',
    env: 'SWITCHBOARD_PORT',
    help: `port (default ${defaults.port}; 0: a free port)`,
  },
  {
    flag: 'access-key',
    env: 'SWITCHBOARD_ACCESS_KEY',
    help: 'ACS access key, base64 (default: generated on first start, kept in the data directory)',
  },
  {
    flag: 'store',
    env: 'SWITCHBOARD_STORE',
    help: `memory | pglite | postgres (default ${defaults.store})`,
  },
  {
    flag: 'data-dir',
    env: 'SWITCHBOARD_DATA_DIR',
    help: `embedded store, generated access key, signing keys (default ${defaults.dataDir})`,
  },
  {
    flag: 'database-url',
    env: 'SWITCHBOARD_DATABASE_URL',
    help: 'postgres://user@host:port/db (for --store postgres; DATABASE_URL also works)',
  },
  {
    flag: 'schema',
    env: 'SWITCHBOARD_SCHEMA',
    help: `PostgreSQL/PGlite schema (default ${defaults.schema})`,
  },
  {
    flag: 'pool-size',
    env: 'SWITCHBOARD_POOL_SIZE',
    help: `PostgreSQL connections (default ${defaults.poolSize})`,
  },
  {
    flag: 'time-scale',
    env: 'SWITCHBOARD_TIME_SCALE',
    help: 'simulated media time: 1 real time, 10 ten times faster, 0.5 half speed (default 1)',
  },
  {
    flag: 'log-format',
    env: 'SWITCHBOARD_LOG_FORMAT',
    help: `human | json | none (default ${defaults.logFormat})`,
  },
  {
    flag: 'open-simulator',
    env: 'SWITCHBOARD_OPEN_SIMULATOR',
    boolean: true,
    help: 'simulator routes without authentication (only on a loopback host)',
  },
  {
    flag: 'event-grid-url',
    env: 'SWITCHBOARD_EVENT_GRID_URL',
    help: "the app's Event Grid webhook: where IncomingCall events of simulated callers go",
  },
  {
    flag: 'max-body-bytes',
    env: 'SWITCHBOARD_MAX_BODY_BYTES',
    help: `largest request body (default ${defaults.maxBodyBytes})`,
  },
]

export type Parsed =
  | { readonly _tag: 'ok'; readonly settings: Settings }
  | { readonly _tag: 'error'; readonly errors: ReadonlyArray<string> }

const truthy = (s: string) => ['1', 'true', 'yes', 'on', ''].includes(s.toLowerCase())

/** Parses `serve`'s arguments with the environment as fallback. */
export const parse = (
  args: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>,
): Parsed => {
  const errors: Array<string> = []
  const given = new Map<string, string>()
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (!arg.startsWith('--')) {
      errors.push(`unexpected argument "${arg}"`)
      continue
    }
    const eq = arg.indexOf('=')
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq)
    const option = options.find((o) => o.flag === name)
    if (option === undefined) {
      errors.push(`unknown option --${name}`)
      continue
    }
    if (eq >= 0) given.set(name, arg.slice(eq + 1))
    else if (option.boolean === true) {
      const next = args[i + 1]
      if (next !== undefined && ['true', 'false'].includes(next)) {
        given.set(name, next)
        i++
      } else given.set(name, 'true')
    } else {
      const next = args[i + 1]
      if (next === undefined) errors.push(`--${name} needs a value`)
      else {
        given.set(name, next)
        i++
      }
    }
  }
  const value = (flag: string): string | undefined => {
    const o = options.find((x) => x.flag === flag)!
    return given.get(flag) ?? env[o.env]
  }
  const number = (flag: string, fallback: number, check: (n: number) => boolean, what: string) => {
    const v = value(flag)
    if (v === undefined || v === '') return fallback
    const n = Number(v)
    if (!Number.isFinite(n) || !check(n)) {
      errors.push(`--${flag}: ${what}, got "${v}"`)
      return fallback
    }
    return n
  }
  const port = number(
    'port',
    defaults.port,
    (n) => Number.isInteger(n) && n >= 0 && n <= 65535,
    'a port number 0-65535',
  )
  const poolSize = number(
    'pool-size',
    defaults.poolSize,
    (n) => Number.isInteger(n) && n >= 1 && n <= 1000,
    'an integer 1-1000',
  )
  const timeScale = number(
    'time-scale',
    defaults.timeScale,
    (n) => n > 0 && n <= 1000,
    'a number > 0',
  )
  const maxBodyBytes = number(
    'max-body-bytes',
    defaults.maxBodyBytes,
    (n) => Number.isInteger(n) && n >= 1024,
    'an integer >= 1024',
  )
  const store = value('store') ?? defaults.store
  if (store !== 'memory' && store !== 'pglite' && store !== 'postgres')
    errors.push(`--store: memory, pglite or postgres, got "${store}"`)
  const logFormat = value('log-format') ?? defaults.logFormat
  if (logFormat !== 'human' && logFormat !== 'json' && logFormat !== 'none')
    errors.push(`--log-format: human, json or none, got "${logFormat}"`)
  const accessKey = value('access-key')
  if (accessKey !== undefined && !isAccessKey(accessKey))
    errors.push('--access-key: a base64 string of at least 16 bytes')
  const databaseUrl = value('database-url') ?? env.DATABASE_URL
  if (store === 'postgres' && (databaseUrl === undefined || databaseUrl === ''))
    errors.push('--store postgres needs --database-url (or SWITCHBOARD_DATABASE_URL)')
  const schema = value('schema') ?? defaults.schema
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema))
    errors.push(`--schema: [a-z_][a-z0-9_]*, at most 63 characters, got "${schema}"`)
  const open = value('open-simulator')
  const eventGridUrl = value('event-grid-url')
  if (eventGridUrl !== undefined && eventGridUrl !== '' && !/^https?:\/\/./.test(eventGridUrl))
    errors.push(`--event-grid-url: an http(s) URL, got "${eventGridUrl}"`)
  if (errors.length > 0) return { _tag: 'error', errors }
  return {
    _tag: 'ok',
    settings: {
      host: value('host') ?? defaults.host,
      port,
      accessKey: accessKey === '' ? undefined : accessKey,
      store: store as StoreKind,
      dataDir: value('data-dir') ?? defaults.dataDir,
      databaseUrl: databaseUrl === '' ? undefined : databaseUrl,
      schema,
      poolSize,
      timeScale,
      logFormat: logFormat as LogFormat,
      openSimulator: open === undefined ? false : truthy(open),
      maxBodyBytes,
      eventGridUrl: eventGridUrl === '' ? undefined : eventGridUrl,
    },
  }
}

/** A base64 key of at least 16 bytes. */
export const isAccessKey = (s: string): boolean =>
  /^[A-Za-z0-9+/]+={0,2}$/.test(s) && s.length % 4 === 0 && (s.length * 3) / 4 >= 16

export const help = [
  'Usage: switchboard serve [options]',
  '',
  'Options (each also as an environment variable):',
  ...options.map((o) => `  --${o.flag.padEnd(16)} ${o.env.padEnd(28)} ${o.help}`),
]
