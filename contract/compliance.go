package contract

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/money"
)

// Finding is the result of one compliance rule: which rule, the article it
// applies, whether the contract passes and why. A rule that does not apply
// passes and says so in Why.
type Finding struct {
	Rule    string `json:"rule"`
	Article string `json:"article"`
	Pass    bool   `json:"pass"`
	Why     string `json:"why"`
}

func (f Finding) String() string {
	r := "FAIL"
	if f.Pass {
		r = "pass"
	}
	return fmt.Sprintf("[%s] %s (%s): %s", r, f.Rule, f.Article, f.Why)
}

// Rule names.
const (
	RuleContractType   = "contract-type"
	RulePaymentTerms   = "payment-terms"
	RulePricingPath    = "pricing-path"
	RuleLicenceTerm    = "licence-within-patent-term"
	RuleWrittenForm    = "written-form"
	RuleRegistration   = "registration-eligibility"
	RuleVATExemption   = "vat-exemption"
	RuleIncomeTax      = "income-tax-relief"
	RuleQualifiedLicen = "licence-counts-as-transfer"
	RuleReward         = "inventor-reward"
)

// Articles cited by the rules.
const (
	ArtContractTypes = "民法典 第八百四十三条 (Civil Code Art. 843)"
	ArtPayment       = "民法典 第八百四十六条 (Civil Code Art. 846)"
	ArtPricing       = "促进科技成果转化法 第十八条 (Law on Promoting the Transformation of S&T Achievements, Art. 18)"
	ArtLicenceTerm   = "民法典 第八百六十五条 (Civil Code Art. 865)"
	ArtWritten       = "民法典 第八百五十一条、第八百六十三条 (Civil Code Art. 851, 863: development, transfer and licence contracts are in writing)"
	ArtRegistration  = "技术合同认定登记管理办法 (Measures for the Registration of Technical Contracts)"
	ArtVAT           = "财税〔2016〕36号 附件3 (VAT exemption for technology transfer and development)"
	ArtIncomeTax     = "企业所得税法 第二十七条、实施条例 第九十条 (Enterprise Income Tax Law Art. 27; Implementing Regulations Art. 90)"
	ArtLicenceAsTran = "财税〔2015〕116号 (an exclusive worldwide licence of at least 5 years counts as a transfer)"
	ArtReward        = "促进科技成果转化法 第四十五条 (Law on Promoting the Transformation of S&T Achievements, Art. 45)"
)

// CheckOptions tune the checks. A nil *CheckOptions means defaults.
type CheckOptions struct {
	// NoticeDays is a longer 公示 that a unit's own or a local rule
	// requires, in days. It can only raise the requirement: a value up to
	// MinNoticeDays (or 0) means MinNoticeDays. See RequiredNoticeDays.
	NoticeDays int
}

// Check runs every contract rule on c and returns one finding per rule,
// in a fixed order: contract type, payment terms, written form, pricing
// path, licence within the patent term, registration eligibility, licence
// counted as transfer, VAT exemption and income-tax relief.
func Check(c Contract, opts *CheckOptions) []Finding {
	return []Finding{
		CheckType(c),
		CheckPaymentTerms(c),
		CheckWritten(c),
		CheckPricing(c, opts),
		CheckLicenceTerm(c),
		CheckRegistration(c),
		CheckQualifiedLicence(c),
		CheckVAT(c),
		CheckIncomeTax(c),
	}
}

// Failed returns the findings that did not pass.
func Failed(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if !f.Pass {
			out = append(out, f)
		}
	}
	return out
}

// CheckType: the contract is one of the five types of Art. 843.
func CheckType(c Contract) Finding {
	f := Finding{Rule: RuleContractType, Article: ArtContractTypes}
	if c.Type.Valid() {
		f.Pass, f.Why = true, fmt.Sprintf("%s (%s) is a technology contract type", c.Type, c.Type.ZH())
	} else {
		f.Why = fmt.Sprintf("%q is not one of development, transfer, license, consulting, service", c.Type)
	}
	return f
}

// CheckPaymentTerms: the payment terms take one of the forms of Art. 846
// and are complete (a total for lump sum and instalments, at least two
// instalments, a royalty base, rate, trend and term, an entry fee).
func CheckPaymentTerms(c Contract) Finding {
	f := Finding{Rule: RulePaymentTerms, Article: ArtPayment}
	if err := c.Terms.Validate(); err != nil {
		f.Why = err.Error()
		return f
	}
	f.Pass = true
	switch c.Terms.Method {
	case LumpSum:
		f.Why = "lump sum of " + money.FormatZH(c.Terms.Total) + " paid at once"
	case Instalments:
		f.Why = fmt.Sprintf("%s in %d instalments", money.FormatZH(c.Terms.Total), c.Terms.Instalments)
	case Royalty:
		f.Why = royaltyWhy(c.Terms.Royalty)
	case EntryFeeRoyalty:
		f.Why = "entry fee " + money.FormatZH(c.Terms.EntryFee) + " plus " + royaltyWhy(c.Terms.Royalty)
	}
	return f
}

