package sqlitestore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kexie/techbroker/broker/driver"
)

// TestQueriesUseTheirIndexes guards the plans of the store's own queries
// that rest on a partial or narrowed index: on a de-duplication key
// (without the key index they would walk every record of the kind), by
// stage (a partial index serves only a query that implies its predicate)
// and a record's history.
func TestQueriesUseTheirIndexes(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "broker.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	byKey, byKeyArgs := listSQL(&driver.Query{Kind: "achievement", Key: "k", Limit: 10})
	byStage, byStageArgs := listSQL(&driver.Query{Kind: "case", Stage: "screened", Limit: 10})
	history, historyArgs := eventsSQL(&driver.EventQuery{Kind: "case", RecordID: "case-1"})
	for _, q := range []struct {
		sql  string
		args []any
		want string
	}{
		{byKey, byKeyArgs, "USING INDEX records_key (key=?)"},
		{findKeysSQL(2), []any{"achievement", "a", "b"}, "USING INDEX records_key (key=?)"},
		{byStage, byStageArgs, "USING INDEX records_stage (kind=? AND stage=?)"},
		{history, historyArgs, "USING INDEX events_record (record_id=?"},
	} {
		rows, err := s.r.QueryContext(context.Background(), `EXPLAIN QUERY PLAN `+q.sql, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", q.sql, err)
		}
		var plan strings.Builder
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan.WriteString(detail + "; ")
		}
		rows.Close()
		if !strings.Contains(plan.String(), q.want) {
			t.Errorf("%s: plan %q does not have %q", q.sql, plan.String(), q.want)
		}
	}
}
