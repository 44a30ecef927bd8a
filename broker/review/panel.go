package review

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/evaluation"
	"github.com/kexie/techbroker/internal/textnorm"
)

// Status is a panel's place in its life.
type Status string

// Panel statuses, in order.
const (
	// StatusPlanned: the seats are chosen (Plan); nobody is invited yet.
	StatusPlanned Status = "planned"
	// StatusInviting: invitations are out (Invite); some seat has not
	// accepted.
	StatusInviting Status = "inviting"
	// StatusScoring: every filled seat has accepted; sheets come in
	// (Submit).
	StatusScoring Status = "scoring"
	// StatusLocked: no more sheets (Lock); the panelists see each other's.
	StatusLocked Status = "locked"
	// StatusDecided: the verdict is issued (Decide) and the case moved.
	StatusDecided Status = "decided"
)

// Statuses returns every status, in order.
func Statuses() []Status {
	return []Status{StatusPlanned, StatusInviting, StatusScoring, StatusLocked, StatusDecided}
}

// open reports whether sheets may still come in.
func (st Status) open() bool {
	return st == StatusPlanned || st == StatusInviting || st == StatusScoring
}

// SeatStatus is where one seat of a panel stands.
type SeatStatus string

// Seat statuses.
const (
	SeatPlanned   SeatStatus = "planned"   // chosen, not invited yet
	SeatInvited   SeatStatus = "invited"   // invited, no answer yet
	SeatAccepted  SeatStatus = "accepted"  // accepted: the expert scores
	SeatSubmitted SeatStatus = "submitted" // the expert's sheet is in
	// SeatVacant: the expert declined (or a conflict appeared) and no
	// qualified expert was free to take the seat; Refill tries again.
	SeatVacant SeatStatus = "vacant"
)

// holds reports whether the seat's expert holds it (counts against their
// load and may see the panel).
func (st SeatStatus) holds() bool {
	return st == SeatPlanned || st == SeatInvited || st == SeatAccepted || st == SeatSubmitted
}

// Seat is one place on a panel: the expert in it, how the invitation
// stands, and the sheet.
type Seat struct {
	Expert string     `json:"expert,omitempty" validate:"max=64"`
	Status SeatStatus `json:"status" validate:"oneof=planned invited accepted submitted vacant"`
	// Affinity of the expert for the subject (0..1) when the seat was
	// filled; comparable within one plan or one re-solve.
	Affinity  float64   `json:"affinity"`
	Since     time.Time `json:"since"`              // when the expert took the seat
	Invited   time.Time `json:"invited,omitzero"`   // when they were invited
	ReplyBy   time.Time `json:"reply_by,omitzero"`  // answer due
	Answered  time.Time `json:"answered,omitzero"`  // when they accepted
	Submitted time.Time `json:"submitted,omitzero"` // when their sheet came in
	Sheet     string    `json:"sheet,omitempty" validate:"max=64"`
}

// Decline is an expert who left a panel or was kept off it after planning:
// they declined the invitation (Rule "declined"), were recused by the desk
// ("recused"), or a conflict of interest appeared (the conflict's rule,
// e.g. "same_institution"). They are never chosen for the panel again.
type Decline struct {
	Expert   string    `json:"expert" validate:"required,max=64"`
	Rule     string    `json:"rule" validate:"required,max=32"`
	Reason   string    `json:"reason,omitempty" validate:"max=500"`
	At       time.Time `json:"at"`
	By       string    `json:"by,omitempty" validate:"max=64"` // who recorded it
	Invited  time.Time `json:"invited,omitzero"`               // when they had been invited, if they were
	Answered time.Time `json:"answered,omitzero"`              // when they had accepted, if they had
}

// Method is how a panel's sheets are aggregated into a score.
type Method string

// Methods.
const (
	// Weighted: each sheet's total is the template's weighted sum of its
	// scores on 0–100; the panel's score is their trimmed mean (去掉一个
	// 最高分和一个最低分) or mean (Scoring.Aggregation).
	Weighted Method = "weighted"
	// AHP: as Weighted, with the weights of the template's top-level
	// criteria derived by the analytic hierarchy process from
	// Scoring.Pairwise (Saaty's principal eigenvector), whose consistency
	// ratio must not exceed Scoring.MaxCR.
	AHP Method = "ahp"
	// Fuzzy: fuzzy comprehensive evaluation (模糊综合评价): each leaf
	// criterion's membership in each grade band of the template is the
	// share of panelists whose score (on 0–100) falls in it; B = A∘R with
	// the leaves' global weights A and Scoring.Operator, normalized; the
	// score is B's weighted mean of the bands' mid-points and the grade
	// the band of largest membership.
	Fuzzy Method = "fuzzy"
)

