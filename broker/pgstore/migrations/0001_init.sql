-- Records: one row per document. The indexed fields are columns; the body
-- is PostgreSQL's json type, which validates the document and keeps its
-- text byte for byte (jsonb would reorder keys and reformat numbers and
-- spaces; cast with body::jsonb to use jsonb operators or indexes).
-- IDs sort byte-wise (COLLATE "C") whatever the database's locale.
CREATE TABLE records (
	kind    text        NOT NULL,
	id      text        COLLATE "C" NOT NULL,
	version bigint      NOT NULL,
	broker  text        NOT NULL DEFAULT '',
	stage   text        NOT NULL DEFAULT '',
	key     text        NOT NULL DEFAULT '',
	created timestamptz NOT NULL,
	updated timestamptz NOT NULL,
	body    json,
	PRIMARY KEY (kind, id)
);
CREATE INDEX records_broker  ON records (kind, broker, id);
CREATE INDEX records_stage   ON records (kind, stage, id);
CREATE INDEX records_key     ON records (kind, key, id) WHERE key <> '';
CREATE INDEX records_updated ON records (kind, updated);

-- Events: the append-only log. Sequence numbers are taken at commit under
-- a transaction-level advisory lock, so seq order is commit order.
CREATE TABLE events (
	seq       bigserial   PRIMARY KEY,
	kind      text        NOT NULL,
	record_id text        NOT NULL,
	type      text        NOT NULL,
	actor     text        NOT NULL DEFAULT '',
	time      timestamptz NOT NULL,
	body      json
);
CREATE INDEX events_record ON events (kind, record_id, seq);

CREATE FUNCTION events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION 'events are append-only: % is not allowed', TG_OP;
END;
$$;
CREATE TRIGGER events_append_only BEFORE UPDATE OR DELETE ON events
	FOR EACH ROW EXECUTE FUNCTION events_append_only();
CREATE TRIGGER events_no_truncate BEFORE TRUNCATE ON events
	FOR EACH STATEMENT EXECUTE FUNCTION events_append_only();
