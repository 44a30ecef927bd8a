package broker_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"

	"github.com/kexie/techbroker/broker"
)

// BenchmarkMergeOrganizations merges a duplicate referenced by 100 of 1,000
// achievements (a full scan of every referring kind, one transaction).
func BenchmarkMergeOrganizations(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		sys, _ := evSystem(b)
		keep := evOrg(b, sys, "上海海洋大学", broker.OrgUniversity)
		dup := evOrg(b, sys, "上海水产大学", broker.OrgUniversity)
		recs := make([]broker.Achievement, 1000)
		for i := range recs {
			owner := keep.ID
			if i%10 == 0 {
				owner = dup.ID
			}
			recs[i] = broker.Achievement{Title: fmt.Sprintf("成果%04d", i), OwnerID: owner}
		}
		if _, err := sys.Achievements.Import(ctx, admin, recordsJSONL(b, recs), broker.ImportOptions{Format: broker.JSONLines}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		rep, err := sys.MergeOrganizations(ctx, admin, keep.ID, dup.ID)
		if err != nil || rep.Rewritten[broker.KindAchievement] != 100 {
			b.Fatalf("merge: %v %v", rep.Rewritten, err)
		}
	}
}

func recordsJSONL[T any](tb testing.TB, recs []T) io.Reader {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, r := range recs {
		if err := enc.Encode(r); err != nil {
			tb.Fatal(err)
		}
	}
	return &buf
}