// Scoring says how a panel's sheets become a verdict.
type Scoring struct {
	Method Method `json:"method"`
	// Aggregation of the sheets' totals for Weighted and AHP: "trimmed"
	// (the default: the highest and lowest are dropped from 3 sheets on)
	// or "mean".
	Aggregation string `json:"aggregation,omitempty"`
	// Pairwise compares the template's top-level criteria, in template
	// order, on Saaty's 1–9 scale (AHP only).
	Pairwise [][]float64 `json:"pairwise,omitempty" validate:"max=15,dive,max=15"`
	// RITable is the random-index table of the consistency ratio; empty
	// means Saaty 1980.
	RITable evaluation.RandomIndexTable `json:"ri_table,omitempty" validate:"omitempty,oneof=saaty1980 saaty2005 donegan-dodd tummala-ling alonso-lamata gong-xu"`
	// MaxCR is the largest acceptable consistency ratio; 0 means 0.1.
	MaxCR float64 `json:"max_cr,omitempty" validate:"min=0,max=1"`
	// Operator is the fuzzy composition operator; empty means M(·,+).
	Operator evaluation.FuzzyOperator `json:"operator,omitempty"`
	// MinCorrelation flags a panelist whose scores correlate with the rest
	// of the panel's below it (evaluation.Disagreements); 0 means 0.3. A
	// flagged panelist asks for a moderator before the verdict is issued.
	MinCorrelation float64 `json:"min_correlation,omitempty" validate:"min=-1,max=1"`
	// MinSheets is the number of sheets the panel needs to lock; 0 means
	// one from every filled seat.
	MinSheets int `json:"min_sheets,omitempty" validate:"min=0,max=50"`
}

func (sc Scoring) normalized() Scoring {
	sc.Method = Method(textnorm.Enum(string(sc.Method)))
	if sc.Method == "" {
		sc.Method = Weighted
	}
	sc.Aggregation = textnorm.Enum(sc.Aggregation)
	if sc.Aggregation == "" && sc.Method != Fuzzy {
		sc.Aggregation = "trimmed"
	}
	if sc.Method == Fuzzy && sc.Operator == "" {
		sc.Operator = evaluation.WeightedAverage
	}
	if op, err := evaluation.ParseFuzzyOperator(string(sc.Operator)); err == nil {
		sc.Operator = op
	}
	return sc
}

// check adds the problems of the scoring for tmpl to c, under field.
func (sc Scoring) check(c *broker.Check, field string, tmpl evaluation.Template) {
	switch sc.Method {
	case Weighted, AHP, Fuzzy:
	default:
		c.Add(field+".method", "oneof", "weighted ahp fuzzy", string(sc.Method))
	}
	switch sc.Aggregation {
	case "", "trimmed", "mean":
	default:
		c.Add(field+".aggregation", "oneof", "trimmed mean", sc.Aggregation)
	}
	if sc.Operator != "" {
		if _, err := evaluation.ParseFuzzyOperator(string(sc.Operator)); err != nil {
			c.Add(field+".operator", "oneof", "M(·,+) M(∧,∨) M(·,∨) M(∧,+)", string(sc.Operator))
		}
	}
	switch sc.Method {
	case AHP:
		n := len(tmpl.Criteria)
		if len(sc.Pairwise) != n {
			c.Add(field+".pairwise", "invalid", "", fmt.Sprintf("%d rows for %d top-level criteria", len(sc.Pairwise), n))
			return
		}
		for i, row := range sc.Pairwise {
			if len(row) != n {
				c.Add(field+".pairwise["+strconv.Itoa(i)+"]", "invalid", "", fmt.Sprintf("%d values for %d criteria", len(row), n))
				return
			}
		}
		if _, err := ahpWeights(tmpl, sc); err != nil {
			c.Add(field+".pairwise", "invalid", "", err.Error())
		}
	case Fuzzy:
		if len(tmpl.Grades) < 2 {
			c.Add("template.grades", "min_len", "2", strconv.Itoa(len(tmpl.Grades)))
		}
	default:
		if len(sc.Pairwise) > 0 {
			c.Add(field+".pairwise", "invalid", "", "pairwise comparisons go with the ahp method")
		}
	}
}

