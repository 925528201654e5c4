/**
 * The SQL implementation of every port, shared by PGlite and PostgreSQL: the same statements
 * run on both through a small `Driver`. Each write is one statement (so one transaction on
 * either engine) except migrations. `S` is the quoted schema name.
 */
import { Effect, Option } from 'effect'
import type { CallId } from './CallId.js'
import {
  isStoreError,
  StoreClosedError,
  StoreConflictError,
  StoreDuplicateError,
  StoreInputError,
  StoreLeaseError,
  StoreNotFoundError,
  StoreUnavailableError,
  type StoreError,
} from './Errors.js'
import type { AppendResult, EventStoreService, StoredEvent } from './EventStore.js'
import * as GroupCommit from './GroupCommit.js'
import type { IdempotencyService } from './Idempotency.js'
import type { Json } from './Json.js'
import * as Limits from './Limits.js'
import * as Migrations from './Migrations.js'
import type { DeadLetter, OutboxItem, OutboxService } from './Outbox.js'
import type { StoreService } from './Store.js'
import type { TimersService } from './Timers.js'

export type Row = Record<string, unknown>

/** What the SQL store needs from a database client. */
export interface Driver {
  /** One statement, in a transaction of its own. `name` lets a driver keep it prepared. */
  readonly query: (
    text: string,
    params?: ReadonlyArray<unknown>,
    name?: string,
  ) => Promise<ReadonlyArray<Row>>
  /** Runs `f` in one transaction on one connection; rolls back if it rejects. */
  readonly transaction: <A>(f: (tx: Tx) => Promise<A>) => Promise<A>
  /** Releases the database (a no-op for a client the store does not own). */
  readonly close: () => Promise<void>
  /**
   * Statements run on this thread and hold the event loop while they run (PGlite): group commit
   * then gathers for one turn by default (GroupCommit `gather`).
   */
  readonly blocking?: boolean
}

export interface Tx {
  readonly query: (text: string, params?: ReadonlyArray<unknown>) => Promise<ReadonlyArray<Row>>
  /** Several statements without parameters. */
  readonly exec: (text: string) => Promise<void>
}

export interface SqlOptions extends Limits.StoreOptions {
  /** The schema that holds the tables; created if missing. Default `switchboard`. */
  readonly schema?: string
  /**
   * Group commit of concurrent appends and outbox acknowledgements (see GroupCommit). On by
   * default; `false` sends every operation on its own.
   */
  readonly groupCommit?: GroupCommit.GroupCommitOptions
}

const schemaName = /^[a-z_][a-z0-9_]{0,62}$/

export const checkSchema = (schema: string | undefined): string => {
  const s = schema ?? 'switchboard'
  if (!schemaName.test(s))
    throw new StoreInputError({
      field: 'schema',
      reason: 'must match [a-z_][a-z0-9_]* and be at most 63 characters',
    })
  return s
}

/** Checks the options before anything is opened; returns the schema name. */
export const checkOptions = (options: SqlOptions | undefined): string => {
  GroupCommit.resolve(options?.groupCommit)
  return checkSchema(options?.schema)
}

/** Applies the migrations not yet recorded, in one transaction, under an advisory lock. */
export const migrate = (driver: Driver, schema: string): Promise<void> => {
  const S = `"${schema}"`
  return driver.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`switchboard-store:${schema}`])
    await tx.exec(`CREATE SCHEMA IF NOT EXISTS ${S};
CREATE TABLE IF NOT EXISTS ${S}.schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
);`)
    const done = new Set(
      (await tx.query(`SELECT version FROM ${S}.schema_migrations`)).map((r) => Number(r.version)),
    )
    for (const m of Migrations.all) {
      if (done.has(m.version)) continue
      await tx.exec(m.sql(S))
      await tx.query(`INSERT INTO ${S}.schema_migrations (version, name) VALUES ($1, $2)`, [
        m.version,
        m.name,
      ])
    }
  })
}

const num = (u: unknown): number => (typeof u === 'number' ? u : Number(u))
const opt = (u: unknown): number | undefined => (u === null || u === undefined ? undefined : num(u))
/** Both drivers decode `json` columns already. */
const json = (u: unknown): Json => u as Json
const pgCode = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : undefined
/**
 * An error the server reported for a statement (both drivers give it a SQLSTATE and a
 * severity): the statement's transaction was rolled back and nothing of it was written. A lost
 * connection is not one (the outcome of the statement is unknown).
 */
const serverError = (e: unknown): boolean =>
  pgCode(e) !== undefined && typeof (e as { severity?: unknown }).severity === 'string'

