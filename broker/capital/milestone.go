package capital

import (
	"strconv"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
)

// The rules of an incubation's plan (里程碑 milestones and 融资 funding
// rounds), as pure functions: a milestone falls due on or after the deal,
// has a unique name, and a done one says when; a funding round is an
// amount in yuan raised on or after the deal; a pending milestone past its
// due date is overdue, by whole days.

// MilestoneStatus is the state of one milestone.
type MilestoneStatus string

// Milestone statuses.
const (
	MilestonePending   MilestoneStatus = "pending"
	MilestoneDone      MilestoneStatus = "done"
	MilestoneMissed    MilestoneStatus = "missed"
	MilestoneCancelled MilestoneStatus = "cancelled"
)

// Milestone is one step of an incubation plan (里程碑).
type Milestone struct {
	Name   string          `json:"name" validate:"required,max=200"`
	Due    time.Time       `json:"due"`
	Status MilestoneStatus `json:"status,omitempty" validate:"omitempty,oneof=pending done missed cancelled"`
	Done   time.Time       `json:"done,omitzero"` // when it was done; required when Status is done
	Note   string          `json:"note,omitempty" validate:"max=2000"`
}

// FundingRound is money raised by the venture during incubation (融资).
type FundingRound struct {
	Stage  InvestStage     `json:"stage,omitempty" validate:"omitempty,oneof=seed angel pre_a a b c growth pre_ipo"`
	Amount decimal.Decimal `json:"amount"`
	Date   time.Time       `json:"date,omitzero"`
	// Investors are investor IDs or names (not organizations).
	Investors []string `json:"investors,omitempty" validate:"max=50,dive,max=200"`
	Note      string   `json:"note,omitempty" validate:"max=2000"`
}

// Raised returns the total of the funding rounds.
func Raised(rounds []FundingRound) decimal.Decimal {
	t := decimal.Zero
	for _, f := range rounds {
		t = t.Add(f.Amount)
	}
	return t
}

// Overdue returns the pending milestones due before at, in plan order.
func Overdue(ms []Milestone, at time.Time) []Milestone {
	var out []Milestone
	for _, m := range ms {
		if m.Status == MilestonePending && m.Due.Before(at) {
			out = append(out, m)
		}
	}
	return out
}

// DaysLate is the number of whole days from due to at (0 when at is not
// after due).
func DaysLate(due, at time.Time) int {
	if !at.After(due) {
		return 0
	}
	return int(at.Sub(due) / (24 * time.Hour))
}

// CheckPlan adds to c every broken rule of a plan whose deal was on
// dealDate (zero: unknown, no date order is checked): a milestone without
// a due date (required), due before the deal (date_order), done without a
// date (done: required) or named twice (unique); a round that is not an
// amount in yuan, or dated before the deal (date_order). Fields are named
// milestones[i].… and funding[i].….
func CheckPlan(c *broker.Check, dealDate time.Time, ms []Milestone, rounds []FundingRound) {
	deal := "the deal date " + dealDate.Format(time.DateOnly)
	names := map[string]bool{}
	for i, m := range ms {
		f := "milestones[" + strconv.Itoa(i) + "]"
		switch {
		case m.Due.IsZero():
			c.Add(f+".due", "required", "", "")
		case !dealDate.IsZero() && m.Due.Before(dealDate):
			c.Add(f+".due", "date_order", deal, m.Due.Format(time.DateOnly))
		}
		if m.Status == MilestoneDone && m.Done.IsZero() {
			c.Add(f+".done", "required", "", "")
		}
		if names[m.Name] {
			c.Add(f+".name", "unique", "", m.Name)
		}
		names[m.Name] = true
	}
	for i, r := range rounds {
		f := "funding[" + strconv.Itoa(i) + "]"
		c.Money(f+".amount", r.Amount)
		if !r.Date.IsZero() && !dealDate.IsZero() && r.Date.Before(dealDate) {
			c.Add(f+".date", "date_order", deal, r.Date.Format(time.DateOnly))
		}
	}
}
