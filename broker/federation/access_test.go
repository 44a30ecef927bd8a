package federation_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/federation"
)

// Who may do what in the federation, as the access policy (broker.Rules)
// decides it: each operation asks the policy, none looks at roles itself.
func TestFederationAccess(t *testing.T) {
	y, tz, _, _ := newPair(t)
	principals := []struct {
		name string
		p    broker.Principal
	}{
		{"admin", admin}, {"desk", staff}, {"other-desk", other}, {"owner", owner},
		{"interested", enterprise(bidderA)}, {"stranger", enterprise(bidderB)}, {"expert", broker.ExpertUser("exp-1")}, {"anonymous", broker.Anonymous()},
	}
	// A shared listing, received at Taizhou, and an interest of bidderA
	// received at Yangpu, for each principal.
	var n int
	shared := func() (profileID string) {
		n++
		l := sampleListing()
		l.ID = fmt.Sprintf("acc-%03d", n)
		l = mustListing(t, y.x, l)
		if _, err := y.fed.Share(ctx, staff, l.ID, taizhou); err != nil {
			t.Fatal(err)
		}
		if _, err := tz.fed.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		return yangpu + "." + l.ID
	}
	received := func() (interestID string) {
		in, err := tz.fed.ExpressInterest(ctx, enterprise(bidderA), shared(), federation.NewInterest{Org: bidderA})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := y.fed.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		return taizhou + "." + in.ID
	}
	ops := []struct {
		name string
		run  func(p broker.Principal) error
		want string // the principals allowed, in the order above
	}{
		{"share", func(p broker.Principal) error {
			l := mustListing(t, y.x, sampleListing())
			_, err := y.fed.Share(ctx, p, l.ID, taizhou)
			return err
		}, "admin desk"},
		{"read profiles", func(p broker.Principal) error {
			_, err := tz.fed.Profiles(ctx, p)
			return err
		}, "admin desk other-desk owner interested stranger expert"},
		{"express interest for bidderA", func(p broker.Principal) error {
			_, err := tz.fed.ExpressInterest(ctx, p, shared(), federation.NewInterest{Org: bidderA})
			return err
		}, "admin desk other-desk interested"},
		{"see a received interest", func(p broker.Principal) error {
			id := received()
			got, err := y.fed.Interests(ctx, p)
			for _, x := range got {
				if x.ID == id {
					return err
				}
			}
			return broker.ErrForbidden
		}, "admin desk owner"},
		{"answer a received interest", func(p broker.Principal) error {
			_, err := y.fed.Respond(ctx, p, received(), federation.Answer{Reason: "暂不合作"})
			return err
		}, "admin desk owner"},
	}
	for _, op := range ops {
		var got string
		for _, pr := range principals {
			err := op.run(pr.p)
			switch {
			case err == nil:
				if got != "" {
					got += " "
				}
				got += pr.name
			case !errors.Is(err, broker.ErrForbidden):
				t.Errorf("%s by %s: got %v, want nil or ErrForbidden", op.name, pr.name, err)
			}
		}
		if got != op.want {
			t.Errorf("%s: allowed %q, want %q", op.name, got, op.want)
		}
	}
}
