package broker_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/shopspring/decimal"

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

// BenchmarkMatchInvestors ranks 500 investors for one roadshow achievement.
func BenchmarkMatchInvestors(b *testing.B) {
	sys, _ := evSystem(b)
	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "深远海智能养殖网箱", Keywords: []string{"海洋", "养殖", "网箱"},
		Readiness: broker.Readiness{Scale: broker.NASATRL, Level: 6}, AskingPrice: decimal.NewFromInt(3000000)})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := sys.Activities.Create(ctx, evStaff, broker.Activity{Meta: broker.Meta{Broker: evBroker}, Kind: broker.Roadshow, Title: "路演",
		Start: evT0, End: evT0.Add(time.Hour), Capacity: 10, Featured: []broker.RecordRef{{Kind: broker.KindAchievement, ID: a.ID}}}); err != nil {
		b.Fatal(err)
	}
	words := []string{"海洋", "养殖", "医疗", "芯片", "材料", "网箱", "能源", "装备"}
	for i := range 500 {
		v := broker.Investor{Name: fmt.Sprintf("基金%03d", i), Keywords: []string{words[i%8], words[(i/8)%8]},
			Stages: []broker.InvestStage{broker.InvestStages()[i%8]}, Ticket: broker.Range{Min: decimal.NewFromInt(int64(i) * 10000)}}
		if _, err := sys.Investors.Create(ctx, admin, v); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sys.MatchInvestors(ctx, evStaff, a.ID, nil); err != nil {
			b.Fatal(err)
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
