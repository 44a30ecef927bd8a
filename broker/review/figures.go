package review

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/broker"
)

// Figures are the review figures of one calendar year, for the staff and
// expert figures and the broker scorecard: plain values, counted from the
// panels. An invitation counts in the year it was sent, a review in the
// year its sheet came in, a due sheet in the year of its deadline.
type Figures struct {
	Year   int
	Broker string // empty: every broker
	// Invitations sent; Accepted and Declined of them (an expert who
	// accepted and later left counts in both).
	Invitations, Accepted, Declined int
	// AcceptRate is Accepted / Invitations (0 without invitations).
	AcceptRate float64
	// Due counts the sheets due: those in, and those of accepted seats
	// whose deadline passed or whose panel locked without them. OnTime
	// counts the sheets in by their deadline — every sheet in, since a
	// late one is refused. OnTimeRate is OnTime / Due (0 when none is due).
	Due, OnTime int
	OnTimeRate  float64
	// Reviews is the number of sheets submitted: completed reviews.
	Reviews int
	// Verdicts counts the verdicts issued in the year, Disagreements those
	// issued over a disagreement (after a moderator). KendallW and ICC are
	// the panels' mean agreement over the verdicts that define it
	// (AgreementVerdicts and ICCVerdicts of them); NaN when none does.
	Verdicts, Disagreements        int
	AgreementVerdicts, ICCVerdicts int
	KendallW, ICC                  float64
	// PerExpert and PerBroker break the counts down, by ID.
	PerExpert []Count
	PerBroker []Count
}

// Count is one expert's or one broker's share of the figures.
type Count struct {
	ID                              string
	Invitations, Accepted, Declined int
	Due, OnTime, Reviews            int
}

// FigureQuery selects the figures.
type FigureQuery struct {
	// Broker keeps one industry broker's panels; empty means every
	// broker's, for platform admins.
	Broker string
	// Year is the calendar year (Options.Location); 0 means this year.
	Year int
}

// Figures counts a year's review figures. The principal must read the
// broker's desk figures (the policy's ActRead on the desk: its staff,
// platform admins and oversight, these two for every broker).
func (s *Service) Figures(ctx context.Context, p broker.Principal, q FigureQuery) (Figures, error) {
	if !broker.Can(p, broker.ActRead, broker.DeskTarget(q.Broker)) {
		return Figures{}, broker.Forbidden("figures", KindPanel, "", "only platform admins, the broker's staff and oversight")
	}
	now := s.sys.Now()
	if q.Year == 0 {
		q.Year = s.year(now)
	}
	pns, err := s.Panels.Find(ctx, reader, broker.ListOptions{Broker: q.Broker})
	if err != nil {
		return Figures{}, broker.Wrap("figures", KindPanel, "", err)
	}
	f := s.count(pns, q, now)
	vs, err := s.Verdicts.Find(ctx, reader, broker.ListOptions{Broker: q.Broker})
	if err != nil {
		return Figures{}, broker.Wrap("figures", KindVerdict, "", err)
	}
	var w, icc float64
	for _, v := range vs {
		if v.Issued.IsZero() || s.year(v.Issued) != q.Year {
			continue
		}
		f.Verdicts++
		if v.Disagreement {
			f.Disagreements++
		}
		if a := v.Agreement.KendallW; a != nil && !math.IsNaN(*a) {
			f.AgreementVerdicts++
			w += *a
		}
		if a := v.Agreement.ICC; a != nil && !math.IsNaN(*a) {
			f.ICCVerdicts++
			icc += *a
		}
	}
	f.KendallW, f.ICC = math.NaN(), math.NaN()
	if f.AgreementVerdicts > 0 {
		f.KendallW = w / float64(f.AgreementVerdicts)
	}
	if f.ICCVerdicts > 0 {
		f.ICC = icc / float64(f.ICCVerdicts)
	}
	return f, nil
}

// Fill sets the review figures of a scorecard's broker statistics: the
// invitations sent and accepted, the sheets due and in on time, the reviews
// done, the verdicts and the panels' agreement, and the experts engaged
// (those who completed a review in the year). Fill figures of one broker.
func (f Figures) Fill(st *assessment.BrokerStats) {
	st.ReviewInvitations, st.ReviewsAccepted = f.Invitations, f.Accepted
	st.ReviewsDue, st.ReviewsOnTime, st.Reviews = f.Due, f.OnTime, f.Reviews
	st.Verdicts, st.AgreementVerdicts, st.PanelAgreement = f.Verdicts, f.AgreementVerdicts, 0
	if f.AgreementVerdicts > 0 {
		st.PanelAgreement = f.KendallW
	}
	n := 0
	for _, c := range f.PerExpert {
		if c.Reviews > 0 {
			n++
		}
	}
	st.ExpertsEngaged = n
}

// count adds up the figures of a year from panels.
func (s *Service) count(pns []Panel, q FigureQuery, now time.Time) Figures {
	f := Figures{Year: q.Year, Broker: q.Broker}
	experts, brokers := map[string]*Count{}, map[string]*Count{}
	in := func(t time.Time) bool { return !t.IsZero() && s.year(t) == q.Year }
	tally := func(expert, brokerID string, do func(*Count)) {
		for _, m := range []struct {
			m  map[string]*Count
			id string
		}{{experts, expert}, {brokers, brokerID}} {
			c, ok := m.m[m.id]
			if !ok {
				c = &Count{ID: m.id}
				m.m[m.id] = c
			}
			do(c)
		}
		total := &Count{}
		do(total)
		f.Invitations += total.Invitations
		f.Accepted += total.Accepted
		f.Declined += total.Declined
		f.Due += total.Due
		f.OnTime += total.OnTime
		f.Reviews += total.Reviews
	}
	for _, pn := range pns {
		closed := pn.Status == StatusLocked || pn.Status == StatusDecided
		for _, st := range pn.Seats {
			if st.Expert == "" {
				continue
			}
			tally(st.Expert, pn.Broker, func(c *Count) {
				if in(st.Invited) {
					c.Invitations++
				}
				if in(st.Answered) {
					c.Accepted++
				}
				if in(st.Submitted) {
					c.Reviews++
				}
				switch {
				case st.Status == SeatSubmitted && in(pn.Deadline):
					c.Due++
					c.OnTime++ // a late sheet is refused
				case st.Status == SeatAccepted && in(pn.Deadline) && (closed || now.After(pn.Deadline)):
					c.Due++
				}
			})
		}
		for _, d := range pn.Declined {
			tally(d.Expert, pn.Broker, func(c *Count) {
				if in(d.Invited) {
					c.Invitations++
				}
				if in(d.Answered) {
					c.Accepted++
				}
				if d.Rule == "declined" && !d.Invited.IsZero() && in(d.At) {
					c.Declined++
				}
			})
		}
	}
	f.AcceptRate = rate(f.Accepted, f.Invitations)
	f.OnTimeRate = rate(f.OnTime, f.Due)
	f.PerExpert, f.PerBroker = counts(experts), counts(brokers)
	return f
}

func rate(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return float64(n) / float64(d)
}

func counts(m map[string]*Count) []Count {
	out := make([]Count, 0, len(m))
	for _, c := range m {
		if *c != (Count{ID: c.ID}) {
			out = append(out, *c)
		}
	}
	slices.SortFunc(out, func(a, b Count) int { return cmp.Compare(a.ID, b.ID) })
	return out
}
