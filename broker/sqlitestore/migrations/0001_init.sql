-- Records: one row per document, with the indexed fields as columns and the
-- JSON body kept byte for byte. Times are integer microseconds since the
-- Unix epoch, UTC.
CREATE TABLE records (
	kind    TEXT    NOT NULL,
	id      TEXT    NOT NULL,
	version INTEGER NOT NULL,
	broker  TEXT    NOT NULL DEFAULT '',
	stage   TEXT    NOT NULL DEFAULT '',
	key     TEXT    NOT NULL DEFAULT '',
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL,
	body    BLOB,
	PRIMARY KEY (kind, id)
);
CREATE INDEX records_broker  ON records (kind, broker, id);
CREATE INDEX records_stage   ON records (kind, stage, id);
CREATE INDEX records_key     ON records (kind, key, id) WHERE key <> '';
CREATE INDEX records_updated ON records (kind, updated);

-- Events: the append-only log. AUTOINCREMENT never reuses a sequence
-- number, even after the newest event is gone; with one writer connection
-- sequence order is commit order.
CREATE TABLE events (
	seq       INTEGER PRIMARY KEY AUTOINCREMENT,
	kind      TEXT    NOT NULL,
	record_id TEXT    NOT NULL,
	type      TEXT    NOT NULL,
	actor     TEXT    NOT NULL DEFAULT '',
	time      INTEGER NOT NULL,
	body      BLOB
);
CREATE INDEX events_record ON events (kind, record_id, seq);
