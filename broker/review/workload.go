package review

import (
	"errors"
	"slices"
	"strconv"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/internal/textnorm"
)

// Workload is one expert's review load (专家评审量): the seats they hold
// now and, per calendar year, the invitations they received and answered
// and the reviews they did. Its ID is the expert's. The operations keep it
// in the same transaction as each seat's change, and every plan reads it:
// an expert takes no more panels than their load at once allows
// (Expert.MaxLoad, else Options.MaxLoad) less the seats they hold, nor more
// than the yearly load (Options.YearlyLoad) less the reviews done this year
// and the seats they hold. It is confidential: read by the expert
// (Assignee), platform admins and the operations.
type Workload struct {
	broker.Meta
	Expert string `json:"expert" validate:"required,max=64"`
	// Open is the number of seats the expert holds without having
	// submitted: planned, invited or accepted on a panel that has not
	// locked.
	Open  int        `json:"open" validate:"min=0"`
	Years []YearLoad `json:"years,omitempty" validate:"max=100,dive"`
}

// YearLoad counts one expert's review work in one calendar year.
type YearLoad struct {
	Year     int `json:"year"`
	Invited  int `json:"invited"`  // invitations received
	Accepted int `json:"accepted"` // invitations accepted
	Declined int `json:"declined"` // invitations declined (or recused)
	Done     int `json:"done"`     // sheets submitted: completed reviews
	Missed   int `json:"missed"`   // accepted seats whose panel locked without their sheet
}

// RecordKind is KindWorkload.
func (Workload) RecordKind() broker.Kind { return KindWorkload }

// Tier: a workload is confidential.
func (Workload) Tier() broker.Visibility { return broker.Confidential }

// Assignees: the expert reads their own workload.
func (w Workload) Assignees() []string { return []string{w.Expert} }

// Normalized sets the ID to the expert's and sorts the years.
func (w Workload) Normalized() Workload {
	w.Visibility = broker.Confidential
	w.Expert = textnorm.Text(w.Expert)
	w.ID = w.Expert
	w.Years = slices.Clone(w.Years)
	slices.SortFunc(w.Years, func(a, b YearLoad) int { return a.Year - b.Year })
	return w
}

// Validate checks that no count is negative.
func (w Workload) Validate(c *broker.Check) {
	for i, y := range w.Years {
		if y.Invited < 0 || y.Accepted < 0 || y.Declined < 0 || y.Done < 0 || y.Missed < 0 {
			c.Add("years["+itoa(i)+"]", "negative", "", itoa(y.Year))
		}
	}
}

// In returns the counts of a year (zero if none).
func (w Workload) In(year int) YearLoad {
	for _, y := range w.Years {
		if y.Year == year {
			return y
		}
	}
	return YearLoad{Year: year}
}

// year returns the counts of a year to change, adding the year if needed.
func (w *Workload) year(year int) *YearLoad {
	for i := range w.Years {
		if w.Years[i].Year == year {
			return &w.Years[i]
		}
	}
	w.Years = append(w.Years, YearLoad{Year: year})
	return &w.Years[len(w.Years)-1]
}

// left is how many more panels the expert may take in a plan of year:
// min(at once − open, yearly − done this year − open), never below 0.
func (w Workload) left(year, atOnce, yearly int) int {
	return max(0, min(atOnce-w.Open, yearly-w.In(year).Done-w.Open))
}

// adjustLoad changes an expert's workload inside the transaction, creating
// it on first use; the principal's right to do act to subject (the panel
// the change comes from) authorizes the write.
func (s *Service) adjustLoad(tx *broker.Tx, p broker.Principal, act broker.Action, subject broker.Target, expert string, change func(*Workload)) error {
	w, err := broker.Read[Workload](tx, expert)
	switch {
	case errors.Is(err, broker.ErrNotFound):
		w = Workload{Expert: expert}
		change(&w)
		w.Open = max(w.Open, 0)
		_, err = broker.Create(tx, p, w, broker.Via(act, subject), broker.Logged("created", nil))
		return err
	case err != nil:
		return err
	}
	change(&w)
	w.Open = max(w.Open, 0)
	_, err = broker.Replace(tx, p, w, broker.Via(act, subject), broker.Logged("updated", nil))
	return err
}

// loadsLeft reads every workload inside the transaction and returns, for
// each expert of the pool, how many panels they may still take this year.
func (s *Service) loadsLeft(tx *broker.Tx, experts []broker.Expert, year int) (map[string]int, error) {
	ws, err := broker.Find[Workload](tx, reader, broker.ListOptions{})
	if err != nil {
		return nil, err
	}
	byID := make(map[string]Workload, len(ws))
	for _, w := range ws {
		byID[w.Expert] = w
	}
	left := make(map[string]int, len(experts))
	for _, e := range experts {
		atOnce := s.opts.MaxLoad
		if e.MaxLoad > 0 {
			atOnce = e.MaxLoad
		}
		left[e.ID] = byID[e.ID].left(year, atOnce, s.opts.YearlyLoad)
	}
	return left, nil
}

func itoa(i int) string { return strconv.Itoa(i) }
