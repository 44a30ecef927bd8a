package review

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/evaluation"
	"github.com/kexie/techbroker/internal/textnorm"
	"github.com/kexie/techbroker/matching/assign"
)

// PlanRequest asks for review panels at one industry broker.
type PlanRequest struct {
	// Broker is the handling industry broker; its staff plan and run the
	// panels.
	Broker string
	// Subjects are the achievements and demands to review, one panel each.
	Subjects []broker.RecordRef
	// Seats is the panel size; 0 means 5.
	Seats int
	// Society keeps the panels to members of one qualified society; empty
	// means members of any society whose evaluation qualification is valid.
	Society string
	// Template is the score sheet's criteria; nil means
	// evaluation.DefaultTemplate().
	Template *evaluation.Template
	// Scoring is how the sheets become a verdict (default: Weighted,
	// trimmed mean).
	Scoring Scoring
	// Deadline is when the sheets are due; zero means Options.ScoreDays
	// from now.
	Deadline time.Time
	// Fair maximizes the worst panel's affinity first (assign.Options.Fair).
	Fair bool
}

// Plan plans one review panel per subject from the optimal conflict-free
// assignment (PlanPanels over package matching/assign): the seats
// go to qualified panelists (members of a society with a valid evaluation
// qualification) without a conflict of interest with the subject, within
// each expert's load — the seats they hold and the reviews they did this
// year count against it (Workload) — with the highest total affinity
// (computed by the matching engine from the experts' keywords, works and
// disciplines). The panels are written in status planned, each linked to
// the subject's open case at the broker, together with the experts'
// workloads, in one transaction.
//
// The principal must operate the broker's desk (its staff, platform
// admins) and read every subject. A subject with a panel not yet decided
// at the broker is refused with broker.ErrExists; an infeasible plan
// (too few free panelists) with ErrNoPanelists, wrapping the solver's
// *assign.InfeasibleError, which names the subjects and experts concerned.
func (s *Service) Plan(ctx context.Context, p broker.Principal, req PlanRequest) ([]Panel, error) {
	req.Broker, req.Society = textnorm.Text(req.Broker), textnorm.Text(req.Society)
	if !broker.Can(p, broker.ActOperate, broker.DeskTarget(req.Broker)) {
		return nil, broker.Forbidden("plan", KindPanel, "", "only platform admins and the broker's staff plan its panels")
	}
	seats := req.Seats
	if seats == 0 {
		seats = 5
	}
	tmpl := evaluation.DefaultTemplate()
	if req.Template != nil {
		tmpl = *req.Template
	}
	c := &broker.Check{}
	if req.Broker == "" {
		c.Add("broker", "required", "", "")
	}
	if len(req.Subjects) == 0 {
		c.Add("subjects", "required", "", "")
	}
	if len(req.Subjects) > 1000 {
		c.Add("subjects", "max_len", "1000", strconv.Itoa(len(req.Subjects)))
	}
	req.Subjects = slices.Clone(req.Subjects)
	seen := map[broker.RecordRef]bool{}
	for i, ref := range req.Subjects {
		ref.ID = textnorm.Text(ref.ID)
		req.Subjects[i] = ref
		if seen[ref] {
			c.Add("subjects["+strconv.Itoa(i)+"]", "unique", "", ref.String())
		}
		seen[ref] = true
	}
	switch {
	case seats < 1:
		c.Add("seats", "min", "1", strconv.Itoa(seats))
	case seats > 50:
		c.Add("seats", "max", "50", strconv.Itoa(seats))
	}
	checkTemplate(c, "template", tmpl)
	if err := tmpl.Validate(); err == nil {
		sc := req.Scoring.normalized()
		sc.check(c, "scoring", tmpl)
		if sc.MinSheets < 0 || sc.MinSheets > seats {
			c.Add("scoring.min_sheets", "max", strconv.Itoa(seats), strconv.Itoa(sc.MinSheets))
		}
	}
	if err := c.Err(KindPanel); err != nil {
		return nil, broker.Wrap("plan", KindPanel, "", err)
	}
	experts, err := s.panelists(ctx, req.Society)
	if err != nil {
		return nil, broker.Wrap("plan", KindPanel, "", err)
	}
	if len(experts) == 0 {
		return nil, refused("plan", KindPanel, "", fmt.Errorf("%w: no member of a qualified society %q", ErrNoPanelists, req.Society))
	}
	var given map[string]map[string]float64
	if s.opts.Affinity != nil {
		var achs []string
		for _, ref := range req.Subjects {
			if ref.Kind == broker.KindAchievement {
				achs = append(achs, ref.ID)
			}
		}
		if len(achs) > 0 {
			if given, err = s.opts.Affinity(ctx, p, achs); err != nil {
				return nil, broker.Wrap("plan", KindPanel, "", err)
			}
		}
	}
	var out []Panel
	err = s.sys.Update(ctx, func(tx *broker.Tx) error {
		out = out[:0]
		now := tx.Now()
		deadline := utcMicro(req.Deadline)
		if deadline.IsZero() {
			deadline = now.Add(time.Duration(s.opts.ScoreDays) * 24 * time.Hour)
		}
		if !deadline.After(now) {
			return invalid(KindPanel, broker.FieldError{Field: "deadline", Code: "date_order", Param: now.Format(time.RFC3339), Value: deadline.Format(time.RFC3339)})
		}
		var pr PanelRequest
		subjects := make([]subject, len(req.Subjects))
		ids := make([]string, len(req.Subjects))
		for i, ref := range req.Subjects {
			sb, err := readSubject(tx, ref, "subjects["+strconv.Itoa(i)+"]")
			if err != nil {
				return err
			}
			if !broker.Can(p, broker.ActRead, sb.target) {
				return broker.Forbidden("plan", ref.Kind, ref.ID, "the subject is not visible to the principal")
			}
			subjects[i] = sb
			if ids[i], err = s.newPanelID(tx, ref, req.Broker); err != nil {
				return err
			}
			if sb.achievement != nil {
				pr.Achievements = append(pr.Achievements, *sb.achievement)
			} else {
				pr.Demands = append(pr.Demands, *sb.demand)
			}
		}
		book, err := readLoads(tx)
		if err != nil {
			return err
		}
		pr.Experts, pr.Cover, pr.MaxLoad, pr.LoadLeft = experts, seats, s.opts.MaxLoad, s.left(book, experts, s.year(now))
		pr.Rules, pr.Fair, pr.Engine, pr.Affinity = *s.opts.Rules, req.Fair, s.opts.Engine, given
		plan, err := PlanPanels(tx.Context(), pr)
		if errors.Is(err, assign.ErrInfeasible) {
			return refused("plan", KindPanel, "", fmt.Errorf("%w: %w", ErrNoPanelists, err))
		}
		if err != nil {
			return err
		}
		desk := broker.DeskTarget(req.Broker)
		loads := loadChanges{}
		for i, sb := range subjects {
			pn := Panel{Meta: broker.Meta{ID: ids[i], Broker: req.Broker}, Subject: sb.ref, Title: sb.title, Society: req.Society,
				Status: StatusPlanned, Template: tmpl, Scoring: req.Scoring, Deadline: deadline}
			if cs, err := tx.CaseForSubject(sb.ref, req.Broker); err == nil {
				pn.Case = cs.ID
			} else if !errors.Is(err, broker.ErrNotFound) {
				return err
			}
			for _, e := range seatOrder(plan.Panels[sb.ref.ID], plan.Affinity[sb.ref.ID]) {
				pn.Seats = append(pn.Seats, Seat{Expert: e, Status: SeatPlanned, Affinity: plan.Affinity[sb.ref.ID][e], Since: now})
				loads.add(e, func(d *loadDelta) { d.open++ })
			}
			created, err := broker.Create(tx, p, pn, broker.Via(broker.ActOperate, desk), broker.Logged("planned", nil))
			if err != nil {
				return err
			}
			out = append(out, created)
		}
		return s.applyLoads(tx, p, broker.ActOperate, desk, loads, book, s.year(now))
	})
	return out, broker.Wrap("plan", KindPanel, "", err)
}

