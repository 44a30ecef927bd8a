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
		{"admin", exAdmin}, {"desk", exStaff}, {"other desk", exOther}, {"owner", owner}, {"exchange", exOp},
		{"oversight", broker.Overseer("kx-1", "杨浦区科协")}, {"investor", broker.InvestorUser("inv-1", "杨浦科创投资基金")},
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
		{"post a notice", func(p broker.Principal) error {
			l := sampleListing(exchange.MethodAgreement)
			l.Terms.Counterparty = "台州某渔业装备有限公司"
			l, err := x.CreateListing(exCtx, exStaff, l)
			if err != nil {
				return err
			}
			_, err = x.PublishListing(exCtx, p, l.ID, exchange.Publish{Version: l.Version})
			return err
		}},
		{"read a draft", func(p broker.Principal) error {
			l, err := x.CreateListing(exCtx, exStaff, sampleListing(exchange.MethodFixed))
			if err != nil {
				return err
			}
			_, err = x.GetListing(exCtx, p, l.ID)
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
	// The exchange operator confirms deposits and posts notices, which the
	// desk no longer does; oversight reads everything and does nothing else.
	allowed := map[string][]string{
		"create":          {"admin", "desk"},
		"publish":         {"admin", "desk"},
		"post a notice":   {"admin", "exchange"},
		"read a draft":    {"admin", "desk", "owner", "exchange", "oversight"},
		"withdraw":        {"admin", "desk"},
		"pay deposit":     {"admin", "exchange"},
		"bid for bidderA": {"admin", "desk", "bidder"},
		"ledger":          {"admin", "desk", "other desk", "oversight"},
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
