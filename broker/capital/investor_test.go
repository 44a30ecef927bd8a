package capital_test

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/capital"
)

func TestInvestorValidation(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		name string
		v    capital.Investor
		want []string
	}{
		{"ticket backwards", capital.Investor{Name: "甲基金", Ticket: broker.Range{Min: dec("5000000"), Max: dec("1000000")}}, []string{"ticket.max:range_order"}},
		{"negative ticket", capital.Investor{Name: "乙基金", Ticket: broker.Range{Min: dec("-1")}}, []string{"ticket.min:negative"}},
		{"ticket in fen", capital.Investor{Name: "乙基金", Ticket: broker.Range{Min: dec("0.001")}}, []string{"ticket.min:malformed"}},
		{"unknown stage", capital.Investor{Name: "丙基金", Stages: []capital.InvestStage{"d"}}, []string{"stages[0]:oneof"}},
		{"no name", capital.Investor{}, []string{"name:required"}},
		{"bad e-mail", capital.Investor{Name: "己基金", Contact: broker.Contact{Email: "not an address"}}, []string{"contact.email:email"}},
		{"open-ended ticket is fine", capital.Investor{Name: "丁基金", Ticket: broker.Range{Min: dec("1000000")}}, nil},
		{"Chinese stage names", capital.Investor{Name: "戊基金", Stages: []capital.InvestStage{"天使轮", "A轮", "angel"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := f.cp.Investors.Create(ctx, admin, tt.v)
			if got := fieldCodes(err); !slices.Equal(got, tt.want) {
				t.Errorf("got %v (%v), want %v", got, err, tt.want)
			}
			if tt.want == nil && (v.ID == "" || v.Version != 1) {
				t.Errorf("stored: got ID %q version %d", v.ID, v.Version)
			}
			if tt.name == "Chinese stage names" && !slices.Equal(v.Stages, []capital.InvestStage{capital.StageAngel, capital.StageA}) {
				t.Errorf("stages: got %v, want [angel a] (names folded, repeats dropped)", v.Stages)
			}
		})
	}
	// The backwards ticket names both amounts.
	_, err := f.cp.Investors.Create(ctx, admin, tests[0].v)
	fe := fieldError(t, err)
	if fe.Param != "ticket.min 5000000" || fe.Value != "1000000" {
		t.Errorf("backwards ticket: got param %q value %q", fe.Param, fe.Value)
	}
	if !strings.Contains(err.Error(), "ticket.max must not be below ticket.min 5000000 (got 1000000)") {
		t.Errorf("message: got %q", err)
	}
}

// The registry decides who writes an investor and who sees its contact:
// platform admins and the principals acting for its organization.
func TestInvestorAccess(t *testing.T) {
	f := newFixture(t)
	fund := f.org(t, "蓝海创投", broker.OrgFund)
	own := broker.EnterpriseUser("u-fund", fund.ID)
	v, err := f.cp.Investors.Create(ctx, own, capital.Investor{Name: "蓝海创投一期", OrgID: fund.ID,
		Contact: broker.Contact{Phone: "138"}, Meta: broker.Meta{Visibility: broker.Members}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Contact.Phone != "138" {
		t.Errorf("own principal sees the contact: got %q", v.Contact.Phone)
	}
	for _, tc := range []struct {
		name    string
		p       broker.Principal
		err     error // of Get
		contact bool
	}{
		{"admin", admin, nil, true},
		{"the fund", own, nil, true},
		{"broker staff", staff, nil, false},
		{"another enterprise", broker.EnterpriseUser("u-x", "org-other"), nil, false},
		{"anonymous", broker.Anonymous(), broker.ErrForbidden, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.cp.Investors.Get(ctx, tc.p, v.ID)
			if !errors.Is(err, tc.err) || err != nil && tc.err == nil {
				t.Fatalf("get: got %v, want %v", err, tc.err)
			}
			if err == nil && (got.Contact.Phone != "") != tc.contact {
				t.Errorf("contact: got %q, want shown %v", got.Contact.Phone, tc.contact)
			}
		})
	}
	if _, err := f.cp.Investors.Create(ctx, staff, capital.Investor{Name: "x"}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("broker staff create: got %v, want ErrForbidden", err)
	}
	if _, err := f.cp.Investors.Create(ctx, broker.EnterpriseUser("u-x", "org-other"), capital.Investor{Name: "冒名基金", OrgID: fund.ID}); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("another enterprise creates the fund's investor: got %v, want ErrForbidden", err)
	}
	if _, err := f.cp.Investors.Modify(ctx, staff, v.ID, func(v *capital.Investor) error { v.Thesis = "改"; return nil }); !errors.Is(err, broker.ErrForbidden) {
		t.Errorf("broker staff update: got %v, want ErrForbidden", err)
	}
	// An unknown organization ID is refused while the registry has organizations.
	if _, err := f.cp.Investors.Create(ctx, admin, capital.Investor{Name: "无名基金", OrgID: "org-999999"}); !slices.Equal(fieldCodes(err), []string{"org_id:ref"}) {
		t.Errorf("unknown org_id: got %v", err)
	}
	// The fund's update keeps what it does not mention; its stored contact stays.
	v, err = f.cp.Investors.Modify(ctx, own, v.ID, func(v *capital.Investor) error { v.Thesis = "海洋装备"; return nil })
	if err != nil || v.Contact.Phone != "138" || v.Thesis != "海洋装备" {
		t.Errorf("modify by the fund: got %+v, %v", v, err)
	}
}

func TestInvestorMethods(t *testing.T) {
	v := capital.Investor{Stages: []capital.InvestStage{capital.StageA}, Ticket: broker.Range{Min: dec("100"), Max: dec("1000")},
		Regions: []string{"上海市"}}
	for _, tc := range []struct {
		name string
		got  bool
		want bool
	}{
		{"invests in A", v.InvestsIn(capital.StageA), true},
		{"not in seed", v.InvestsIn(capital.StageSeed), false},
		{"no stages takes any", capital.Investor{}.InvestsIn(capital.StageSeed), true},
		{"ticket inside", v.TicketFits(dec("1000")), true},
		{"ticket above", v.TicketFits(dec("1000.01")), false},
		{"ticket below", v.TicketFits(dec("99.99")), false},
		{"open ticket", capital.Investor{Ticket: broker.Range{Min: dec("1")}}.TicketFits(dec("1e12")), true},
		{"region covers a district", v.Serves("上海市杨浦区"), true},
		{"district within region", capital.Investor{Regions: []string{"上海市杨浦区"}}.Serves("上海市"), true},
		{"other region", v.Serves("浙江省"), false},
		{"no region given", v.Serves(""), false},
		{"anywhere", capital.Investor{}.Serves(""), true},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}
