package sqlitestore

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kexie/techbroker/broker/driver"
)

// TestKeyQueriesUseTheKeyIndex guards the plans of the store's own queries
// on a de-duplication key: without the key index they would walk every
// record of the kind.
func TestKeyQueriesUseTheKeyIndex(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "broker.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	list, listArgs := listSQL(&driver.Query{Kind: "achievement", Key: "k", Limit: 10})
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{list, listArgs},
		{findKeysSQL(2), []any{"achievement", "a", "b"}},
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
		if !strings.Contains(plan.String(), "USING INDEX records_key (key=?)") {
			t.Errorf("%s: plan %q does not search records_key by key", q.sql, plan.String())
		}
	}
}
