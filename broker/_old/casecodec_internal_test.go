package broker

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

func genString() *rapid.Generator[string] {
	return rapid.OneOf(
		rapid.Just(""),
		rapid.String(),
		rapid.SampledFrom([]string{"深远海养殖", "a<b>&c", "\u2028\u2029", "\"\\\b\f\n\r\t\x00\x1f", "é", "ＰＭ２．５"}),
		rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) string { return string(b) }), // invalid UTF-8 too
	)
}

func genTime() *rapid.Generator[time.Time] {
	return rapid.OneOf(
		rapid.Just(time.Time{}),
		rapid.Map(rapid.Int64Range(-62135596800000000, 253402300799000000), func(us int64) time.Time { return time.UnixMicro(us).UTC() }),
		rapid.Map(rapid.Int64Range(0, 4e18), func(ns int64) time.Time { return time.Unix(0, ns).In(time.FixedZone("CST", 8*3600)) }),
	)
}

func genStrings() *rapid.Generator[[]string] {
	return rapid.OneOf(rapid.Just([]string(nil)), rapid.Just([]string{}), rapid.SliceOfN(genString(), 1, 4))
}

func genVerdict() *rapid.Generator[*ScreeningVerdict] {
	return rapid.OneOf(rapid.Just[*ScreeningVerdict](nil), rapid.Custom(func(t *rapid.T) *ScreeningVerdict {
		return &ScreeningVerdict{
			Passed: rapid.Bool().Draw(t, "passed"), Panel: genStrings().Draw(t, "panel"), Society: genString().Draw(t, "society"),
			Score: rapid.OneOf(rapid.Just(0.0), rapid.Float64Range(-1e30, 1e30), rapid.Float64Range(-1e-5, 1e-5),
				rapid.SampledFrom([]float64{1e21, 1e-7, 84.5, 1e20, 123456789})).Draw(t, "score"),
			Summary: genString().Draw(t, "summary"), Ref: genString().Draw(t, "ref"), Date: genTime().Draw(t, "date"),
		}
	}))
}

func genCase(t *rapid.T) Case {
	c := Case{
		Meta: Meta{ID: genString().Draw(t, "id"), Version: rapid.Int64().Draw(t, "version"), Created: genTime().Draw(t, "created"), Updated: genTime().Draw(t, "updated"),
			Broker: genString().Draw(t, "broker"), Visibility: Visibility(genString().Draw(t, "vis")), Region: genString().Draw(t, "region"),
			Provenance: Provenance{AddedBy: genString().Draw(t, "added"), Society: genString().Draw(t, "soc"), Batch: genString().Draw(t, "batch"),
				Broker: genString().Draw(t, "pb"), Source: genString().Draw(t, "src")}},
		Subject: RecordRef{Kind: Kind(genString().Draw(t, "sk")), ID: genString().Draw(t, "sid")}, Title: genString().Draw(t, "title"),
		Owners: genStrings().Draw(t, "owners"), Stage: CaseStage(genString().Draw(t, "stage")), StageSince: genTime().Draw(t, "since"),
		Screening: genVerdict().Draw(t, "screening"), ListingRef: genString().Draw(t, "lr"), DealRef: genString().Draw(t, "dr"), Reason: genString().Draw(t, "reason"),
		Source: CaseSource{Activity: genString().Draw(t, "act"), Lead: genString().Draw(t, "lead")},
	}
	for i := range rapid.IntRange(0, 3).Draw(t, "services") {
		_ = i
		c.Services = append(c.Services, DeliveredService{Code: genString().Draw(t, "code"), Name: genString().Draw(t, "name"),
			Fee: decimal.New(rapid.Int64().Draw(t, "fee"), int32(rapid.IntRange(-4, 4).Draw(t, "exp"))), At: genTime().Draw(t, "at"),
			By: genString().Draw(t, "by"), Note: genString().Draw(t, "note")})
	}
	return c
}

// TestCaseCodecMatchesJSON: the hand-written encoder produces exactly what
// encoding/json produces, for cases and stage events.
func TestCaseCodecMatchesJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		c := genCase(t)
		want, werr := json.Marshal(c)
		got, gerr := appendCase(nil, &c)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("errors differ: json %v, ours %v", werr, gerr)
		}
		if werr == nil && !bytes.Equal(got, want) {
			t.Fatalf("case encoding differs:\n got %s\nwant %s", got, want)
		}
		e := StageEvent{From: CaseStage(genString().Draw(t, "from")), To: CaseStage(genString().Draw(t, "to")), Reason: genString().Draw(t, "r"),
			Evidence: genStrings().Draw(t, "ev"), Verdict: genVerdict().Draw(t, "v"), ListingRef: genString().Draw(t, "l"), DealRef: genString().Draw(t, "d")}
		want, werr = json.Marshal(e)
		got, gerr = appendStageEvent(nil, &e)
		if (werr == nil) != (gerr == nil) {
			t.Fatalf("event errors differ: json %v, ours %v", werr, gerr)
		}
		if werr == nil && !bytes.Equal(got, want) {
			t.Fatalf("event encoding differs:\n got %s\nwant %s", got, want)
		}
	})
}
