package driver_test

import (
	"strings"
	"testing"

	"github.com/kexie/techbroker/broker/driver"
)

func TestBatchCheck(t *testing.T) {
	rec := driver.Record{Kind: "achievement", ID: "a1"}
	ev := driver.Event{Kind: "achievement", RecordID: "a1", Type: "imported"}
	for _, tc := range []struct {
		name string
		b    driver.Batch
		want string // "" for no error, else a part of it
	}{
		{"empty", driver.Batch{}, ""},
		{"good", driver.Batch{Records: []driver.Record{rec}, Events: []driver.Event{ev}}, ""},
		{"no id", driver.Batch{Records: []driver.Record{rec, {Kind: "achievement"}}}, "record 1"},
		{"no kind", driver.Batch{Records: []driver.Record{{ID: "a2"}}}, "record 0"},
		{"event without type", driver.Batch{Events: []driver.Event{ev, {Kind: "achievement", RecordID: "a1"}}}, "event 1"},
	} {
		err := tc.b.Check()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: got %v, want no error", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want an error naming %q", tc.name, err, tc.want)
		}
	}
}
