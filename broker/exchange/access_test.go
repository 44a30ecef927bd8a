package exchange_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
)

// Who may do what on the exchange, as the access policy (broker.Rules)
// decides it: each operation asks the policy, none looks at roles itself.
func TestExchangeAccess(t *testing.T) {
	x, clk := newExchange(t)
	owner := broker.InstitutionUser("u-owner", "上海海洋大学")
	principals := []struct {
		name string
		p    broker.Principal
	}{
		{"admin", exAdmin}, {"desk", exStaff}, {"other desk", exOther}, {"owner", owner},
		{"bidder", enterprise(bidderA)}, {"expert", broker.ExpertUser("exp-1")}, {"anonymous", broker.Anonymous()},
	}
	type op struct {
		name string
		run  func(p broker.Principal) error
	}
	var n int
	fresh := func() exchange.Listing {
		n++
		l := sampleListing(exchange.MethodAuction)
		l.ID = fmt.Sprintf("acc-%03d", n)
		return mustListing(t, x, l, clk.Now().Add(exDay))
	}
	ops := []op{
		{"create", func(p broker.Principal) error {
			_, err := x.CreateListing(exCtx, p, sampleListing(exchange.MethodFixed))
			return err
		}},
		{"publish", func(p broker.Principal) error {
			l, err := x.CreateListing(exCtx, exStaff, sampleListing(exchange.MethodFixed))
			if err != nil {
				return err
			}
			_, err = x.PublishListing(exCtx, p, l.ID, exchange.Publish{Version: l.Version})
			return err
		}},
		{"withdraw", func(p broker.Principal) error {
			_, err := x.WithdrawListing(exCtx, p, fresh().ID, "撤回")
			return err
		}},
		{"pay deposit", func(p broker.Principal) error {
			_, err := x.PayDeposit(exCtx, p, fresh().ID, bidderA, d("100000"), "")
			return err
		}},
		{"bid for bidderA", func(p broker.Principal) error {
			l := fresh()
			payDeposits(t, x, l.ID, bidderA)
			_, err := x.PlaceBid(exCtx, p, l.ID, exchange.PlaceBid{Bidder: bidderA, Raise: 1})
			return err
		}},
		{"ledger", func(p broker.Principal) error {
			_, err := x.Ledger(exCtx, p, exchange.LedgerQuery{})
			return err
		}},
	}
	allowed := map[string][]string{
		"create":          {"admin", "desk"},
		"publish":         {"admin", "desk"},
		"withdraw":        {"admin", "desk"},
		"pay deposit":     {"admin", "desk"},
		"bid for bidderA": {"admin", "desk", "bidder"},
		"ledger":          {"admin", "desk", "other desk"},
	}
	for _, o := range ops {
		for _, pr := range principals {
			t.Run(o.name+"/"+pr.name, func(t *testing.T) {
				err := o.run(pr.p)
				want := false
				for _, a := range allowed[o.name] {
					want = want || a == pr.name
				}
				switch {
				case want && err != nil:
					t.Errorf("got %v, want it allowed", err)
				case !want && !errors.Is(err, broker.ErrForbidden):
					t.Errorf("got %v, want ErrForbidden", err)
				}
			})
		}
	}
}
