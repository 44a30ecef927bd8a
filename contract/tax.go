package contract

import (
	"github.com/shopspring/decimal"
)

// TaxOptions are the rates of a tax-relief estimate. A nil *TaxOptions
// means defaults.
type TaxOptions struct {
	// VATRate in percent; 0 means 6 (the rate for modern services).
	VATRate decimal.Decimal
	// IncomeTaxRate in percent; 0 means 25 (the standard corporate rate).
	IncomeTaxRate decimal.Decimal
	// ExemptUpTo is the yearly transfer income exempt from income tax; 0
	// means 5,000,000 yuan (500万元).
	ExemptUpTo decimal.Decimal
}

func (o *TaxOptions) rates() (vat, income, exempt decimal.Decimal) {
	vat, income, exempt = decimal.NewFromInt(6), decimal.NewFromInt(25), decimal.NewFromInt(5_000_000)
	if o == nil {
		return
	}
	if o.VATRate.Sign() > 0 {
		vat = o.VATRate
	}
	if o.IncomeTaxRate.Sign() > 0 {
		income = o.IncomeTaxRate
	}
	if o.ExemptUpTo.Sign() > 0 {
		exempt = o.ExemptUpTo
	}
	return
}

// TaxLabel marks every tax estimate.
const TaxLabel = "估算，仅供参考，不构成税务意见 / estimate only, not tax advice: the tax office decides"

// TaxEstimate is a labelled estimate of the tax relief a registered
// technical contract may unlock. All amounts are yuan rounded half away
// from zero to the cent.
type TaxEstimate struct {
	Label string
	// VAT: the exemption applies and the VAT it saves on the contract
	// amount (amount × rate, the amount taken as tax-exclusive).
	VATExempt bool
	VATSaved  decimal.Decimal
	// Income tax on the year's transfer income (所得: income less costs,
	// as the caller gives it): the part exempt, the part halved and the
	// tax saved.
	IncomeTaxRelief bool
	ExemptIncome    decimal.Decimal
	HalvedIncome    decimal.Decimal
	IncomeTaxSaved  decimal.Decimal
	Total           decimal.Decimal // VATSaved + IncomeTaxSaved
	Findings        []Finding       // the eligibility findings behind the estimate
}

// EstimateTaxRelief estimates the relief for contract c with the year's
// transfer income (net of costs) transferIncome: VAT exemption for a
// registered transfer or development contract (or a qualifying licence),
// and income tax exempt on transfer income up to ExemptUpTo and halved
// above it. The estimate is labelled (TaxLabel) and carries the findings it
// rests on; amounts that do not qualify are zero.
func EstimateTaxRelief(c Contract, transferIncome decimal.Decimal, opts *TaxOptions) (TaxEstimate, error) {
	if err := checkAmount("Amount", c.Amount); err != nil {
		return TaxEstimate{}, err
	}
	if err := checkAmount("transferIncome", transferIncome); err != nil {
		return TaxEstimate{}, err
	}
	vatRate, incRate, exempt := opts.rates()
	e := TaxEstimate{Label: TaxLabel}
	vat, inc := CheckVAT(c), CheckIncomeTax(c)
	e.Findings = []Finding{CheckRegistration(c), CheckQualifiedLicence(c), vat, inc}
	if vat.Pass {
		e.VATExempt = true
		e.VATSaved = c.Amount.Mul(vatRate).Div(hundred).Round(2)
	}
	if inc.Pass {
		e.IncomeTaxRelief = true
		e.ExemptIncome = decimal.Min(transferIncome, exempt)
		e.HalvedIncome = decimal.Max(transferIncome.Sub(exempt), decimal.Zero)
		saved := e.ExemptIncome.Mul(incRate).Add(e.HalvedIncome.Mul(incRate).Div(decimal.NewFromInt(2)))
		e.IncomeTaxSaved = saved.Div(hundred).Round(2)
	}
	e.Total = e.VATSaved.Add(e.IncomeTaxSaved)
	return e, nil
}
