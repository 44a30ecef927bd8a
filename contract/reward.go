package contract

import (
	"fmt"
	"strconv"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/money"
)

// RewardBasis is how a result was turned to account, which decides the
// default reward of Art. 45.
type RewardBasis string

// Reward bases of Art. 45.
const (
	// FromTransferOrLicence: transferred or licensed to others; the team
	// gets at least 50% of the net income.
	FromTransferOrLicence RewardBasis = "transfer_or_licence"
	// FromInvestment: invested as equity (作价投资); the team gets at least
	// 50% of the equity (shares or its value).
	FromInvestment RewardBasis = "investment"
	// FromImplementation: implemented by the unit itself or jointly; the
	// team gets at least 5% of the operating profit each year for 3–5
	// years.
	FromImplementation RewardBasis = "implementation"
)

// RewardInput is what the default reward is computed from.
type RewardInput struct {
	Basis RewardBasis
	// Income and Costs (yuan) for FromTransferOrLicence: net income is
	// Income − Costs (never below zero).
	Income decimal.Decimal
	Costs  decimal.Decimal
	// Equity for FromInvestment: the shares or their value (yuan).
	Equity decimal.Decimal
	// Profits for FromImplementation: the operating profit of each year of
	// implementation, 3 to 5 years. A loss year yields no reward.
	Profits []decimal.Decimal
}

// Reward is the statutory default reward for the inventors' team.
type Reward struct {
	Basis   RewardBasis
	Percent decimal.Decimal // the statutory minimum share, in percent
	// Of is what Percent applies to: the net income, the equity or the
	// sum of the years' positive profits.
	Of      decimal.Decimal
	Minimum decimal.Decimal   // the minimum reward (yuan, or shares for equity)
	Years   []decimal.Decimal // FromImplementation: the minimum for each year
	Article string
	Why     string
}

var (
	fifty = decimal.NewFromInt(50)
	five  = decimal.NewFromInt(5)
)

// DefaultReward computes the reward of Art. 45 that applies when the unit
// has no rule or agreement of its own: at least 50% of the net income from
// a transfer or licence; at least 50% of the equity from 作价投资; at least
// 5% of the operating profit for each of 3–5 years of implementation.
// Minimums are rounded up to the cent (分), so paying the Minimum never
// falls short of the statutory share.
func DefaultReward(in RewardInput) (Reward, error) {
	r := Reward{Basis: in.Basis, Article: ArtReward}
	switch in.Basis {
	case FromTransferOrLicence:
		if err := checkAmount("Income", in.Income); err != nil {
			return Reward{}, err
		}
		if err := checkAmount("Costs", in.Costs); err != nil {
			return Reward{}, err
		}
		net := decimal.Max(in.Income.Sub(in.Costs), decimal.Zero)
		r.Percent, r.Of = fifty, net
		r.Minimum = pct(net, fifty)
		r.Why = "at least 50% of the net income " + money.FormatZH(net) + " (" + money.FormatZH(in.Income) + " less costs " + money.FormatZH(in.Costs) + ")"
	case FromInvestment:
		if err := checkAmount("Equity", in.Equity); err != nil {
			return Reward{}, err
		}
		r.Percent, r.Of = fifty, in.Equity
		r.Minimum = pct(in.Equity, fifty)
		r.Why = "at least 50% of the equity " + in.Equity.String() + " obtained by investing the result"
	case FromImplementation:
		if n := len(in.Profits); n < 3 || n > 5 {
			return Reward{}, bad("Profits", strconv.Itoa(n), "give the operating profit of 3 to 5 years")
		}
		r.Percent = five
		for i, p := range in.Profits {
			if err := checkBase(i, p); err != nil {
				err.(*FieldError).Field = "Profits[" + strconv.Itoa(i) + "]"
				return Reward{}, err
			}
			y := decimal.Zero
			if p.Sign() > 0 {
				r.Of = r.Of.Add(p)
				y = pct(p, five)
			}
			r.Years = append(r.Years, y)
			r.Minimum = r.Minimum.Add(y)
		}
		r.Why = fmt.Sprintf("at least 5%% of the operating profit in each of %d years (%s in profitable years)", len(in.Profits), money.FormatZH(r.Of))
	default:
		return Reward{}, bad("Basis", string(in.Basis), "must be transfer_or_licence, investment or implementation")
	}
	return r, nil
}

// pct returns x × p / 100 rounded up to the cent.
func pct(x, p decimal.Decimal) decimal.Decimal {
	return x.Mul(p).Div(hundred).RoundCeil(2)
}

// CheckReward compares a reward the unit paid (or plans to pay) with the
// statutory default. It applies when the unit has no reward rule of its own
// and no agreement with the team (Art. 45 para. 1 puts those first).
func CheckReward(in RewardInput, paid decimal.Decimal) (Finding, error) {
	r, err := DefaultReward(in)
	if err != nil {
		return Finding{}, err
	}
	if err := checkAmount("paid", paid); err != nil {
		return Finding{}, err
	}
	f := Finding{Rule: RuleReward, Article: ArtReward}
	if paid.Cmp(r.Minimum) >= 0 {
		f.Pass, f.Why = true, "reward "+paid.StringFixed(2)+" meets the minimum "+r.Minimum.StringFixed(2)+": "+r.Why
	} else {
		f.Why = "reward " + paid.StringFixed(2) + " is below the minimum " + r.Minimum.StringFixed(2) + ": " + r.Why
	}
	return f, nil
}

// SplitReward divides a reward among the team by their shares (percent or
// any positive weights), with the rounding of Split: each part rounded down
// to the cent, the remainder to the last member.
func SplitReward(total decimal.Decimal, shares []decimal.Decimal) ([]decimal.Decimal, error) {
	if len(shares) == 0 {
		return nil, bad("shares", "0", "need at least one member")
	}
	return Split(total, len(shares), shares)
}
