-- Cheaper writes, measured on bulk imports of 100,000 records.
--
-- The indexed text columns compare byte-wise (COLLATE "C", as id already
-- does): they are codes and hashes, only ever compared for equality, and a
-- locale's collation made every index comparison a strcoll call. About 8%
-- faster COPY.
ALTER TABLE records
	ALTER COLUMN kind   TYPE text COLLATE "C",
	ALTER COLUMN broker TYPE text COLLATE "C",
	ALTER COLUMN stage  TYPE text COLLATE "C",
	ALTER COLUMN key    TYPE text COLLATE "C";
ALTER TABLE events
	ALTER COLUMN kind      TYPE text COLLATE "C",
	ALTER COLUMN record_id TYPE text COLLATE "C";

-- The (kind, updated) index goes: the library filters on updated only
-- together with a broker (stale cases), which records_broker serves, and
-- every write paid for it. About 15% faster COPY.
DROP INDEX records_updated;