func royaltyWhy(r RoyaltyTerms) string {
	trend := r.Trend
	if trend == "" {
		trend = Fixed
	}
	s := fmt.Sprintf("royalty of %s%% on %s for %d years, %s", r.Rate, r.Base, r.Years, trend)
	if trend != Fixed {
		s += fmt.Sprintf(" by %s points a year", r.Step)
	}
	return s
}

// Validate checks the terms without a projection: what Plan would reject
// for any projected base.
func (t Terms) Validate() error {
	n := 0
	if t.Method == Royalty || t.Method == EntryFeeRoyalty {
		if err := t.Royalty.check(); err != nil {
			return err
		}
		n = t.Royalty.Years
	}
	_, err := Plan(t, time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), make([]decimal.Decimal, n))
	return err
}

// CheckWritten: development, transfer and licence contracts must be in
// writing (Art. 851, 863); consulting and service contracts may be oral,
// but registration needs a written one (see CheckRegistration).
func CheckWritten(c Contract) Finding {
	f := Finding{Rule: RuleWrittenForm, Article: ArtWritten}
	switch {
	case c.Written:
		f.Pass, f.Why = true, "the contract is in writing"
	case c.Type == Development || c.Type == Transfer || c.Type == License:
		f.Why = "a " + string(c.Type) + " contract must be in writing"
	default:
		f.Pass, f.Why = true, "not required for a "+string(c.Type)+" contract (but needed for registration)"
	}
	return f
}

// CheckPricing applies Art. 18 to a seller that is a public research
// institute or university: the price is set by agreement with a completed
// public notice (公示) of the result's name and price lasting at least
// RequiredNoticeDays (15 days, or a unit's longer rule; never fewer) and
// ending no later than the signing date, or by listing on a technology
// exchange, or by auction (both with the venue and the listing or auction
// reference as evidence). For other sellers the rule does not apply.
func CheckPricing(c Contract, opts *CheckOptions) Finding {
	f := Finding{Rule: RulePricingPath, Article: ArtPricing}
	if !c.Seller.Public {
		f.Pass, f.Why = true, "not applicable: the seller is not a public research institute or university"
		return f
	}
	p := c.Pricing
	switch p.Path {
	case ByAgreement:
		n := p.Notice
		days := RequiredNoticeDays(c.Seller.Public, p.Path, opts)
		switch {
		case n == nil:
			f.Why = "an agreement price needs a public notice (公示) of the result's name and price; none recorded"
		case n.Name == "":
			f.Why = "the notice does not publish the result's name"
		case !n.Price.Equal(c.Amount):
			f.Why = "the notice published the price " + money.FormatZH(n.Price) + " but the contract amount is " + money.FormatZH(c.Amount)
		case n.Days() < days:
			f.Why = fmt.Sprintf("the notice ran %d days, fewer than the required %d", n.Days(), days)
		case c.Signed.IsZero():
			f.Why = "the signing date is unknown, so the notice cannot be shown to have been completed before the deal"
		case n.End.After(c.Signed):
			f.Why = "the notice ended " + n.End.Format("2006-01-02") + ", after the contract was signed on " + c.Signed.Format("2006-01-02")
		default:
			f.Pass = true
			f.Why = fmt.Sprintf("agreement price %s, noticed for %d days from %s to %s, before signing", money.FormatZH(n.Price), n.Days(), n.Start.Format("2006-01-02"), n.End.Format("2006-01-02"))
		}
	case ByListing, ByAuction:
		if p.Venue == "" || p.Reference == "" {
			f.Why = "a " + string(p.Path) + " price needs the venue and the listing or auction reference as evidence"
		} else {
			f.Pass, f.Why = true, "price set by "+string(p.Path)+" on "+p.Venue+" ("+p.Reference+")"
		}
	default:
		f.Why = "a public unit must price by agreement with public notice, by listing on a technology market, or by auction; no pricing path recorded"
	}
	return f
}

// CheckLicenceTerm: a patent licence is valid only during the patent's term
// (Art. 865), so the licence must end no later than the patent expires.
func CheckLicenceTerm(c Contract) Finding {
	f := Finding{Rule: RuleLicenceTerm, Article: ArtLicenceTerm}
	switch {
	case c.Type != License:
		f.Pass, f.Why = true, "not applicable: not a licence"
	case c.PatentExpires.IsZero():
		f.Pass, f.Why = true, "not applicable: no patent expiry recorded (technical secret or unknown)"
	case c.Licence.End.IsZero():
		f.Why = "the licence term's end is not stated; it must end by the patent's expiry " + c.PatentExpires.Format("2006-01-02")
	case c.Licence.End.After(c.PatentExpires):
		f.Why = "the licence runs to " + c.Licence.End.Format("2006-01-02") + ", beyond the patent's expiry " + c.PatentExpires.Format("2006-01-02")
	default:
		f.Pass, f.Why = true, "the licence ends "+c.Licence.End.Format("2006-01-02")+", within the patent term (expires "+c.PatentExpires.Format("2006-01-02")+")"
	}
	return f
}

