package exchange

import (
	"reflect"
	"testing"

	"github.com/kexie/techbroker/internal/orgtag"
)

// Every record type of the exchange tells organization merges and audits
// about the fields that name organizations (the org struct tag): a new
// field such as "buyer" or "owner_id" without a tag fails here.
func TestOrgTags(t *testing.T) {
	for _, typ := range []reflect.Type{
		reflect.TypeFor[Listing](), reflect.TypeFor[book](), reflect.TypeFor[Bid](),
		reflect.TypeFor[Deposit](), reflect.TypeFor[Deal](),
	} {
		if got := orgtag.Lint(typ); len(got) > 0 {
			t.Errorf("%v: %v", typ, got)
		}
	}
}

// The tags are where merges find them: the listing's owner and the deal's
// two parties as id fields with their names, bidders as references.
func TestOrgTagPaths(t *testing.T) {
	paths := func(v any) map[string]orgtag.Mode {
		out := map[string]orgtag.Mode{}
		orgtag.Walk(v, func(f orgtag.Field) { out[f.Path] = f.Mode })
		return out
	}
	d := Deal{SellerParty: SellerParty{Seller: "甲", SellerID: "org-1"}, BuyerParty: BuyerParty{Buyer: "乙", BuyerID: "org-2"}}
	got := paths(&d)
	for p, m := range map[string]orgtag.Mode{"seller_id": orgtag.ID, "buyer_id": orgtag.ID} {
		if got[p] != m {
			t.Errorf("deal: %s is %q, want %q (all: %v)", p, got[p], m, got)
		}
	}
	if got := paths(&Bid{Bidder: "乙"}); got["bidder"] != orgtag.Ref {
		t.Errorf("bid: got %v, want bidder as a reference", got)
	}
	if got := paths(&Listing{Owner: "甲", OwnerID: "org-1"}); got["owner_id"] != orgtag.ID {
		t.Errorf("listing: got %v, want owner_id", got)
	}
}