// Panel is a review panel (评审组) of the expert think tank (专家智库): a
// few qualified experts who score one achievement or demand on a template
// and whose sheets become a Verdict. It is planned from the optimal
// conflict-free assignment (Plan), invites its experts (Invite, Accept,
// Decline), collects their sheets (Submit) until it locks (Lock), and is
// decided (Decide), which moves the subject's case.
//
// A panel is a process record of its industry broker (Meta.Broker): seen
// by the broker's staff, platform admins and the experts seated on it
// (the Assignee grant of the access policy), never by the subject's owner,
// who sees the verdict. It is always confidential, and only the
// operations write it (GuardUpdate).
type Panel struct {
	broker.Meta
	Subject broker.RecordRef `json:"subject"`
	Title   string           `json:"title,omitempty" validate:"max=300"`
	// Case is the subject's open case at the broker when the panel was
	// planned, if any: Decide moves it to screened or rejected.
	Case string `json:"case,omitempty" validate:"max=64"`
	// Society is the qualified society whose members sit, when the plan
	// named one.
	Society  string              `json:"society,omitempty" validate:"max=64"`
	Status   Status              `json:"status" validate:"oneof=planned inviting scoring locked decided"`
	Template evaluation.Template `json:"template"`
	Scoring  Scoring             `json:"scoring"`
	Seats    []Seat              `json:"seats" validate:"min=1,max=50,dive"`
	Declined []Decline           `json:"declined,omitempty" validate:"max=500,dive"`
	// Deadline is when the sheets are due; a sheet after it is refused.
	Deadline time.Time `json:"deadline"`
	LockedAt time.Time `json:"locked_at,omitzero"`
	Verdict  string    `json:"verdict,omitempty" validate:"max=64"`
}

// RecordKind is KindPanel.
func (Panel) RecordKind() broker.Kind { return KindPanel }

// RecordStage indexes the status (ListOptions.Stage).
func (p Panel) RecordStage() string { return string(p.Status) }

// DedupKey indexes the panels of one subject at one broker (SubjectKey).
func (p Panel) DedupKey() string { return SubjectKey(p.Subject, p.Broker) }

// SubjectKey is the ListOptions.Key of the panels of a subject at a
// broker.
func SubjectKey(subject broker.RecordRef, brokerID string) string {
	return "panel:" + subject.String() + "@" + brokerID
}

// Tier: a panel is confidential whatever its Visibility.
func (Panel) Tier() broker.Visibility { return broker.Confidential }

// Assignees are the experts who hold a seat and have been invited: they
// read the panel and take part in it (accept, decline, submit). An
// expert who declined or was kept off no longer is one.
func (p Panel) Assignees() []string {
	var out []string
	for _, s := range p.Seats {
		if s.Expert != "" && (s.Status == SeatInvited || s.Status == SeatAccepted || s.Status == SeatSubmitted) {
			out = append(out, s.Expert)
		}
	}
	return out
}

// Experts returns the experts who hold a seat, in seat order.
func (p Panel) Experts() []string {
	var out []string
	for _, s := range p.Seats {
		if s.Expert != "" && s.Status.holds() {
			out = append(out, s.Expert)
		}
	}
	return out
}

// seat returns the index of the seat the expert holds, or -1.
func (p Panel) seat(expert string) int {
	return slices.IndexFunc(p.Seats, func(s Seat) bool { return s.Expert == expert && s.Status.holds() })
}

