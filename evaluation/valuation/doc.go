// Package valuation values technology achievements in money, following the
// three approaches of Chinese practice (GB/T 39057-2020 科技成果经济价值评估
// 指南 names them; its text is not reproduced here) and numpy-financial's
// conventions for the time value of money.
//
// # Approaches
//
// IncomeApproach (收益法): expected benefits × profit-sharing rate (分成率),
// discounted at a build-up rate (risk-free rate + technical, market, funding
// and management premiums). ReliefFromRoyalty: present value of after-tax
// royalties avoided. MarketApproach: comparable deals × adjustment factors.
// CostApproach: replacement cost less physical, functional and economic
// obsolescence. Each returns a Report with method, inputs, assumptions,
// value, range and, for income and royalty, a sensitivity table of the
// sharing/royalty rate and the discount rate at ±1 point.
//
// # Time value of money
//
// NPV, PV and IRR follow numpy-financial: NPV discounts the first flow at
// t = 0 (unlike Excel's NPV); IRR prefers a non-negative root, then the one
// nearest zero, and reports "no IRR" (Found = false) when there is no real
// root.
//
// # Numbers
//
// Money is decimal.Decimal, and so are rates (so that 0.08 is exactly
// 0.08 and reports repeat their inputs verbatim). Intermediate divisions keep
// Precision (16) decimal places plus 4 guard digits; NPV and PV are rounded to
// Precision places, report values to fen (2 places, half away from zero).
// Only IRR's root search runs in float64 — it is not money, and the roots of
// a polynomial need floating point; its result is returned rounded to 12
// places. The package never touches decimal's global settings.
package valuation
