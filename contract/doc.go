// Package contract holds the rules of Chinese technology contracts: payment
// terms and dated payment schedules (Civil Code Art. 846), compliance checks
// that explain themselves, the inventors' default reward (Art. 45 of the Law
// on Promoting the Transformation of S&T Achievements), eligibility for
// technical-contract registration (技术合同认定登记) and a labelled estimate
// of the tax relief it unlocks. It is pure: no storage, no context, no I/O.
// Every amount is a decimal.Decimal in yuan (CNY); the package never touches
// decimal's global settings and rounds explicitly.
//
// # Contract types
//
// Type is one of the five kinds of Civil Code Art. 843: development,
// transfer, licence, consulting and service (Art. 862–863 separate transfer
// from licence).
//
// # Payment terms and schedules
//
// Terms follow Art. 846: a lump sum paid at once (LumpSum); a lump sum paid
// in instalments (Instalments, equal or weighted parts, every EveryMonths
// months); a royalty (提成, Royalty) on sales, new output value or profit at
// a fixed rate or one rising or falling by a step each year; or an entry fee
// plus a royalty (EntryFeeRoyalty). Plan turns terms into a dated Schedule.
// Royalty schedules are computed on a projected base per year that the
// caller supplies; the package makes no forecast.
//
// Rounding (RoundingRule): an instalment is total × weight / Σweights
// rounded down to the cent, and the last instalment takes the remainder, so
// the parts always sum exactly to the total (¥1,000,000.00 in 3 parts is
// 333,333.33 + 333,333.33 + 333,333.34). A royalty is base × rate / 100
// rounded half away from zero to the cent; a loss year pays nothing.
//
// # Compliance findings
//
// Check runs every rule on a Contract and returns one Finding per rule: the
// rule's name, the article it applies, pass or fail and why, so a broker can
// show the reason to the parties. The rules are: the contract type (Art.
// 843); complete payment terms (Art. 846); written form (Art. 851, 863); the
// Art. 18 pricing path for public institutes and universities (an agreement
// price needs a completed 公示 of the result's name and price, at least
// MinNoticeDays (15) days, ending before signing; otherwise evidence of
// listing on an exchange or of an auction); a patent licence within the patent's term
// (Art. 865); registration eligibility; a licence counting as a transfer
// (exclusive, worldwide, at least 5 years); VAT exemption; and income-tax
// relief.
//
// # The notice rule
//
// RequiredNoticeDays is the one source of the 公示 period: 15 days
// (MinNoticeDays) for a state-funded seller pricing by agreement, or a
// longer period a unit's or local rule sets through CheckOptions.NoticeDays,
// which can raise it and never lower it; 0 where Art. 18 asks no notice.
// CheckPricing applies it to a signed contract, and a platform applies it
// through CheckNoticeDays when a listing's notice period is set or
// published, so a notice too short is refused before it runs, not only when
// the deal closes.
//
// # Rewards
//
// DefaultReward computes the default reward for the inventors' team when
// the unit has no rule of its own: at least 50% of the net income from a
// transfer or licence, at least 50% of the equity from 作价投资, at least
// 5% of the operating profit in each of 3–5 years when the unit implements
// the result itself. Minimums are rounded up to the cent. CheckReward
// compares a paid reward with it; SplitReward divides a reward by shares.
//
// # Tax relief
//
// EstimateTaxRelief gives a labelled estimate (TaxLabel: the tax office
// decides): VAT exemption for registered transfer and development contracts
// (and licences that count as transfers), and income tax exempt on up to
// ¥5M of transfer income a year and halved above. Rates are options
// (defaults 6% VAT, 25% income tax). The VAT rule follows the project's
// reference; the official scope (财税〔2016〕36号) also covers related
// consulting and services and should be confirmed locally.
//
// # Errors
//
// Bad inputs return a *FieldError naming the field, the value and the
// reason; it unwraps to ErrInvalid. Nothing panics on user data.
package contract
