package contract

import "strconv"

// MinNoticeDays is the shortest public notice (公示) of the result's name
// and price that a state-funded research institute or university
// (Party.Public) must complete before a price set by agreement (Art. 18 of
// the Law on Promoting the Transformation of S&T Achievements) is final: 15
// days, the period the project's reference gives for Art. 18 ("公示,
// commonly 15 days"). A unit's own or a local rule may require longer
// (CheckOptions.NoticeDays); nothing makes it shorter.
const MinNoticeDays = 15

// DefaultNoticeDays is MinNoticeDays.
//
// Deprecated: use MinNoticeDays or RequiredNoticeDays. It is a floor, not
// a default that options may lower.
const DefaultNoticeDays = MinNoticeDays

// RequiredNoticeDays is the single source of the notice rule: the number of
// days of 公示 a price needs before it is final. For a state-funded seller
// (sellerPublic, Party.Public) pricing by agreement (ByAgreement) it is
// MinNoticeDays, or opts.NoticeDays when that is longer; otherwise it is 0,
// since Art. 18 asks no notice of other sellers, nor of prices set by
// listing or auction. CheckPricing applies it to a signed contract; a
// platform applies it, through CheckNoticeDays, when a listing's notice
// period is set or published, so that a shorter notice is refused before
// it starts rather than only when the deal closes.
func RequiredNoticeDays(sellerPublic bool, path PricingPath, opts *CheckOptions) int {
	if !sellerPublic || path != ByAgreement {
		return 0
	}
	if opts != nil && opts.NoticeDays > MinNoticeDays {
		return opts.NoticeDays
	}
	return MinNoticeDays
}

// CheckNoticeDays checks a planned notice period of days before the notice
// runs: nil when it meets RequiredNoticeDays(sellerPublic, path, opts),
// otherwise a *FieldError on "NoticeDays" (unwrapping to ErrInvalid) that
// names the days given and the days required. A negative period is always
// refused.
func CheckNoticeDays(sellerPublic bool, path PricingPath, days int, opts *CheckOptions) error {
	v := strconv.Itoa(days)
	if days < 0 {
		return bad("NoticeDays", v, "must not be negative")
	}
	if need := RequiredNoticeDays(sellerPublic, path, opts); days < need {
		return bad("NoticeDays", v, "a state-funded research institute or university pricing by agreement needs at least "+strconv.Itoa(need)+" days of public notice (公示) before the price is final")
	}
	return nil
}