// newPanelID is the ID of the next panel of a subject at a broker, after
// refusing a subject whose panel there is not decided. It is derived from
// the subject, the broker and the number of earlier panels, so that two
// plans racing for one subject name the same record and the store lets
// one in; the other runs again and finds the panel.
func (s *Service) newPanelID(tx *broker.Tx, ref broker.RecordRef, brokerID string) (string, error) {
	earlier, err := broker.Find[Panel](tx, reader, broker.ListOptions{Key: SubjectKey(ref, brokerID)})
	if err != nil {
		return "", err
	}
	for _, pn := range earlier {
		if pn.Status != StatusDecided {
			return "", &broker.Error{Op: "plan", Kind: KindPanel, ID: pn.ID, Code: broker.ErrExists,
				Err: fmt.Errorf("%s already has a panel in status %s at %s", ref, pn.Status, brokerID)}
		}
	}
	for n := len(earlier); ; n++ {
		id := hashID("pnl-", ref.String(), brokerID, strconv.Itoa(n))
		pn, err := broker.Read[Panel](tx, id)
		switch {
		case errors.Is(err, broker.ErrNotFound):
			return id, nil
		case err != nil:
			return "", err
		case pn.Status != StatusDecided:
			// Committed by a concurrent plan since the search above.
			return "", &broker.Error{Op: "plan", Kind: KindPanel, ID: pn.ID, Code: broker.ErrExists,
				Err: fmt.Errorf("%s already has a panel in status %s at %s", ref, pn.Status, brokerID)}
		}
	}
}

