package contract

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

func date(y, m, dd int) time.Time { return time.Date(y, time.Month(m), dd, 0, 0, 0, 0, time.UTC) }

// good is a contract that passes every rule.
func good() Contract {
	return Contract{
		Type:       Transfer,
		Seller:     Party{Name: "上海海洋大学", Public: true},
		Buyer:      Party{Name: "台州某渔业装备有限公司"},
		Amount:     d("1200000"),
		Terms:      Terms{Method: Instalments, Total: d("1200000"), Instalments: 3},
		Signed:     date(2026, 3, 20),
		Written:    true,
		Subject:    "深远海养殖网箱水质在线监测系统 发明专利",
		Pricing:    PricingEvidence{Path: ByAgreement, Notice: &Notice{Name: "深远海养殖网箱水质在线监测系统", Price: d("1200000"), Start: date(2026, 3, 1), End: date(2026, 3, 16)}},
		Registered: true,
	}
}

func TestRules(t *testing.T) {
	lic := func(c Contract) Contract {
		c.Type = License
		c.Licence = LicenceScope{Exclusive: true, Worldwide: true, Start: date(2026, 4, 1), End: date(2031, 4, 1)}
		c.PatentExpires = date(2040, 1, 1)
		return c
	}
	tests := []struct {
		rule   string
		check  func(Contract) Finding
		pass   Contract
		fail   Contract
		reason string // a phrase the failing Why must contain
	}{
		{RuleContractType, CheckType, good(), func() Contract { c := good(); c.Type = "sale"; return c }(), "not one of"},
		{RulePaymentTerms, CheckPaymentTerms, good(), func() Contract { c := good(); c.Terms.Instalments = 1; return c }(), "at least 2"},
		{RuleWrittenForm, CheckWritten, good(), func() Contract { c := good(); c.Written = false; return c }(), "must be in writing"},
		{RulePricingPath, func(c Contract) Finding { return CheckPricing(c, nil) }, good(), func() Contract { c := good(); c.Pricing.Notice = nil; return c }(), "needs a public notice"},
		{RulePricingPath + "/short", func(c Contract) Finding { return CheckPricing(c, nil) }, good(), func() Contract { c := good(); c.Pricing.Notice.End = date(2026, 3, 10); return c }(), "ran 9 days"},
		{RulePricingPath + "/after-signing", func(c Contract) Finding { return CheckPricing(c, nil) }, good(), func() Contract { c := good(); c.Signed = date(2026, 3, 15); return c }(), "after the contract was signed"},
		{RulePricingPath + "/price-differs", func(c Contract) Finding { return CheckPricing(c, nil) }, good(), func() Contract { c := good(); c.Amount = d("900000"); return c }(), "published the price 120万元"},
		{RulePricingPath + "/listing", func(c Contract) Finding { return CheckPricing(c, nil) },
			func() Contract {
				c := good()
				c.Pricing = PricingEvidence{Path: ByListing, Venue: "上海技术交易所", Reference: "lst-000001"}
				return c
			}(),
			func() Contract { c := good(); c.Pricing = PricingEvidence{Path: ByAuction}; return c }(), "needs the venue"},
		{RuleLicenceTerm, CheckLicenceTerm, lic(good()), func() Contract { c := lic(good()); c.PatentExpires = date(2030, 1, 1); return c }(), "beyond the patent's expiry"},
		{RuleRegistration, CheckRegistration, good(), func() Contract { c := good(); c.Subject = ""; c.Signed = time.Time{}; return c }(), "a signing date and the technical subject"},
		{RuleQualifiedLicen, CheckQualifiedLicence, lic(good()), func() Contract { c := lic(good()); c.Licence.End = date(2030, 3, 31); return c }(), "term of 3 years"},
		{RuleVATExemption, CheckVAT, good(), func() Contract { c := good(); c.Type = Consulting; return c }(), "not covered"},
		{RuleVATExemption + "/unregistered", CheckVAT, lic(good()), func() Contract { c := good(); c.Registered = false; return c }(), "not registered"},
		{RuleIncomeTax, CheckIncomeTax, lic(good()), func() Contract { c := lic(good()); c.Licence.Worldwide = false; return c }(), "only transfer income"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			p := tt.check(tt.pass)
			if !p.Pass || p.Why == "" || p.Article == "" || !strings.HasPrefix(tt.rule, p.Rule) {
				t.Errorf("passing case: got %v, want a pass with a reason and article", p)
			}
			f := tt.check(tt.fail)
			if f.Pass {
				t.Fatalf("failing case: got %v, want FAIL", f)
			}
			if !strings.Contains(f.Why, tt.reason) {
				t.Errorf("failing case: got why %q, want it to contain %q", f.Why, tt.reason)
			}
		})
	}
}

func TestPricingNotApplicableToPrivateSeller(t *testing.T) {
	c := good()
	c.Seller.Public = false
	c.Pricing = PricingEvidence{}
	if f := CheckPricing(c, nil); !f.Pass || !strings.HasPrefix(f.Why, "not applicable") {
		t.Errorf("got %v, want not applicable", f)
	}
	// A configurable notice period.
	c = good()
	if f := CheckPricing(c, &CheckOptions{NoticeDays: 30}); f.Pass {
		t.Errorf("30-day rule: got %v, want FAIL for a 15-day notice", f)
	}
}

func TestCheckAll(t *testing.T) {
	fs := Check(good(), nil)
	if len(fs) != 9 {
		t.Fatalf("got %d findings, want 9", len(fs))
	}
	if bad := Failed(fs); len(bad) != 0 {
		t.Errorf("good contract: got failures %v", bad)
	}
	c := good()
	c.Written = false
	c.Registered = false
	bad := Failed(Check(c, nil))
	var rules []string
	for _, f := range bad {
		rules = append(rules, f.Rule)
	}
	if got, want := strings.Join(rules, ","), "written-form,registration-eligibility,vat-exemption,income-tax-relief"; got != want {
		t.Errorf("failed rules: got %s, want %s", got, want)
	}
}

