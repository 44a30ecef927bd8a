-- Fewer index entries per write.
--
-- Many kinds have no stage (achievements, experts, organisations, …), and
-- each of their records had an index entry for the empty stage that no
-- query reads. Queries by stage say "stage <> ''" so that SQLite may use
-- this partial index.
DROP INDEX records_stage;
CREATE INDEX records_stage ON records (kind, stage, id) WHERE stage <> '';

-- A record's history is found by its ID; the kind is checked on the row.
-- One text column less in every event's index entry.
DROP INDEX events_record;
CREATE INDEX events_record ON events (record_id, seq);
