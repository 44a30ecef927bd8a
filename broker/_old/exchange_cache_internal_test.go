package broker

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
)

// The hand-written encoders decode to the same values as encoding/json's
// output does, for awkward strings too.
func TestExchangeEncodersMatchEncodingJSON(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 123456000, time.UTC)
	for _, s := range []string{"", "竞买人\"01\"", "a\\b\n\t\x01<&>", "𠮷野家 ✓"} {
		bk := book{ID: "list-1" + s, Broker: s, Method: MethodTender, Reserve: decimal.RequireFromString("1200000.5"),
			Increment: decimal.RequireFromString("0.01"), Deposit: decimal.NewFromInt(100000), Closes: t0, Expires: t0.Add(time.Hour),
			Status: bookOpen, Seq: 42, DepSeq: 3, High: decimal.RequireFromString("1450000"), HighBidder: s, HighBid: s}
		var got, want book
		if err := json.Unmarshal(bk.appendJSON(nil), &got); err != nil {
			t.Fatalf("book %q: %v", s, err)
		}
		std, _ := json.Marshal(bk)
		_ = json.Unmarshal(std, &want)
		if d := cmp.Diff(want, got, cmp.AllowUnexported(book{}), cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); d != "" {
			t.Errorf("book %q (-encoding/json +appendJSON):\n%s", s, d)
		}
		bid := Bid{Meta: Meta{ID: "list-1~0000000001", Created: t0, Updated: t0, Broker: s, Visibility: Confidential, Region: s,
			Provenance: Provenance{AddedBy: s, Source: "x"}}, Listing: "list-1", Seq: 1, Bidder: s, Amount: decimal.RequireFromString("1.23"), Ref: s, Placed: t0, Sealed: s != ""}
		var gotB, wantB Bid
		if err := json.Unmarshal(bid.appendJSON(nil), &gotB); err != nil {
			t.Fatalf("bid %q: %v", s, err)
		}
		std, _ = json.Marshal(bid)
		_ = json.Unmarshal(std, &wantB)
		if d := cmp.Diff(wantB, gotB, cmp.Comparer(func(a, b decimal.Decimal) bool { return a.Equal(b) })); d != "" {
			t.Errorf("bid %q (-encoding/json +appendJSON):\n%s", s, d)
		}
		var m1, m2 map[string]any
		_ = json.Unmarshal(std, &m1)
		_ = json.Unmarshal(bid.appendJSON(nil), &m2)
		if d := cmp.Diff(m1, m2); d != "" {
			t.Errorf("bid %q field sets differ:\n%s", s, d)
		}
	}
	if got := bidID("list-000001", 42); got != "list-000001~0000000042" {
		t.Errorf("bidID: got %s", got)
	}
}