// seatOrder orders a panel's experts by affinity, highest first (ties by
// ID).
func seatOrder(experts []string, aff map[string]float64) []string {
	out := slices.Clone(experts)
	slices.SortFunc(out, func(a, b string) int {
		if c := cmp.Compare(aff[b], aff[a]); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	})
	return out
}

// loadDelta is a change of one expert's workload.
type loadDelta struct {
	open, invited, accepted, declined, done, missed int
}

// loadChanges gathers the workload changes of one operation, so that each
// expert's workload is written once, in a fixed order.
type loadChanges map[string]*loadDelta

func (lc loadChanges) add(expert string, f func(*loadDelta)) {
	d, ok := lc[expert]
	if !ok {
		d = &loadDelta{}
		lc[expert] = d
	}
	f(d)
}

// applyLoads writes the gathered changes, through the book if the
// operation decided on one.
func (s *Service) applyLoads(tx *broker.Tx, p broker.Principal, act broker.Action, subject broker.Target, lc loadChanges, book loadBook, year int) error {
	for _, e := range sortedKeys(lc) {
		d := lc[e]
		if *d == (loadDelta{}) {
			continue
		}
		err := s.adjustLoad(tx, p, act, subject, e, book, func(w *Workload) {
			w.Open += d.open
			if d.invited != 0 || d.accepted != 0 || d.declined != 0 || d.done != 0 || d.missed != 0 {
				y := w.year(year)
				y.Invited += d.invited
				y.Accepted += d.accepted
				y.Declined += d.declined
				y.Done += d.done
				y.Missed += d.missed
			}
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// fill re-solves the given seats of a panel — vacant now — and only them:
// every other seat is kept, every expert who held a seat or declined is
// kept off, and the seats go to the qualified panelists free for them
// (their loads less the changes of this operation) with the highest
// affinity for the subject, which is the optimal assignment of those seats
// with the others fixed. When fewer panelists are free than seats, as many
// seats as possible are filled and the rest stay vacant. It returns the
// experts seated, in seat order. The book is every workload, read by the
// caller before it changed any.
func (s *Service) fill(tx *broker.Tx, pn *Panel, seats []int, sb subject, experts []broker.Expert, book loadBook, loads loadChanges, now time.Time) ([]string, error) {
	left := s.left(book, experts, s.year(now))
	for e, d := range loads {
		if _, ok := left[e]; ok {
			left[e] = max(0, left[e]-d.open)
		}
	}
	pr := PanelRequest{Experts: experts, MaxLoad: s.opts.MaxLoad, LoadLeft: left, Rules: *s.opts.Rules, Engine: s.opts.Engine,
		Exclude: keptOff(*pn)}
	if sb.achievement != nil {
		pr.Achievements = []broker.Achievement{*sb.achievement}
	} else {
		pr.Demands = []broker.Demand{*sb.demand}
	}
	var plan *PanelPlan
	var err error
	for k := len(seats); k > 0; k-- {
		pr.Cover = k
		if plan, err = PlanPanels(tx.Context(), pr); err == nil {
			break
		}
		if !errors.Is(err, assign.ErrInfeasible) {
			return nil, err
		}
		plan = nil
	}
	if plan == nil {
		return nil, nil
	}
	chosen := seatOrder(plan.Panels[sb.ref.ID], plan.Affinity[sb.ref.ID])
	for j, e := range chosen {
		pn.Seats[seats[j]] = Seat{Expert: e, Status: SeatPlanned, Affinity: plan.Affinity[sb.ref.ID][e], Since: now}
	}
	return chosen, nil
}

// keptOff lists the pairs a re-solve keeps apart besides the rules: the
// experts seated on the panel (their seats are kept) and those who
// declined or were kept off it.
func keptOff(pn Panel) []ConflictOfInterest {
	var out []ConflictOfInterest
	for _, st := range pn.Seats {
		if st.Expert != "" && st.Status.holds() {
			out = append(out, ConflictOfInterest{ExpertID: st.Expert, ItemID: pn.Subject.ID, Rule: "seated", Reason: "keeps a seat on the panel"})
		}
	}
	for _, d := range pn.Declined {
		out = append(out, ConflictOfInterest{ExpertID: d.Expert, ItemID: pn.Subject.ID, Rule: d.Rule, Reason: d.Reason})
	}
	return out
}
