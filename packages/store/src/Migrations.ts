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
]
