package capital

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// The fit of an investor to an achievement on offer: how its stages, its
// ticket and its regions suit the achievement's readiness, asking price
// and region. These are the investor signals of a Match, pure functions
// of their arguments; each returns its value in [0, 1] and the reason in
// words.

// ReadinessBand is the range of technology readiness levels (1–9) that an
// investment stage usually takes up. It is a heuristic for ranking, not a
// rule: investors differ, and the bands overlap on purpose.
type ReadinessBand struct{ Min, Max int }

// DefaultStageReadiness maps stages to readiness bands: seed TRL 1–4,
// angel 3–6, pre-A 4–6, A 5–7, B 6–8, C 7–9, growth and pre-IPO 8–9. It is
// a labelled heuristic; pass your own in MatchOptions.StageReadiness.
func DefaultStageReadiness() map[InvestStage]ReadinessBand {
	return map[InvestStage]ReadinessBand{
		StageSeed: {1, 4}, StageAngel: {3, 6}, StagePreA: {4, 6}, StageA: {5, 7},
		StageB: {6, 8}, StageC: {7, 9}, StageGrowth: {8, 9}, StagePreIPO: {8, 9},
	}
}

// StageFit scores an achievement's readiness level against the readiness
// bands of the investor's stages: 1 inside a band, falling by 1/3 per level
// outside the nearest band (0 from three levels away), 0.5 when the level
// is unknown (0), the investor names no stage or no band is given for its
// stages.
func StageFit(v Investor, level int, bands map[InvestStage]ReadinessBand) (float64, string) {
	if level == 0 {
		return 0.5, "readiness not assessed"
	}
	if len(v.Stages) == 0 {
		return 0.5, "the investor names no stage"
	}
	best := -1
	var bestStage InvestStage
	for _, s := range v.Stages {
		b, ok := bands[s]
		if !ok {
			continue
		}
		d := 0
		switch {
		case level < b.Min:
			d = b.Min - level
		case level > b.Max:
			d = level - b.Max
		}
		if best < 0 || d < best {
			best, bestStage = d, s
		}
	}
	if best < 0 {
		return 0.5, "no readiness band for the investor's stages"
	}
	b := bands[bestStage]
	if best == 0 {
		return 1, fmt.Sprintf("readiness level %d is within the %s band %d–%d", level, bestStage, b.Min, b.Max)
	}
	return max(0, 1-float64(best)/3), fmt.Sprintf("readiness level %d is %d level(s) outside the %s band %d–%d", level, best, bestStage, b.Min, b.Max)
}

// TicketFit scores an achievement's asking price (a proxy for the money it
// needs) against the investor's ticket: 1 inside, 0.5 when the price is
// zero (unknown or negotiable), else 0.
func TicketFit(v Investor, price decimal.Decimal) (float64, string) {
	if price.IsZero() {
		return 0.5, "no asking price (negotiable)"
	}
	rng := v.Ticket.Min.String() + "–"
	if v.Ticket.Max.IsZero() {
		rng += "∞"
	} else {
		rng += v.Ticket.Max.String()
	}
	if v.TicketFits(price) {
		return 1, "asking price " + price.String() + " is within the ticket " + rng
	}
	return 0, "asking price " + price.String() + " is outside the ticket " + rng
}

// RegionFit scores the achievement's region against the investor's: 1 when
// the investor invests anywhere or in that region (Investor.Serves), else 0.
func RegionFit(v Investor, region string) (float64, string) {
	switch {
	case len(v.Regions) == 0:
		return 1, "the investor invests in any region"
	case v.Serves(region):
		return 1, "the investor invests in " + region
	}
	return 0, "the investor does not name the achievement's region"
}
