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
// (Assignee), platform admins, the operations, and — as the principal who
// added it — the staff member whose operation first counted the expert.
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

// loadBook is the workloads a transaction decided a plan or a re-solve
// on: every expert's, found at once (a nil book when the transaction read
// none). Writes after such a decision go through the book, so that a
// workload changed — or created — by a concurrent transaction since is
// the store's stale version and the decision is made again.
type loadBook map[string]Workload

// readLoads finds every workload inside the transaction.
func readLoads(tx *broker.Tx) (loadBook, error) {
	ws, err := broker.Find[Workload](tx, reader, broker.ListOptions{})
	if err != nil {
		return nil, err
	}
	book := make(loadBook, len(ws))
	for _, w := range ws {
		book[w.Expert] = w
	}
	return book, nil
}

// left returns, for each expert of the pool, how many panels they may
// still take in a plan of year.
func (s *Service) left(book loadBook, experts []broker.Expert, year int) map[string]int {
	left := make(map[string]int, len(experts))
	for _, e := range experts {
		atOnce := s.opts.MaxLoad
		if e.MaxLoad > 0 {
			atOnce = e.MaxLoad
		}
		left[e.ID] = book[e.ID].left(year, atOnce, s.opts.YearlyLoad)
	}
	return left
}

// adjustLoad changes an expert's workload inside the transaction, creating
// it on first use; the principal's right to do act to subject (the panel
// the change comes from) authorizes the write. With a book, the workload
// is the book's (see loadBook); without, it is read now.
func (s *Service) adjustLoad(tx *broker.Tx, p broker.Principal, act broker.Action, subject broker.Target, expert string, book loadBook, change func(*Workload)) error {
	var w Workload
	var err error
	found := false
	if book != nil {
		w, found = book[expert]
	} else {
		w, err = broker.Read[Workload](tx, expert)
		if err != nil && !errors.Is(err, broker.ErrNotFound) {
			return err
		}
		found = err == nil
	}
	if !found {
		w = Workload{Expert: expert}
	}
	change(&w)
	w.Open = max(w.Open, 0)
	if !found {
		w, err = broker.Create(tx, p, w, broker.Via(act, subject), broker.Logged("created", nil))
	} else {
		w, err = broker.Replace(tx, p, w, broker.Via(act, subject), broker.Logged("updated", nil))
	}
	if err == nil && book != nil {
		book[expert] = w
	}
	return err
}

func itoa(i int) string { return strconv.Itoa(i) }
