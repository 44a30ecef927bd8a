-- The de-duplication key index holds the key alone. Keys are hashes, so
-- a (kind, key, id) entry spent most of its length, and of every
-- comparison, on a kind that is the same for all of them, while random
-- keys land all over the index: a bulk import spent a third of its write
-- time there. Queries on a key check the kind on the few rows they find
-- and name this index (INDEXED BY), so the planner cannot walk a whole
-- kind in ID order instead.
DROP INDEX records_key;
CREATE INDEX records_key ON records (key) WHERE key <> '';

-- The (kind, updated) index goes: the library filters on Updated only
-- together with a broker (stale cases), which the broker index serves,
-- and every write paid for it. A query on UpdatedBefore alone walks the
-- kind in ID order.
DROP INDEX records_updated;
