/**
 * Versioned schema migrations, shared by PGlite and PostgreSQL. Each is applied once, in order,
 * inside the transaction that records it in `schema_migrations`. `S` stands for the quoted
 * schema name. Never edit an applied migration: add the next one.
 */
export interface Migration {
  readonly version: number
  readonly name: string
  readonly sql: (schema: string) => string
}

export const all: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: 'event log, outbox, inbox, idempotency, timers, snapshots',
    sql: (S) => `
CREATE TABLE ${S}.calls (
  call_id     text PRIMARY KEY,
  version     integer NOT NULL CHECK (version >= 0),
  outbox_seq  integer NOT NULL DEFAULT 0,
  deadline    bigint
);
CREATE INDEX calls_deadline ON ${S}.calls (deadline) WHERE deadline IS NOT NULL;

CREATE TABLE ${S}.events (
  call_id  text    NOT NULL,
  version  integer NOT NULL CHECK (version >= 1),
  type     text    NOT NULL,
  at       bigint  NOT NULL,
  payload  json    NOT NULL,
  PRIMARY KEY (call_id, version)
);

CREATE TABLE ${S}.snapshots (
  call_id  text PRIMARY KEY,
  version  integer NOT NULL,
  state    json NOT NULL
);

CREATE TABLE ${S}.outbox (
  id           bigserial PRIMARY KEY,
  call_id      text    NOT NULL,
  seq          integer NOT NULL,
  kind         text    NOT NULL,
  payload      json    NOT NULL,
  due_at       bigint  NOT NULL,
  attempts     integer NOT NULL DEFAULT 0,
  last_error   text,
  lease_owner  text,
  lease_until  bigint,
  dead_reason  text,
  UNIQUE (call_id, seq)
);
CREATE INDEX outbox_due ON ${S}.outbox (due_at, id) WHERE dead_reason IS NULL;
-- The claim asks, for each candidate, whether an earlier live item of its call exists.
CREATE INDEX outbox_live ON ${S}.outbox (call_id, seq) WHERE dead_reason IS NULL;

CREATE TABLE ${S}.inbox (
  id       text PRIMARY KEY,
  call_id  text NOT NULL
);

CREATE TABLE ${S}.idempotency (
  key           text   PRIMARY KEY,
  request_hash  text   NOT NULL,
  response      json   NOT NULL,
  at            bigint NOT NULL
);

-- Raises a typed failure from inside a statement, so the whole statement rolls back.
CREATE FUNCTION ${S}.store_fail(code text, msg text) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = code, MESSAGE = msg;
END
$$;
`,
  },
  {
    version: 2,
    name: 'outbox claim as a function planned to walk outbox_due in order',
    // The claim wants the first `p_limit` claimable items in (due_at, id) order. Without column
    // statistics (a young or busy outbox that autovacuum has not analysed yet) the planner
    // estimates a handful of rows and picks a bitmap scan of every due item, tests each one
    // (lease, head of its call) and sorts them all: the cost of a claim grows with the outbox
    // (8 ms for 16 items out of 4,400). Walking outbox_due in order stops after `p_limit` hits
    // (1 ms). The function pins that plan (enable_sort off: the order can only come from the
    // index) and, being PL/pgSQL, keeps it prepared per connection. Same semantics as before.
    sql: (S) => `
CREATE FUNCTION ${S}.outbox_claim(p_owner text, p_now bigint, p_lease_ms bigint, p_limit bigint, p_kinds json)
RETURNS SETOF ${S}.outbox LANGUAGE plpgsql SET enable_sort = off AS $$
BEGIN
  RETURN QUERY
  UPDATE ${S}.outbox o SET lease_owner = p_owner, lease_until = p_now + p_lease_ms
  WHERE o.id IN (
    SELECT c.id FROM ${S}.outbox c
    WHERE c.dead_reason IS NULL AND c.due_at <= p_now
      AND (c.lease_until IS NULL OR c.lease_until <= p_now)
      AND (p_kinds IS NULL OR c.kind IN (SELECT json_array_elements_text(p_kinds)))
      AND c.seq = (
        SELECT min(p.seq) FROM ${S}.outbox p
        WHERE p.call_id = c.call_id AND p.dead_reason IS NULL)
    ORDER BY c.due_at, c.id
    LIMIT p_limit
    FOR UPDATE SKIP LOCKED)
  RETURNING o.*;
END
$$;
`,
  },
  {
    version: 3,
    name: 'group commit: append_batch, several appends in one transaction',
    // Appends that arrive while another is under way are sent together (see SqlStore) and
    // applied here one after the other, in the order given, each with exactly the checks of a
    // lone append and in the same order: inbox ids already recorded, then the expected version,
    // then a live idempotency key. A refused request writes nothing and does not disturb the
    // others: every check is made before the request writes anything, and the version bump is
    // guarded (UPDATE ... WHERE version = expected), so a writer that slips in between is
    // caught there, still before anything is written. What can only be discovered by writing
    // (an inbox id or idempotency key inserted at the same moment by another transaction, an
    // event version taken outside the calls row) raises and rolls the whole batch back; the
    // store then applies its requests one by one with the single-append statement. No
    // subtransaction per request (no EXCEPTION block): they cost and, past 64 in one
    // transaction, slow every other session's snapshots. Returns one row per request:
    // outcome 'ok' (detail: [[outbox id, seq], ...] or null), 'conflict' (actual: the current
    // version), 'inbox' (detail: the ids already recorded) or 'idempotency'. json_to_recordset
    // reads a JSON null as SQL NULL, hence the coalesce of every json value.
    sql: (S) => `
CREATE FUNCTION ${S}.append_batch(p_requests json, p_window bigint)
RETURNS TABLE (req integer, outcome text, actual integer, detail json)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
  r record;
  v_cur integer;
  v_base integer;
  v_out json;
BEGIN
  FOR r IN SELECT * FROM json_to_recordset(p_requests) AS x(
      i integer, c text, e integer, n integer, ev json, k integer, ob json, ts boolean, t bigint,
      sv integer, ss json, ib json, ik text, ih text, ir json, ia bigint)
  LOOP
    req := r.i;
    actual := NULL;
    detail := NULL;
    IF r.ib IS NOT NULL THEN
      SELECT json_agg(x ORDER BY x COLLATE "C") INTO detail
      FROM json_array_elements_text(r.ib) AS x
      WHERE EXISTS (SELECT 1 FROM ${S}.inbox b WHERE b.id = x);
      IF detail IS NOT NULL THEN
        outcome := 'inbox';
        RETURN NEXT;
        CONTINUE;
      END IF;
    END IF;
    IF r.ik IS NOT NULL THEN
      -- A stale version is reported before a live key.
      SELECT version INTO v_cur FROM ${S}.calls WHERE call_id = r.c;
      IF coalesce(v_cur, 0) <> r.e THEN
        outcome := 'conflict';
        actual := coalesce(v_cur, 0);
        RETURN NEXT;
        CONTINUE;
      END IF;
      IF EXISTS (SELECT 1 FROM ${S}.idempotency WHERE key = r.ik AND at + p_window > r.ia) THEN
        outcome := 'idempotency';
        RETURN NEXT;
        CONTINUE;
      END IF;
    END IF;
    IF r.e = 0 THEN
      INSERT INTO ${S}.calls AS c (call_id, version, outbox_seq, deadline)
      VALUES (r.c, r.n, r.k, CASE WHEN r.ts THEN r.t END)
      ON CONFLICT (call_id) DO UPDATE SET version = EXCLUDED.version,
        outbox_seq = c.outbox_seq + EXCLUDED.outbox_seq,
        deadline = CASE WHEN r.ts THEN EXCLUDED.deadline ELSE c.deadline END
      WHERE c.version = 0
      RETURNING c.outbox_seq - r.k INTO v_base;
    ELSE
      UPDATE ${S}.calls SET version = r.e + r.n, outbox_seq = outbox_seq + r.k,
        deadline = CASE WHEN r.ts THEN r.t ELSE deadline END
      WHERE call_id = r.c AND version = r.e
      RETURNING outbox_seq - r.k INTO v_base;
    END IF;
    IF NOT FOUND THEN
      SELECT version INTO v_cur FROM ${S}.calls WHERE call_id = r.c;
      outcome := 'conflict';
      actual := coalesce(v_cur, 0);
      RETURN NEXT;
      CONTINUE;
    END IF;
    IF r.ev IS NOT NULL THEN
      INSERT INTO ${S}.events (call_id, version, type, at, payload)
      SELECT r.c, r.e + e.n, e.type, e.at, coalesce(e.payload, 'null')
      FROM ROWS FROM (json_to_recordset(r.ev) AS (type text, at bigint, payload json))
        WITH ORDINALITY AS e(type, at, payload, n);
    END IF;
    v_out := NULL;
    IF r.ob IS NOT NULL THEN
      WITH o AS (
        INSERT INTO ${S}.outbox (call_id, seq, kind, payload, due_at)
        SELECT r.c, v_base + e.n, e.kind, coalesce(e.payload, 'null'), e.d
        FROM ROWS FROM (json_to_recordset(r.ob) AS (kind text, payload json, d bigint))
          WITH ORDINALITY AS e(kind, payload, d, n)
        RETURNING id, seq)
      SELECT json_agg(json_build_array(id::text, seq) ORDER BY seq) INTO v_out FROM o;
    END IF;
    IF r.sv IS NOT NULL THEN
      INSERT INTO ${S}.snapshots (call_id, version, state) VALUES (r.c, r.sv, coalesce(r.ss, 'null'))
      ON CONFLICT (call_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state;
    END IF;
    IF r.ib IS NOT NULL THEN
      -- Checked above: a unique violation here is a concurrent writer; the batch is retried
      -- request by request.
      INSERT INTO ${S}.inbox (id, call_id) SELECT x, r.c FROM json_array_elements_text(r.ib) AS x;
    END IF;
    IF r.ik IS NOT NULL THEN
      INSERT INTO ${S}.idempotency AS i (key, request_hash, response, at)
      VALUES (r.ik, r.ih, coalesce(r.ir, 'null'), r.ia)
      ON CONFLICT (key) DO UPDATE SET request_hash = EXCLUDED.request_hash,
        response = EXCLUDED.response, at = EXCLUDED.at
      WHERE i.at + p_window <= EXCLUDED.at;
      IF NOT FOUND THEN
        PERFORM ${S}.store_fail('SB003', 'idempotency key is live');
      END IF;
    END IF;
    outcome := 'ok';
    actual := r.e + r.n;
    detail := v_out;
    RETURN NEXT;
  END LOOP;
END
$$;
`,
  },
  {
    version: 4,
    name: 'append_batch set-based: one statement per round of independent requests',
    // Replaces migration 3's function (same name, same outcomes, new arguments). That one
    // applied the requests one after the other with several statements each, and its inbox
    // check (EXISTS over json_array_elements_text) was planned as a hash join over a sequential
    // scan of the whole inbox: its cost grew with the inbox (460 us of server CPU per
    // single-event append at 10,000 recorded ids). This one takes the requests as parallel
    // arrays (the JSON values of a column as one JSON array; events, outbox items and inbox ids
    // flattened, each naming its request by position) and applies them in rounds: the client puts two
    // requests that share a call, an inbox id or an idempotency key in successive rounds (in
    // the order they must be applied), so within a round the requests are independent and one
    // statement checks and writes them all: the inbox ids already recorded, the versions and
    // live keys of keyed requests, the guarded version bump of every call at once, then the
    // events, outbox items, snapshots, inbox ids and idempotency records of the requests whose
    // bump held, one INSERT each. Each round's statement sees the rounds before it. Every
    // table is reached through its key, by a per-row subquery or a join bounded by `= ANY` of
    // the batch's keys, and sequential scans and nested loops are off for the function: the
    // plans are cached per connection, made while the tables may still be empty, and must not
    // degrade to a scan of a grown table nor join the batch's own rows in a quadratic loop.
    // The existing calls rows are locked first, in call-id order, so that two processes'
    // batches wait for each other rather than deadlock. Outcomes per request as before: 'ok' (actual: the new version; detail:
    // [[outbox id, seq], ...] or null), 'conflict' (actual: the current version, or null when
    // the guarded bump lost a race to another transaction and the caller must read it),
    // 'inbox' (detail: the ids already recorded) or 'idempotency'. What can only be found by
    // writing (an inbox id or live key inserted at the same moment elsewhere) raises, as before.
    sql: (S) => `
DROP FUNCTION ${S}.append_batch(json, bigint);
CREATE FUNCTION ${S}.append_batch(
  p_call text[], p_expected integer[], p_count integer[], p_items integer[],
  p_timer_set boolean[], p_timer bigint[], p_snap_version integer[], p_snap_state json,
  p_key text[], p_hash text[], p_response json, p_key_at bigint[], p_round integer[],
  p_ev_req integer[], p_ev_version integer[], p_ev_type text[], p_ev_at bigint[], p_ev_payload json,
  p_ob_req integer[], p_ob_n integer[], p_ob_kind text[], p_ob_payload json, p_ob_due bigint[],
  p_ib_req integer[], p_ib_id text[],
  p_window bigint, p_rounds integer)
RETURNS TABLE (req integer, outcome text, actual integer, detail json)
LANGUAGE plpgsql SET enable_seqscan = off SET enable_nestloop = off AS $$
#variable_conflict use_column
BEGIN
  -- Lock the existing calls rows of the batch in one order (call id), as every batch does, so
  -- two processes' batches over the same calls wait for each other instead of deadlocking.
  PERFORM 1 FROM ${S}.calls WHERE call_id = ANY(p_call) ORDER BY call_id FOR UPDATE;
  FOR v_round IN 1..p_rounds LOOP
    RETURN QUERY
    WITH r AS (
      SELECT * FROM ROWS FROM (unnest(p_call), unnest(p_expected), unnest(p_count),
          unnest(p_items), unnest(p_timer_set), unnest(p_timer), unnest(p_snap_version),
          json_array_elements(p_snap_state), unnest(p_key), unnest(p_hash),
          json_array_elements(p_response), unnest(p_key_at), unnest(p_round))
        WITH ORDINALITY AS r(c, e, n, k, ts, t, sv, ss, ik, ih, ir, ia, rd, j)
      WHERE rd = v_round),
    ib AS (
      SELECT u.j::bigint AS j, u.id FROM unnest(p_ib_req, p_ib_id) AS u(j, id)
      WHERE p_round[u.j] = v_round),
    dup AS (
      SELECT ib.j, json_agg(ib.id ORDER BY ib.id COLLATE "C") AS ids FROM ib
      WHERE (SELECT true FROM ${S}.inbox b WHERE b.id = ib.id)
      GROUP BY ib.j),
    chk AS (
      SELECT r.*, d.ids AS dup,
        CASE WHEN r.ik IS NOT NULL AND d.j IS NULL
          THEN coalesce((SELECT x.version FROM ${S}.calls x WHERE x.call_id = r.c), 0) END AS cur,
        CASE WHEN r.ik IS NOT NULL AND d.j IS NULL
          THEN EXISTS (SELECT 1 FROM ${S}.idempotency i WHERE i.key = r.ik AND i.at + p_window > r.ia)
        END AS live
      FROM r LEFT JOIN dup d ON d.j = r.j),
    go AS (SELECT * FROM chk WHERE dup IS NULL AND (ik IS NULL OR (cur = e AND NOT live))),
    upd AS (
      UPDATE ${S}.calls c SET version = g.e + g.n, outbox_seq = c.outbox_seq + g.k,
        deadline = CASE WHEN g.ts THEN g.t ELSE c.deadline END
      FROM go g
      WHERE c.call_id = g.c AND c.version = g.e AND g.e > 0 AND c.call_id = ANY(p_call)
      RETURNING g.j, c.outbox_seq - g.k AS base),
    ins AS (
      INSERT INTO ${S}.calls AS c (call_id, version, outbox_seq, deadline)
      SELECT g.c, g.n, g.k, CASE WHEN g.ts THEN g.t END FROM go g WHERE g.e = 0
      ON CONFLICT (call_id) DO UPDATE SET version = EXCLUDED.version,
        outbox_seq = c.outbox_seq + EXCLUDED.outbox_seq,
        deadline = CASE WHEN (SELECT g.ts FROM go g WHERE g.c = EXCLUDED.call_id)
          THEN EXCLUDED.deadline ELSE c.deadline END
      WHERE c.version = 0
      RETURNING c.call_id, c.outbox_seq),
    bump AS (
      SELECT j, base FROM upd
      UNION ALL
      SELECT g.j, n.outbox_seq - g.k FROM ins n JOIN go g ON g.c = n.call_id),
    ev AS (
      INSERT INTO ${S}.events (call_id, version, type, at, payload)
      SELECT p_call[u.j], u.v, u.type, u.at, u.payload
      FROM ROWS FROM (unnest(p_ev_req), unnest(p_ev_version), unnest(p_ev_type), unnest(p_ev_at),
        json_array_elements(p_ev_payload)) AS u(j, v, type, at, payload)
      JOIN bump b ON b.j = u.j),
    ob AS (
      INSERT INTO ${S}.outbox (call_id, seq, kind, payload, due_at)
      SELECT p_call[u.j], b.base + u.n, u.kind, u.payload, u.due
      FROM ROWS FROM (unnest(p_ob_req), unnest(p_ob_n), unnest(p_ob_kind),
        json_array_elements(p_ob_payload), unnest(p_ob_due)) AS u(j, n, kind, payload, due)
      JOIN bump b ON b.j = u.j
      RETURNING id, call_id, seq),
    obj AS (
      SELECT call_id, json_agg(json_build_array(id::text, seq) ORDER BY seq) AS items
      FROM ob GROUP BY call_id),
    sn AS (
      INSERT INTO ${S}.snapshots (call_id, version, state)
      SELECT g.c, g.sv, g.ss FROM go g JOIN bump b ON b.j = g.j WHERE g.sv IS NOT NULL
      ON CONFLICT (call_id) DO UPDATE SET version = EXCLUDED.version, state = EXCLUDED.state),
    inb AS (
      INSERT INTO ${S}.inbox (id, call_id)
      SELECT ib.id, p_call[ib.j] FROM ib JOIN bump b ON b.j = ib.j),
    idem AS (
      INSERT INTO ${S}.idempotency AS i (key, request_hash, response, at)
      SELECT g.ik, g.ih, g.ir, g.ia FROM go g JOIN bump b ON b.j = g.j WHERE g.ik IS NOT NULL
      ON CONFLICT (key) DO UPDATE SET request_hash = EXCLUDED.request_hash,
        response = EXCLUDED.response, at = EXCLUDED.at
      WHERE i.at + p_window <= EXCLUDED.at
      RETURNING key)
    SELECT x.j::integer,
      CASE
        WHEN x.dup IS NOT NULL THEN 'inbox'
        WHEN x.cur <> x.e OR b.j IS NULL AND NOT x.live IS TRUE THEN 'conflict'
        WHEN x.live THEN 'idempotency'
        WHEN x.ik IS NOT NULL AND NOT EXISTS (SELECT 1 FROM idem WHERE idem.key = x.ik)
          THEN ${S}.store_fail('SB003', 'idempotency key is live')::text
        ELSE 'ok'
      END,
      CASE
        WHEN x.dup IS NOT NULL OR x.live AND x.cur = x.e THEN NULL
        WHEN x.cur <> x.e THEN x.cur
        WHEN b.j IS NULL
          THEN nullif(coalesce((SELECT y.version FROM ${S}.calls y WHERE y.call_id = x.c), 0), x.e)
        ELSE x.e + x.n
      END,
      CASE WHEN x.dup IS NOT NULL THEN x.dup WHEN b.j IS NOT NULL THEN o.items END
    FROM chk x LEFT JOIN bump b ON b.j = x.j LEFT JOIN obj o ON o.call_id = x.c;
  END LOOP;
END
$$;
`,
  },
]