func TestDefaultReward(t *testing.T) {
	tests := []struct {
		name string
		in   RewardInput
		min  string
	}{
		{"transfer", RewardInput{Basis: FromTransferOrLicence, Income: d("1200000"), Costs: d("200000.01")}, "499999.995"},
		{"costs above income", RewardInput{Basis: FromTransferOrLicence, Income: d("100"), Costs: d("300")}, "0"},
		{"investment", RewardInput{Basis: FromInvestment, Equity: d("3000000.01")}, "1500000.01"},
		{"implementation", RewardInput{Basis: FromImplementation, Profits: []decimal.Decimal{d("1000000"), d("-50000"), d("2000000.10")}}, "150000.01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := DefaultReward(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			want := d(tt.min).RoundCeil(2)
			if !r.Minimum.Equal(want) {
				t.Errorf("got minimum %s, want %s", r.Minimum, want)
			}
			if r.Article != ArtReward || r.Why == "" {
				t.Errorf("got article %q why %q", r.Article, r.Why)
			}
		})
	}
	for _, in := range []RewardInput{
		{Basis: "gift"},
		{Basis: FromImplementation, Profits: []decimal.Decimal{d("1"), d("2")}},
		{Basis: FromImplementation, Profits: make([]decimal.Decimal, 6)},
		{Basis: FromTransferOrLicence, Income: d("-1")},
	} {
		if _, err := DefaultReward(in); !errors.Is(err, ErrInvalid) {
			t.Errorf("%+v: got %v, want ErrInvalid", in, err)
		}
	}
}

func TestCheckReward(t *testing.T) {
	in := RewardInput{Basis: FromTransferOrLicence, Income: d("1000000"), Costs: d("100000")}
	f, err := CheckReward(in, d("450000"))
	if err != nil || !f.Pass {
		t.Errorf("at the minimum: got %v %v, want pass", f, err)
	}
	f, _ = CheckReward(in, d("449999.99"))
	if f.Pass || !strings.Contains(f.Why, "below the minimum 450000.00") {
		t.Errorf("a cent short: got %v, want FAIL", f)
	}
}

func TestSplitReward(t *testing.T) {
	parts, err := SplitReward(d("450000"), []decimal.Decimal{d("60"), d("25"), d("15")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"270000", "112500", "67500"}
	for i := range want {
		if !parts[i].Equal(d(want[i])) {
			t.Errorf("member %d: got %s, want %s", i, parts[i], want[i])
		}
	}
	if _, err := SplitReward(d("1"), nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("no members: got %v", err)
	}
}

func TestEstimateTaxRelief(t *testing.T) {
	tests := []struct {
		name      string
		c         Contract
		income    string
		vat, inc  string
		relief    bool
		vatExempt bool
	}{
		// 1,200,000 × 6% = 72,000; 1,000,000 × 25% = 250,000.
		{"transfer below threshold", good(), "1000000", "72000", "250000", true, true},
		// 7,000,000: 5,000,000 × 25% + 2,000,000 × 12.5% = 1,500,000.
		{"transfer above threshold", func() Contract { c := good(); c.Amount = d("8000000"); return c }(), "7000000", "480000", "1500000", true, true},
		{"development: VAT only", func() Contract { c := good(); c.Type = Development; return c }(), "1000000", "72000", "0", false, true},
		{"unregistered", func() Contract { c := good(); c.Registered = false; return c }(), "1000000", "0", "0", false, false},
		{"short licence", func() Contract {
			c := good()
			c.Type = License
			c.Licence = LicenceScope{Exclusive: true, Worldwide: true, Start: date(2026, 1, 1), End: date(2028, 1, 1)}
			return c
		}(), "1000000", "0", "0", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := EstimateTaxRelief(tt.c, d(tt.income), nil)
			if err != nil {
				t.Fatal(err)
			}
			if !e.VATSaved.Equal(d(tt.vat)) || !e.IncomeTaxSaved.Equal(d(tt.inc)) || e.IncomeTaxRelief != tt.relief || e.VATExempt != tt.vatExempt {
				t.Errorf("got VAT %s income tax %s (relief %v, exempt %v), want %s %s (%v, %v)", e.VATSaved, e.IncomeTaxSaved, e.IncomeTaxRelief, e.VATExempt, tt.vat, tt.inc, tt.relief, tt.vatExempt)
			}
			if e.Label != TaxLabel || len(e.Findings) != 4 || !e.Total.Equal(e.VATSaved.Add(e.IncomeTaxSaved)) {
				t.Errorf("label, findings or total wrong: %+v", e)
			}
		})
	}
	if _, err := EstimateTaxRelief(good(), d("-1"), nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative income: got %v", err)
	}
}

func TestLicenceYears(t *testing.T) {
	tests := []struct {
		s, e time.Time
		want int
	}{
		{date(2026, 4, 1), date(2031, 4, 1), 5},
		{date(2026, 4, 1), date(2031, 3, 31), 4},
		{date(2024, 2, 29), date(2029, 2, 28), 5},
		{date(2026, 4, 1), date(2026, 1, 1), 0},
	}
	for _, tt := range tests {
		if got := (LicenceScope{Start: tt.s, End: tt.e}).Years(); got != tt.want {
			t.Errorf("%v–%v: got %d years, want %d", tt.s, tt.e, got, tt.want)
		}
	}
}