const toItem = (r: Row): OutboxItem => ({
  id: String(r.id),
  callId: r.call_id as CallId,
  seq: num(r.seq),
  kind: r.kind as string,
  payload: json(r.payload),
  dueAt: num(r.due_at),
  attempts: num(r.attempts),
  ...(r.last_error === null ? {} : { lastError: r.last_error as string }),
  ...(r.lease_owner === null ? {} : { leaseOwner: r.lease_owner as string }),
  ...(r.lease_until === null ? {} : { leaseUntil: opt(r.lease_until) as number }),
})

/** Builds the ports on a migrated database. */
export const open = (driver: Driver, schema: string, options?: SqlOptions): StoreService => {
  const limits = Limits.resolve(options)
  const grouping = GroupCommit.resolve(options?.groupCommit, driver.blocking === true)
  const S = `"${schema}"`
  let closed = false
  let closing: Promise<void> | undefined
  // Operations under way when `close` is called finish before the database is released.
  const inFlight = new Set<Promise<unknown>>()

  // Each statement text gets a name of its own; a store's connections serve that store only
  // (PGlite keys its prepared statements by text, see PgliteStore).
  const names = new Map<string, string>()
  const q = (text: string, params?: ReadonlyArray<unknown>) => {
    let name = names.get(text)
    if (name === undefined) names.set(text, (name = `sb_${names.size + 1}`))
    return driver.query(text, params, name)
  }

  const op = <A, E extends StoreError = never>(f: () => Promise<A>): Effect.Effect<A, E> =>
    Effect.tryPromise({
      try: async () => {
        if (closed) throw new StoreClosedError()
        const p = f()
        inFlight.add(p)
        try {
          return await p
        } finally {
          inFlight.delete(p)
        }
      },
      catch: (e) =>
        isStoreError(e)
          ? e
          : closed
            ? new StoreClosedError()
            : new StoreUnavailableError({ cause: e }),
    }) as Effect.Effect<A, E>

  /**
   * The append statement for one shape of request (new call or not, how many events and
   * items, which extras), built once per shape and kept. Small batches bind one parameter per
   * column; large ones pass a JSON array. Everything selects FROM bump, so nothing is written
   * when the version check fails; inbox ids and idempotency records, whose refusal must undo
   * the rest, raise an error that rolls the whole statement back.
   */
  const statements = new Map<string, string>()
  const small = 8
  const appendSql = (r: Limits.CheckedAppend): { text: string; params: unknown[] } => {
    const params: unknown[] = []
    const key: string[] = []
    const $ = (v: unknown, cast: string) => {
      params.push(v)
      return `$${params.length}::${cast}`
    }
    // Bound on first use: a statement must not carry a parameter it does not mention.
    const once = (v: unknown, cast: string) => {
      let ph: string | undefined
      return () => (ph ??= $(v, cast))
    }
    const call = once(r.callId, 'text')
    const expected = once(r.expectedVersion, 'integer')
    const version = $(r.newVersion, 'integer')
    const k = r.outbox.length
    const timer = r.timer === undefined ? undefined : $(r.timer, 'bigint')
    key.push(r.expectedVersion === 0 ? 'new' : 'old', `t${timer === undefined ? 0 : 1}`, `o${k}`)
    const parts: string[] = []
    const base = k === 0 ? '0' : `outbox_seq - ${k}`
    if (r.expectedVersion === 0)
      parts.push(`bump AS (
  INSERT INTO ${S}.calls AS c (call_id, version, outbox_seq, deadline)
  VALUES (${call()}, ${version}, ${k}, ${timer ?? 'NULL'})
  ON CONFLICT (call_id) DO UPDATE SET version = EXCLUDED.version,
    outbox_seq = c.outbox_seq + EXCLUDED.outbox_seq${timer === undefined ? '' : ', deadline = EXCLUDED.deadline'}
  WHERE c.version = 0
  RETURNING ${k === 0 ? '0' : `c.outbox_seq - ${k}`} AS base)`)
    else
      parts.push(`bump AS (
  UPDATE ${S}.calls SET version = ${version}${k === 0 ? '' : `, outbox_seq = outbox_seq + ${k}`}${
    timer === undefined ? '' : `, deadline = ${timer}`
  }
  WHERE call_id = ${call()} AND version = ${expected()}
  RETURNING ${base} AS base)`)
    const n = r.events.length
    if (n > 0 && n <= small) {
      key.push(`e${n}`)
      const rows = r.events.map(
        (e, i) => `(${i + 1}, ${$(e.type, 'text')}, ${$(e.at, 'bigint')}, ${$(e.payload, 'json')})`,
      )
      parts.push(`ev AS (
  INSERT INTO ${S}.events (call_id, version, type, at, payload)
  SELECT ${call()}, ${expected()} + e.n, e.t, e.a, e.p FROM bump, (VALUES ${rows.join(', ')}) AS e(n, t, a, p))`)
    } else if (n > small) {
      // Columns as arrays and the payloads as one JSON array, zipped by ROWS FROM: each
      // payload is parsed twice (the argument, then its elements), not three times as with
      // json_to_recordset (which parses each json field again).
      key.push('eJ')
      const types = $(
        r.events.map((e) => e.type),
        'text[]',
      )
      const ats = $(`{${r.events.map((e) => e.at).join(',')}}`, 'bigint[]')
      const payloads = $(`[${r.events.map((e) => e.payload).join(',')}]`, 'json')
      parts.push(`ev AS (
  INSERT INTO ${S}.events (call_id, version, type, at, payload)
  SELECT ${call()}, ${expected()} + e.n, e.type, e.at, e.payload
  FROM bump, ROWS FROM (unnest(${types}), unnest(${ats}), json_array_elements(${payloads}))
    WITH ORDINALITY AS e(type, at, payload, n))`)
    }
    if (k > 0 && k <= small) {
      const rows = r.outbox.map(
        (o, i) =>
          `(${i + 1}, ${$(o.kind, 'text')}, ${$(o.payload, 'json')}, ${$(o.dueAt, 'bigint')})`,
      )
      parts.push(`ob AS (
  INSERT INTO ${S}.outbox (call_id, seq, kind, payload, due_at)
  SELECT ${call()}, bump.base + e.n, e.k, e.p, e.d FROM bump, (VALUES ${rows.join(', ')}) AS e(n, k, p, d)
  RETURNING id, seq)`)
    } else if (k > small) {
      key.push('oJ')
      const kinds = $(
        r.outbox.map((o) => o.kind),
        'text[]',
      )
      const dues = $(`{${r.outbox.map((o) => o.dueAt).join(',')}}`, 'bigint[]')
      const payloads = $(`[${r.outbox.map((o) => o.payload).join(',')}]`, 'json')
      parts.push(`ob AS (
  INSERT INTO ${S}.outbox (call_id, seq, kind, payload, due_at)
  SELECT ${call()}, bump.base + e.n, e.kind, e.payload, e.due
  FROM bump, ROWS FROM (unnest(${kinds}), unnest(${dues}), json_array_elements(${payloads}))
    WITH ORDINALITY AS e(kind, due, payload, n)
  RETURNING id, seq)`)
    }
    if (r.snapshot !== undefined) {
      key.push('s')
      parts.push(`sn AS (
  INSERT INTO ${S}.snapshots (call_id, version, state)
  SELECT ${call()}, ${$(r.snapshot.version, 'integer')}, ${$(r.snapshot.state, 'json')} FROM bump
  ON CONFLICT (call_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state)`)
    }
    const checks: string[] = []
    if (r.inboxIds.length > 0) {
      key.push('i')
      parts.push(`inb AS (
  INSERT INTO ${S}.inbox (id, call_id)
  SELECT x, ${call()} FROM json_array_elements_text(${$(JSON.stringify(r.inboxIds), 'json')}) AS x
  ON CONFLICT DO NOTHING RETURNING 1)`)
      checks.push(
        `WHEN (SELECT count(*) FROM inb) <> ${$(r.inboxIds.length, 'integer')} THEN ${S}.store_fail('SB002', 'inbox id already recorded')`,
      )
    }
    if (r.idempotency !== undefined) {
      key.push('k')
      const d = r.idempotency
      parts.push(`idem AS (
  INSERT INTO ${S}.idempotency AS i (key, request_hash, response, at)
  SELECT ${$(d.key, 'text')}, ${$(d.requestHash, 'text')}, ${$(d.response, 'json')}, ${$(d.at, 'bigint')} FROM bump
  ON CONFLICT (key) DO UPDATE SET request_hash = EXCLUDED.request_hash,
    response = EXCLUDED.response, at = EXCLUDED.at
  WHERE i.at + ${$(limits.idempotencyWindowMs, 'bigint')} <= EXCLUDED.at
  RETURNING 1)`)
      checks.push(
        `WHEN NOT EXISTS (SELECT 1 FROM idem) THEN ${S}.store_fail('SB003', 'idempotency key is live')`,
      )
    }
    // Inbox ids are written whatever the version: a stale version must undo them too.
    if (checks.length > 0)
      checks.splice(
        r.inboxIds.length > 0 ? 1 : 0,
        0,
        `WHEN NOT EXISTS (SELECT 1 FROM bump) THEN ${S}.store_fail('SB001', 'version conflict')`,
      )
    const select = [
      '(SELECT base FROM bump) AS base',
      ...(checks.length > 0 ? [`CASE ${checks.join(' ')} ELSE 0 END AS ok`] : []),
      ...(k > 0
        ? ['(SELECT json_agg(json_build_array(id::text, seq) ORDER BY seq) FROM ob) AS outbox']
        : []),
    ]
    const shape = key.join('.')
    let text = statements.get(shape)
    if (text === undefined) {
      text = `WITH ${parts.join(',\n')}\nSELECT ${select.join(', ')}`
      statements.set(shape, text)
    }
    return { text, params }
  }

  const currentVersion = async (callId: string) => {
    const rows = await q(`SELECT version FROM ${S}.calls WHERE call_id = $1`, [callId])
    return rows[0] === undefined ? 0 : num(rows[0].version)
  }

  const conflict = async (r: Limits.CheckedAppend) =>
    new StoreConflictError({
      callId: r.callId,
      expected: r.expectedVersion,
      actual: await currentVersion(r.callId),
    })

  const appendOne = async (r: Limits.CheckedAppend): Promise<AppendResult> => {
    const { text, params } = appendSql(r)
    let rows: ReadonlyArray<Row>
    try {
      rows = await q(text, params)
    } catch (e) {
      const code = pgCode(e)
      if (code === 'SB002') {
        const dups = await q(
          `SELECT id FROM ${S}.inbox WHERE id = ANY($1::text[]) ORDER BY id COLLATE "C"`,
          [r.inboxIds],
        )
        throw new StoreDuplicateError({ what: 'inbox', ids: dups.map((d) => d.id as string) })
      }
      if (code === 'SB001' || code === '23505') throw await conflict(r)
      if (code === 'SB003')
        throw new StoreDuplicateError({ what: 'idempotency', ids: [r.idempotency?.key ?? ''] })
      throw e
    }
    const row = rows[0]
    if (row === undefined || row.base === null || row.base === undefined) throw await conflict(r)
    const out = (row.outbox ?? null) as ReadonlyArray<[string, number]> | null
    return {
      version: r.newVersion,
      outbox: (out ?? []).map(([id, seq]) => ({ id, seq: num(seq) })),
    }
  }

  /**
   * Several appends in one statement (append_batch, migration 4), in call-id order and, within
   * a call, in the order they were issued. Requests that share a call, an inbox id or an
   * idempotency key go in successive rounds (a request's round is one more than the latest
   * round of any earlier request it shares one of those with), so that each round's requests
   * are independent and the function applies a round with one set-based statement; the second
   * append of a call sees the first. When the statement fails (a concurrent writer took an
   * inbox id or idempotency key between check and write, a deadlock), it wrote nothing, and
   * the appends are applied one by one instead.
   */
  /** An integer array literal (`{1,NULL,3}`). */
  const numbers = (xs: ReadonlyArray<number | null>) =>
    `{${xs.map((x) => (x === null ? 'NULL' : String(x))).join(',')}}`
  /** append_batch's argument types (migration 4), in order. */
  const batchTypes = [
    ...['text[]', 'integer[]', 'integer[]', 'integer[]', 'boolean[]', 'bigint[]', 'integer[]'],
    ...['json', 'text[]', 'text[]', 'json', 'bigint[]', 'integer[]'],
    ...['integer[]', 'integer[]', 'text[]', 'bigint[]', 'json'],
    ...['integer[]', 'integer[]', 'text[]', 'json', 'bigint[]'],
    ...['integer[]', 'text[]', 'bigint', 'integer'],
  ]
  const appendBatchText = `SELECT * FROM ${S}.append_batch(${batchTypes
    .map((t, i) => `$${i + 1}::${t}`)
    .join(', ')})`
  const appendMany = async (
    rs: ReadonlyArray<Limits.CheckedAppend>,
  ): Promise<ReadonlyArray<GroupCommit.Settled<AppendResult>>> => {
    const order = rs
      .map((_, i) => i)
      .sort((a, b) => {
        const x = (rs[a] as Limits.CheckedAppend).callId
        const y = (rs[b] as Limits.CheckedAppend).callId
        return x < y ? -1 : x > y ? 1 : a - b
      })
    const n = order.length
    const call: string[] = new Array(n)
    const expected: number[] = new Array(n)
    const count: number[] = new Array(n)
    const items: number[] = new Array(n)
    const timerSet: boolean[] = new Array(n)
    const timer: Array<number | null> = new Array(n)
    const snapVersion: Array<number | null> = new Array(n)
    const snapState: string[] = new Array(n)
    const key: Array<string | null> = new Array(n)
    const hash: Array<string | null> = new Array(n)
    const response: string[] = new Array(n)
    const keyAt: Array<number | null> = new Array(n)
    const round: number[] = new Array(n)
    const evReq: number[] = []
    const evVersion: number[] = []
    const evType: string[] = []
    const evAt: number[] = []
    const evPayload: string[] = []
    const obReq: number[] = []
    const obN: number[] = []
    const obKind: string[] = []
    const obPayload: string[] = []
    const obDue: number[] = []
    const ibReq: number[] = []
    const ibId: string[] = []
    // the latest round of each call, inbox id and key (prefixed: they share one map)
    const latest = new Map<string, number>()
    let rounds = 1
    for (let p = 0; p < n; p++) {
      const r = rs[order[p] as number] as Limits.CheckedAppend
      const j = p + 1
      const d = r.idempotency
      let rd = (latest.get(`c${r.callId}`) ?? 0) + 1
      for (const id of r.inboxIds) rd = Math.max(rd, (latest.get(`i${id}`) ?? 0) + 1)
      if (d !== undefined) rd = Math.max(rd, (latest.get(`k${d.key}`) ?? 0) + 1)
      latest.set(`c${r.callId}`, rd)
      for (const id of r.inboxIds) latest.set(`i${id}`, rd)
      if (d !== undefined) latest.set(`k${d.key}`, rd)
      if (rd > rounds) rounds = rd
      call[p] = r.callId
      expected[p] = r.expectedVersion
      count[p] = r.events.length
      items[p] = r.outbox.length
      timerSet[p] = r.timer !== undefined
      timer[p] = r.timer ?? null
      snapVersion[p] = r.snapshot?.version ?? null
      snapState[p] = r.snapshot?.state ?? 'null'
      key[p] = d?.key ?? null
      hash[p] = d?.requestHash ?? null
      response[p] = d?.response ?? 'null'
      keyAt[p] = d?.at ?? null
      round[p] = rd
      r.events.forEach((e, i) => {
        evReq.push(j)
        evVersion.push(r.expectedVersion + i + 1)
        evType.push(e.type)
        evAt.push(e.at)
        evPayload.push(e.payload)
      })
      r.outbox.forEach((o, i) => {
        obReq.push(j)
        obN.push(i + 1)
        obKind.push(o.kind)
        obPayload.push(o.payload)
        obDue.push(o.dueAt)
      })
      for (const id of r.inboxIds) {
        ibReq.push(j)
        ibId.push(id)
      }
    }
    let rows: ReadonlyArray<Row>
    try {
      // Numbers go as array literals and JSON values as one JSON array per column, built
      // here: the driver would otherwise escape every element of a json[] (two regular
      // expressions over each payload, the bulk of the client's cost of a batch).
      rows = await q(appendBatchText, [
        call,
        numbers(expected),
        numbers(count),
        numbers(items),
        `{${timerSet.join(',')}}`,
        numbers(timer),
        numbers(snapVersion),
        `[${snapState.join(',')}]`,
        key,
        hash,
        `[${response.join(',')}]`,
        numbers(keyAt),
        numbers(round),
        numbers(evReq),
        numbers(evVersion),
        evType,
        numbers(evAt),
        `[${evPayload.join(',')}]`,
        numbers(obReq),
        numbers(obN),
        obKind,
        `[${obPayload.join(',')}]`,
        numbers(obDue),
        numbers(ibReq),
        ibId,
        limits.idempotencyWindowMs,
        rounds,
      ])
    } catch (e) {
      if (!serverError(e)) throw e
      const out: Array<GroupCommit.Settled<AppendResult>> = []
      for (const r of rs)
        out.push(
          await appendOne(r).then(
            (value) => ({ ok: true, value }),
            (error: unknown) => ({ ok: false, error }),
          ),
        )
      return out
    }
    const results: Array<GroupCommit.Settled<AppendResult>> = []
    for (const row of rows) {
      const i = order[num(row.req) - 1] as number
      const r = rs[i] as Limits.CheckedAppend
      const detail = (row.detail ?? null) as ReadonlyArray<unknown> | null
      if (row.outcome === 'ok')
        results[i] = {
          ok: true,
          value: {
            version: r.newVersion,
            outbox: ((detail ?? []) as ReadonlyArray<[string, number]>).map(([id, seq]) => ({
              id,
              seq: num(seq),
            })),
          },
        }
      else if (row.outcome === 'conflict')
        // actual is null when the guarded bump lost a race: the version is read afresh
        results[i] = {
          ok: false,
          error:
            row.actual === null
              ? await conflict(r)
              : new StoreConflictError({
                  callId: r.callId,
                  expected: r.expectedVersion,
                  actual: num(row.actual),
                }),
        }
      else
        results[i] = {
          ok: false,
          error:
            row.outcome === 'inbox'
              ? new StoreDuplicateError({ what: 'inbox', ids: (detail ?? []) as string[] })
              : new StoreDuplicateError({
                  what: 'idempotency',
                  ids: [r.idempotency?.key ?? ''],
                }),
        }
    }
    return results
  }

  /** The encoded size of an append, to bound the bytes of a batch. */
  const appendBytes = (r: Limits.CheckedAppend) => {
    let n = 256 + r.inboxIds.length * 64
    for (const e of r.events) n += e.payload.length + e.type.length + 48
    for (const o of r.outbox) n += o.payload.length + o.kind.length + 48
    n += (r.snapshot?.state.length ?? 0) + (r.idempotency?.response.length ?? 0)
    return n
  }

  const groupedAppend = GroupCommit.make(grouping, appendOne, appendMany)

  const events: EventStoreService = {
    append: (request) =>
      op(async () => {
        const r = Limits.append(request, limits)
        return groupedAppend(r, appendBytes(r))
      }),
    read: (callId, options) =>
      op(async () => {
        Limits.id('callId', callId)
        const from = Limits.count('fromVersion', options?.fromVersion ?? 1, 0)
        const rows = await q(
          `SELECT version, type, at, payload FROM ${S}.events WHERE call_id = $1 AND version >= $2 ORDER BY version`,
          [callId, from],
        )
        return rows.map((row): StoredEvent => ({
          callId,
          version: num(row.version),
          type: row.type as string,
          at: num(row.at),
          payload: json(row.payload),
        }))
      }),
    version: (callId) => op(async () => currentVersion(Limits.id('callId', callId))),
    listCalls: (options) =>
      op(async () => {
        const after = options?.after === undefined ? null : Limits.id('after', options.after)
        const limit = options?.limit === undefined ? null : Limits.count('limit', options.limit, 0)
        const rows = await q(
          `SELECT call_id, version FROM ${S}.calls
           WHERE version > 0 AND ($1::text IS NULL OR call_id > $1::text COLLATE "C")
           ORDER BY call_id COLLATE "C" LIMIT $2::bigint`,
          [after, limit],
        )
        return rows.map((row) => ({ callId: row.call_id as CallId, version: num(row.version) }))
      }),
    snapshot: (callId) =>
      op(async () => {
        Limits.id('callId', callId)
        const rows = await q(`SELECT version, state FROM ${S}.snapshots WHERE call_id = $1`, [
          callId,
        ])
        const row = rows[0]
        return row === undefined
          ? Option.none()
          : Option.some({ version: num(row.version), state: json(row.state) })
      }),
  }

  const leased = async (
    text: string,
    id: string,
    owner: string,
    params: ReadonlyArray<unknown>,
  ) => {
    Limits.id('id', id)
    Limits.id('owner', owner)
    if (!Limits.outboxId.test(id)) throw new StoreLeaseError({ id, owner })
    const rows = await q(text, [id, owner, ...params])
    if (rows.length === 0) throw new StoreLeaseError({ id, owner })
  }

  interface Release {
    readonly id: string
    readonly owner: string
    /** For a reschedule. */
    readonly next?: { readonly dueAt: number; readonly error: string }
  }

  /** Checks an id and owner; an id that names no item fails with StoreLeaseError. */
  const release = (id: string, owner: string, next?: Release['next']): Release => {
    Limits.id('id', id)
    Limits.id('owner', owner)
    if (!Limits.outboxId.test(id)) throw new StoreLeaseError({ id, owner })
    return next === undefined ? { id, owner } : { id, owner, next }
  }

  const ackText = `DELETE FROM ${S}.outbox WHERE id = $1::bigint AND lease_owner = $2 AND dead_reason IS NULL RETURNING id`
  const rescheduleText = `UPDATE ${S}.outbox SET attempts = attempts + 1, last_error = $3, due_at = $4::bigint,
             lease_owner = NULL, lease_until = NULL
           WHERE id = $1::bigint AND lease_owner = $2 AND dead_reason IS NULL RETURNING id`

  /**
   * Several acknowledgements (or reschedules) in one statement. Each holds only if its owner
   * holds the item's lease; the statement returns the ids it touched, and every other one
   * fails with StoreLeaseError alone. The second of two releases of one id in a batch fails
   * as it would have after the first.
   */
  const releaseMany =
    (text: string, one: (r: Release) => Promise<void>) =>
    async (rs: ReadonlyArray<Release>): Promise<ReadonlyArray<GroupCommit.Settled<void>>> => {
      const first = new Set<string>()
      const sent = rs.filter((r) => !first.has(r.id) && first.add(r.id) !== undefined)
      let rows: ReadonlyArray<Row>
      try {
        rows = await q(text, [
          JSON.stringify(
            sent.map((r) => ({
              id: r.id,
              owner: r.owner,
              error: r.next?.error,
              due: r.next?.dueAt,
            })),
          ),
        ])
      } catch (e) {
        if (!serverError(e)) throw e
        const out: Array<GroupCommit.Settled<void>> = []
        for (const r of rs)
          out.push(
            await one(r).then(
              () => ({ ok: true, value: undefined }),
              (error: unknown) => ({ ok: false, error }),
            ),
          )
        return out
      }
      const held = new Set(rows.map((row) => String(row.id)))
      const seen = new Set<string>()
      return rs.map((r) => {
        const ok = !seen.has(r.id) && held.has(r.id)
        seen.add(r.id)
        return ok
          ? { ok: true, value: undefined }
          : { ok: false, error: new StoreLeaseError({ id: r.id, owner: r.owner }) }
      })
    }

  // Acknowledgements and reschedules are sent at once when the slot is free, even on PGlite:
  // a worker acknowledges what it claimed together, so they queue by themselves, and waiting a
  // turn before each round of them cost PGlite's claim+ack loop two thirds of its rate.
  const releases = { ...grouping, gather: false }
  const ackOne = (r: Release) => leased(ackText, r.id, r.owner, [])
  const groupedAck = GroupCommit.make(
    releases,
    ackOne,
    releaseMany(
      `DELETE FROM ${S}.outbox o USING json_to_recordset($1::json) AS a(id bigint, owner text)
       WHERE o.id = a.id AND o.lease_owner = a.owner AND o.dead_reason IS NULL RETURNING o.id`,
      ackOne,
    ),
  )
  const rescheduleOne = (r: Release) =>
    leased(rescheduleText, r.id, r.owner, [r.next?.error, r.next?.dueAt])
  const groupedReschedule = GroupCommit.make(
    releases,
    rescheduleOne,
    releaseMany(
      `UPDATE ${S}.outbox o SET attempts = o.attempts + 1, last_error = a.error, due_at = a.due,
         lease_owner = NULL, lease_until = NULL
       FROM json_to_recordset($1::json) AS a(id bigint, owner text, error text, due bigint)
       WHERE o.id = a.id AND o.lease_owner = a.owner AND o.dead_reason IS NULL RETURNING o.id`,
      rescheduleOne,
    ),
  )

  const outbox: OutboxService = {
    claim: (request) =>
      op(async () => {
        const owner = Limits.id('owner', request.owner)
        const limit = Limits.count('limit', request.limit, 0)
        const leaseMs = Limits.count('leaseMs', request.leaseMs, 1)
        const now = Limits.instant('now', request.now)
        const kinds =
          request.kinds === undefined
            ? null
            : JSON.stringify(
                Limits.array<string>('kinds', request.kinds).map((k) => Limits.id('kinds', k)),
              )
        if (limit === 0) return []
        const rows = await q(
          `SELECT * FROM ${S}.outbox_claim($1, $2::bigint, $3::bigint, $4::bigint, $5::json)`,
          [owner, now, leaseMs, limit, kinds],
        )
        return rows.map(toItem).sort((a, b) => a.dueAt - b.dueAt || num(a.id) - num(b.id))
      }),
    ack: (id, owner) => op(() => groupedAck(release(id, owner))),
    reschedule: (id, owner, next) =>
      op(() =>
        groupedReschedule(
          release(id, owner, {
            dueAt: Limits.instant('dueAt', next.dueAt),
            error: Limits.text('error', next.error),
          }),
          next.error.length,
        ),
      ),
    deadLetter: (id, owner, reason) =>
      op(async () => {
        const why = Limits.text('reason', reason)
        await leased(
          `UPDATE ${S}.outbox SET dead_reason = $3, lease_owner = NULL, lease_until = NULL
           WHERE id = $1::bigint AND lease_owner = $2 AND dead_reason IS NULL RETURNING id`,
          id,
          owner,
          [why],
        )
      }),
    listDeadLetters: (options) =>
      op(async () => {
        const limit = Limits.count('limit', options?.limit ?? 100, 0)
        const rows = await q(
          `SELECT * FROM ${S}.outbox WHERE dead_reason IS NOT NULL ORDER BY id LIMIT $1::bigint`,
          [limit],
        )
        return rows.map((r): DeadLetter => ({ ...toItem(r), reason: r.dead_reason as string }))
      }),
    redrive: (id, now) =>
      op(async () => {
        Limits.id('id', id)
        const at = Limits.instant('now', now)
        const rows = Limits.outboxId.test(id)
          ? await q(
              `UPDATE ${S}.outbox SET dead_reason = NULL, attempts = 0, last_error = NULL, due_at = $2::bigint,
                 lease_owner = NULL, lease_until = NULL
               WHERE id = $1::bigint AND dead_reason IS NOT NULL RETURNING id`,
              [id, at],
            )
          : []
        if (rows.length === 0) throw new StoreNotFoundError({ what: 'dead letter', id })
      }),
    pending: (options) =>
      op(async () => {
        const callId = options?.callId === undefined ? null : Limits.id('callId', options.callId)
        const limit = options?.limit === undefined ? null : Limits.count('limit', options.limit, 0)
        const rows = await q(
          `SELECT * FROM ${S}.outbox WHERE dead_reason IS NULL AND ($1::text IS NULL OR call_id = $1::text)
           ORDER BY id LIMIT $2::bigint`,
          [callId, limit],
        )
        return rows.map(toItem)
      }),
  }

  const idempotency: IdempotencyService = {
    get: (key, now) =>
      op(async () => {
        Limits.id('key', key)
        const at = Limits.instant('now', now)
        const rows = await q(
          `SELECT key, request_hash, response, at FROM ${S}.idempotency
           WHERE key = $1 AND at + $2::bigint > $3::bigint`,
          [key, limits.idempotencyWindowMs, at],
        )
        const row = rows[0]
        return row === undefined
          ? Option.none()
          : Option.some({
              key: row.key as string,
              requestHash: row.request_hash as string,
              response: json(row.response),
              at: num(row.at),
            })
      }),
    put: (record) =>
      op(async () => {
        const r = Limits.record(record, limits)
        const rows = await q(
          `INSERT INTO ${S}.idempotency AS i (key, request_hash, response, at)
           VALUES ($1, $2, $3::json, $4::bigint)
           ON CONFLICT (key) DO UPDATE SET request_hash = EXCLUDED.request_hash,
             response = EXCLUDED.response, at = EXCLUDED.at
           WHERE i.at + $5::bigint <= EXCLUDED.at
           RETURNING 1`,
          [r.key, r.requestHash, r.response, r.at, limits.idempotencyWindowMs],
        )
        if (rows.length > 0) return
        const live = await q(`SELECT request_hash FROM ${S}.idempotency WHERE key = $1`, [r.key])
        if (live[0]?.request_hash === r.requestHash) return
        throw new StoreDuplicateError({ what: 'idempotency', ids: [r.key] })
      }),
    purge: (now) =>
      op(async () => {
        const at = Limits.instant('now', now)
        const rows = await q(
          `WITH d AS (DELETE FROM ${S}.idempotency WHERE at + $1::bigint <= $2::bigint RETURNING 1)
           SELECT count(*) AS n FROM d`,
          [limits.idempotencyWindowMs, at],
        )
        return num(rows[0]?.n ?? 0)
      }),
  }

  const timerRows = (rows: ReadonlyArray<Row>) =>
    rows.map((r) => ({ callId: r.call_id as CallId, deadline: num(r.deadline) }))
  const timers: TimersService = {
    due: (now) =>
      op(async () =>
        timerRows(
          await q(
            `SELECT call_id, deadline FROM ${S}.calls WHERE deadline <= $1::bigint
             ORDER BY deadline, call_id COLLATE "C"`,
            [Limits.instant('now', now)],
          ),
        ),
      ),
    all: () =>
      op(async () =>
        timerRows(
          await q(
            `SELECT call_id, deadline FROM ${S}.calls WHERE deadline IS NOT NULL
             ORDER BY deadline, call_id COLLATE "C"`,
          ),
        ),
      ),
  }

  return {
    events,
    outbox,
    idempotency,
    timers,
    inbox: {
      has: (id) =>
        op(async () => {
          Limits.id('id', id)
          return (await q(`SELECT 1 AS one FROM ${S}.inbox WHERE id = $1`, [id])).length > 0
        }),
    },
    close: () =>
      Effect.promise(() => {
        closed = true
        closing ??= Promise.allSettled([...inFlight])
          .then(() => driver.close())
          .catch(() => undefined)
        return closing
      }),
  }
}