// CheckRegistration: whether the contract can be registered as a technical
// contract (技术合同认定登记): one of the Art. 843 types, in writing, signed,
// both parties named, a stated technical subject and a positive amount.
// The registration office's review of the technical content is not
// modelled.
func CheckRegistration(c Contract) Finding {
	f := Finding{Rule: RuleRegistration, Article: ArtRegistration}
	var missing []string
	if !c.Type.Valid() {
		missing = append(missing, "a technology contract type")
	}
	if !c.Written {
		missing = append(missing, "a written contract")
	}
	if c.Signed.IsZero() {
		missing = append(missing, "a signing date")
	}
	if c.Seller.Name == "" || c.Buyer.Name == "" {
		missing = append(missing, "both parties' names")
	}
	if c.Subject == "" {
		missing = append(missing, "the technical subject")
	}
	if c.Amount.Sign() <= 0 {
		missing = append(missing, "a positive contract amount")
	}
	if len(missing) > 0 {
		f.Why = "not eligible: missing " + joinAnd(missing)
		return f
	}
	f.Pass, f.Why = true, "eligible for registration as a "+c.Type.ZH()
	return f
}

// QualifiedLicence reports whether a licence counts as a transfer for tax
// relief: exclusive, worldwide and at least 5 years.
func QualifiedLicence(l LicenceScope) bool {
	return l.Exclusive && l.Worldwide && l.Years() >= 5
}

// CheckQualifiedLicence: a licence counts as a transfer only if exclusive,
// worldwide and for at least 5 years.
func CheckQualifiedLicence(c Contract) Finding {
	f := Finding{Rule: RuleQualifiedLicen, Article: ArtLicenceAsTran}
	if c.Type != License {
		f.Pass, f.Why = true, "not applicable: not a licence"
		return f
	}
	l := c.Licence
	var lacks []string
	if !l.Exclusive {
		lacks = append(lacks, "not exclusive")
	}
	if !l.Worldwide {
		lacks = append(lacks, "not worldwide")
	}
	if y := l.Years(); y < 5 {
		lacks = append(lacks, fmt.Sprintf("term of %d years, less than 5", y))
	}
	if len(lacks) > 0 {
		f.Why = "the licence does not count as a transfer: " + joinAnd(lacks)
		return f
	}
	f.Pass, f.Why = true, fmt.Sprintf("exclusive worldwide licence of %d years counts as a transfer", l.Years())
	return f
}

// CheckVAT: VAT exemption needs a registered contract of transfer or
// development, or a licence that counts as a transfer.
func CheckVAT(c Contract) Finding {
	f := Finding{Rule: RuleVATExemption, Article: ArtVAT}
	switch {
	case !c.Registered:
		f.Why = "the contract is not registered (认定登记), which the exemption requires"
	case c.Type == Transfer || c.Type == Development:
		f.Pass, f.Why = true, "registered "+c.Type.ZH()+": VAT exempt"
	case c.Type == License && QualifiedLicence(c.Licence):
		f.Pass, f.Why = true, "registered licence that counts as a transfer: VAT exempt"
	default:
		f.Why = "a " + string(c.Type) + " contract is not covered (only transfer and development, or a qualifying licence)"
	}
	return f
}

// CheckIncomeTax: the income-tax relief on transfer income (exempt up to
// ¥5M a year, halved above) needs a registered transfer contract, or a
// licence that counts as a transfer.
func CheckIncomeTax(c Contract) Finding {
	f := Finding{Rule: RuleIncomeTax, Article: ArtIncomeTax}
	switch {
	case !c.Registered:
		f.Why = "the contract is not registered (认定登记), which the relief requires"
	case c.Type == Transfer:
		f.Pass, f.Why = true, "registered transfer: income up to 500万元 exempt, halved above"
	case c.Type == License && QualifiedLicence(c.Licence):
		f.Pass, f.Why = true, "registered licence that counts as a transfer: income up to 500万元 exempt, halved above"
	default:
		f.Why = "only transfer income qualifies (a licence only if exclusive, worldwide and at least 5 years); this is a " + string(c.Type) + " contract"
	}
	return f
}

func joinAnd(xs []string) string {
	switch len(xs) {
	case 0:
		return ""
	case 1:
		return xs[0]
	}
	s := ""
	for i, x := range xs[:len(xs)-1] {
		if i > 0 {
			s += ", "
		}
		s += x
	}
	return s + " and " + xs[len(xs)-1]
}