// Normalized folds the text and the times, and sets the defaults of the
// scoring.
func (p Panel) Normalized() Panel {
	p.Visibility = broker.Confidential
	p.Subject.ID = textnorm.Text(p.Subject.ID)
	p.Title, p.Case, p.Society = textnorm.Text(p.Title), textnorm.Text(p.Case), textnorm.Text(p.Society)
	p.Status = Status(textnorm.Enum(string(p.Status)))
	p.Scoring = p.Scoring.normalized()
	p.Deadline, p.LockedAt = utcMicro(p.Deadline), utcMicro(p.LockedAt)
	if p.Seats != nil {
		seats := make([]Seat, len(p.Seats))
		for i, s := range p.Seats {
			s.Expert, s.Sheet = textnorm.Text(s.Expert), textnorm.Text(s.Sheet)
			s.Since, s.Invited, s.ReplyBy = utcMicro(s.Since), utcMicro(s.Invited), utcMicro(s.ReplyBy)
			s.Answered, s.Submitted = utcMicro(s.Answered), utcMicro(s.Submitted)
			seats[i] = s
		}
		p.Seats = seats
	}
	if p.Declined != nil {
		ds := make([]Decline, len(p.Declined))
		for i, d := range p.Declined {
			d.Expert, d.Rule, d.By = textnorm.Text(d.Expert), textnorm.Enum(d.Rule), textnorm.Text(d.By)
			d.Reason = textnorm.Multiline(d.Reason)
			d.At, d.Invited, d.Answered = utcMicro(d.At), utcMicro(d.Invited), utcMicro(d.Answered)
			ds[i] = d
		}
		p.Declined = ds
	}
	return p
}

// Validate checks the subject, the template, the scoring, the seats (no
// expert twice, a filled seat names its expert) and the deadline.
func (p Panel) Validate(c *broker.Check) {
	if p.Subject.Kind != broker.KindAchievement && p.Subject.Kind != broker.KindDemand {
		c.Add("subject.kind", "oneof", "achievement demand", string(p.Subject.Kind))
	}
	if p.Subject.ID == "" {
		c.Add("subject.id", "required", "", "")
	}
	if p.Broker == "" {
		c.Add("broker", "required", "", "")
	}
	checkTemplate(c, "template", p.Template)
	if err := p.Template.Validate(); err == nil {
		p.Scoring.check(c, "scoring", p.Template)
	}
	seen := map[string]bool{}
	for i, s := range p.Seats {
		f := "seats[" + strconv.Itoa(i) + "]"
		switch {
		case s.Status == SeatVacant && s.Expert != "":
			c.Add(f+".expert", "invalid", "", "a vacant seat names no expert")
		case s.Status != SeatVacant && s.Expert == "":
			c.Add(f+".expert", "required", "", "")
		case s.Expert != "" && seen[s.Expert]:
			c.Add(f+".expert", "unique", "", s.Expert)
		}
		if s.Expert != "" {
			seen[s.Expert] = true
		}
		if math.IsNaN(s.Affinity) || math.IsInf(s.Affinity, 0) {
			c.Add(f+".affinity", "invalid", "", "not a finite number")
		}
	}
	if p.Scoring.MinSheets > len(p.Seats) {
		c.Add("scoring.min_sheets", "max", strconv.Itoa(len(p.Seats)), strconv.Itoa(p.Scoring.MinSheets))
	}
	if p.Deadline.IsZero() {
		c.Add("deadline", "required", "", "")
	}
}

// sameJSON reports whether a and b encode alike (times compare by instant,
// as stored).
func sameJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}

// checkTemplate adds every problem of a template to c, under field.
func checkTemplate(c *broker.Check, field string, t evaluation.Template) {
	var te *evaluation.TemplateError
	if err := t.Validate(); errors.As(err, &te) {
		for _, pr := range te.Problems {
			c.Add(field+"."+pr.Path, "invalid", "", pr.En)
		}
	}
	c.Text(field+".id", t.ID, 64)
	if n := len(t.Leaves()); n > 100 {
		c.Add(field+".criteria", "max_len", "100", strconv.Itoa(n))
	}
}

// GuardUpdate keeps the panel's workflow for the operations: a plain write
// changes neither its status, seats, declines, lock time nor verdict.
func (p Panel) GuardUpdate(stored Panel) []broker.FieldError {
	var out []broker.FieldError
	guard := func(changed bool, field, value string) {
		if changed {
			out = append(out, broker.FieldError{Field: field, Code: "guarded", Param: "the review operations", Value: value})
		}
	}
	guard(p.Status != stored.Status, "status", string(p.Status))
	guard(!sameJSON(p.Seats, stored.Seats), "seats", strconv.Itoa(len(p.Seats)))
	guard(!sameJSON(p.Declined, stored.Declined), "declined", strconv.Itoa(len(p.Declined)))
	guard(!p.LockedAt.Equal(stored.LockedAt), "locked_at", p.LockedAt.Format(time.RFC3339))
	guard(p.Verdict != stored.Verdict, "verdict", p.Verdict)
	return out
}
