package review

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/evaluation"
	"github.com/kexie/techbroker/internal/textnorm"
)

// Verdict is a panel's verdict (评审结论): the aggregated score by the
// panel's method, pass or fail, grade and recommendation, the agreement of
// the panel, the disagreement flag with the moderator who reviewed it, and
// the reasons, in Chinese and English. It never says who scored what. It
// is issued by Decide, which moves the subject's case (screened or
// rejected, with a broker.ScreeningVerdict whose Ref is the verdict's ID)
// in the same transaction.
//
// It is read by the subject's owners (Owners), the panel's industry
// broker, platform admins and the panelists whose sheets are in.
type Verdict struct {
	broker.Meta
	Panel   string           `json:"panel" validate:"required,max=64"`
	Subject broker.RecordRef `json:"subject"`
	Title   string           `json:"title,omitempty" validate:"max=300"`
	Case    string           `json:"case,omitempty" validate:"max=64"`
	// Owners are the subject's owners when the verdict was issued.
	Owners         []string                  `json:"owners,omitempty" validate:"max=20,dive,max=200" org:"list"`
	Society        string                    `json:"society,omitempty" validate:"max=64"`
	Method         Method                    `json:"method" validate:"oneof=weighted ahp fuzzy"`
	Score          float64                   `json:"score"`
	Passed         bool                      `json:"passed"`
	Grade          evaluation.GradeBand      `json:"grade"`
	Recommendation evaluation.Recommendation `json:"recommendation"`
	Criteria       []CriterionScore          `json:"criteria,omitempty" validate:"max=100"`
	Weights        []CriterionWeight         `json:"weights,omitempty" validate:"max=100"`
	// CR is the AHP consistency ratio of the weights (AHP only).
	CR float64 `json:"cr,omitempty"`
	// Membership is the fuzzy evaluation over the grade bands (Fuzzy only).
	Membership []float64 `json:"membership,omitempty" validate:"max=20"`
	Agreement  Agreement `json:"agreement"`
	// Disagreement: some panelists' scores disagree with the rest's
	// (Flagged of them); the verdict was issued after a moderator
	// reviewed it.
	Disagreement bool   `json:"disagreement"`
	Flagged      int    `json:"flagged,omitempty"`
	Sheets       int    `json:"sheets"`
	Moderator    string `json:"moderator,omitempty" validate:"max=64"`
	// Note is the moderator's (or the desk's) account of the decision.
	Note string `json:"note,omitempty"`
	// Panelists are the experts whose sheets the verdict rests on.
	Panelists []string           `json:"panelists" validate:"max=50,dive,max=64"`
	Reasons   []evaluation.Label `json:"reasons" validate:"max=50"`
	Issued    time.Time          `json:"issued"`
}

// CriterionScore is the panel's view of one leaf criterion: the mean and
// standard deviation of its raw scores.
type CriterionScore struct {
	ID    string           `json:"id"`
	Label evaluation.Label `json:"label"`
	Mean  float64          `json:"mean"`
	SD    float64          `json:"sd"`
}

// Agreement holds the panel's agreement figures; a nil figure is
// undefined (fewer than two criteria or panelists, or no variance).
type Agreement struct {
	KendallW *float64 `json:"kendall_w,omitempty"` // tie-corrected
	KendallP *float64 `json:"kendall_p,omitempty"`
	ICC      *float64 `json:"icc,omitempty"`   // ICC(A,1), Shrout–Fleiss ICC2
	ICCk     *float64 `json:"icc_k,omitempty"` // ICC(A,k), Shrout–Fleiss ICC2k
}

func figure(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

// RecordKind is KindVerdict.
func (Verdict) RecordKind() broker.Kind { return KindVerdict }

// Tier: a verdict is confidential; its owners read it.
func (Verdict) Tier() broker.Visibility { return broker.Confidential }

// OwnerOrgs are the subject's owners.
func (v Verdict) OwnerOrgs() []string { return v.Owners }

// Assignees are the panelists.
func (v Verdict) Assignees() []string { return v.Panelists }

// DedupKey indexes the verdicts of one subject at one broker (VerdictKey).
func (v Verdict) DedupKey() string { return VerdictKey(v.Subject, v.Broker) }

// VerdictKey is the ListOptions.Key of the verdicts of a subject at a
// broker.
func VerdictKey(subject broker.RecordRef, brokerID string) string {
	return "verdict:" + subject.String() + "@" + brokerID
}

// Normalized folds the text.
func (v Verdict) Normalized() Verdict {
	v.Visibility = broker.Confidential
	v.Panel, v.Title, v.Case, v.Society = textnorm.Text(v.Panel), textnorm.Text(v.Title), textnorm.Text(v.Case), textnorm.Text(v.Society)
	v.Owners = textnorm.List(v.Owners)
	v.Moderator, v.Note = textnorm.Text(v.Moderator), textnorm.Multiline(v.Note)
	v.Issued = utcMicro(v.Issued)
	return v
}

// Validate checks the figures are numbers and a disagreement names its
// moderator.
func (v Verdict) Validate(c *broker.Check) {
	for _, x := range append([]float64{v.Score, v.CR}, v.Membership...) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			c.Add("score", "invalid", "", "not a finite number")
			break
		}
	}
	if v.Disagreement && v.Moderator == "" {
		c.Add("moderator", "required", "disagreement", "")
	}
	c.Text("note", v.Note, 2000)
}

// GuardUpdate: a verdict is issued once, by Decide, and never changed.
func (v Verdict) GuardUpdate(stored Verdict) []broker.FieldError {
	return []broker.FieldError{{Field: "panel", Code: "guarded", Param: "Decide", Value: v.Panel}}
}

// Lock closes a panel to sheets: from then on no sheet is written, and
// every panelist whose sheet is in may read the others' (the sheets'
// Readers). The panel needs Scoring.MinSheets sheets (every filled seat's
// by default; ErrTooFewSheets otherwise). Seats without a sheet are closed:
// they no longer count against their experts' loads, and an accepted one
// counts as missed. The principal must operate the panel.
func (s *Service) Lock(ctx context.Context, p broker.Principal, panelID string) (Panel, error) {
	var out Panel
	err := s.update(ctx, "lock", KindPanel, panelID, func(tx *broker.Tx, _ *pool) error {
		pn, err := broker.Read[Panel](tx, panelID)
		if err != nil {
			return err
		}
		target := broker.TargetOf(pn)
		if !broker.Can(p, broker.ActOperate, target) {
			return broker.Forbidden("lock", KindPanel, panelID, "only platform admins and the broker's staff lock a panel")
		}
		switch pn.Status {
		case StatusLocked, StatusDecided:
			return refused("lock", KindPanel, panelID, ErrLocked)
		case StatusPlanned:
			return refused("lock", KindPanel, panelID, errors.New("the panel has not invited its experts"))
		}
		var in []string
		filled := 0
		for _, st := range pn.Seats {
			if st.Expert != "" {
				filled++
			}
			if st.Status == SeatSubmitted {
				in = append(in, st.Expert)
			}
		}
		need := pn.Scoring.MinSheets
		if need == 0 {
			need = filled
		}
		if len(in) < need || len(in) == 0 {
			return refused("lock", KindPanel, panelID, fmt.Errorf("%w: %d of %d", ErrTooFewSheets, len(in), max(need, 1)))
		}
		now := tx.Now()
		loads := loadChanges{}
		for _, st := range pn.Seats {
			if st.Expert == "" || st.Status == SeatSubmitted {
				continue
			}
			loads.add(st.Expert, func(d *loadDelta) {
				d.open--
				if st.Status == SeatAccepted {
					d.missed++
				}
			})
		}
		for _, st := range pn.Seats {
			if st.Status != SeatSubmitted {
				continue
			}
			sh, err := broker.Read[ScoreSheet](tx, st.Sheet)
			if err != nil {
				return err
			}
			sh.Readers = in
			if _, err := broker.Replace(tx, p, sh, broker.Via(broker.ActOperate, target), broker.Logged("panel_locked", nil)); err != nil {
				return err
			}
		}
		pn.Status, pn.LockedAt = StatusLocked, now
		if out, err = broker.Replace(tx, p, pn, broker.Via(broker.ActOperate, target), broker.Logged("locked", nil)); err != nil {
			return err
		}
		return s.applyLoads(tx, p, broker.ActOperate, target, loads, nil, s.year(now))
	})
	return out, err
}

// lockedSheets reads a locked panel's sheets, in seat order.
func lockedSheets(tx *broker.Tx, pn Panel) ([]evaluation.ScoreSheet, error) {
	var out []evaluation.ScoreSheet
	for _, st := range pn.Seats {
		if st.Status != SeatSubmitted {
			continue
		}
		sh, err := broker.Read[ScoreSheet](tx, st.Sheet)
		if err != nil {
			return nil, err
		}
		out = append(out, evaluation.ScoreSheet{Expert: sh.Expert, Scores: sh.Scores, Comment: sh.Comment})
	}
	return out, nil
}

// Preview aggregates a locked panel's sheets without issuing anything:
// the outcome Decide would record, with who scored what (Outcome.Experts)
// and who disagrees, for the desk and the moderator. The principal must
// operate the panel.
func (s *Service) Preview(ctx context.Context, p broker.Principal, panelID string) (Outcome, error) {
	var out Outcome
	err := s.update(ctx, "preview", KindPanel, panelID, func(tx *broker.Tx, _ *pool) error {
		pn, err := broker.Read[Panel](tx, panelID)
		if err != nil {
			return err
		}
		if !broker.CanDo(p, broker.ActOperate, pn) {
			return broker.Forbidden("preview", KindPanel, panelID, "only platform admins and the broker's staff preview a verdict")
		}
		if pn.Status != StatusLocked && pn.Status != StatusDecided {
			return refused("preview", KindPanel, panelID, errors.New("the panel is not locked"))
		}
		sheets, err := lockedSheets(tx, pn)
		if err != nil {
			return err
		}
		out, err = Aggregate(pn.Template, pn.Scoring, sheets)
		return err
	})
	return out, err
}

// Decision is what the desk adds when it issues a verdict.
type Decision struct {
	// Moderator is the person (e.g. a senior expert, 主持人) who reviewed
	// a disagreement; required when the panel disagrees.
	Moderator string
	// Note is the moderator's or the desk's account; required with a
	// disagreement, at most 2,000 characters.
	Note string
}

// Decide issues a locked panel's verdict: it aggregates the sheets by the
// panel's method (Aggregate), and — in one transaction — writes the
// Verdict, marks the panel decided, and moves the panel's case, if it has
// one, to screened when the verdict passes or to rejected when it does not
// (broker.Tx.MoveCase with a broker.ScreeningVerdict whose Ref is the
// verdict's ID). A disagreement (some panelist flagged) needs a moderator
// and a note (broker.ErrInvalid naming them otherwise). If the case
// cannot move (it left collected meanwhile), nothing is written and the
// case's *broker.TransitionError is returned. The principal must operate
// the panel and its case.
func (s *Service) Decide(ctx context.Context, p broker.Principal, panelID string, d Decision) (Verdict, error) {
	d.Moderator, d.Note = textnorm.Text(d.Moderator), textnorm.Multiline(d.Note)
	var out Verdict
	err := s.update(ctx, "decide", KindVerdict, panelID, func(tx *broker.Tx, _ *pool) error {
		pn, err := broker.Read[Panel](tx, panelID)
		if err != nil {
			return err
		}
		target := broker.TargetOf(pn)
		if !broker.Can(p, broker.ActOperate, target) {
			return broker.Forbidden("decide", KindPanel, panelID, "only platform admins and the broker's staff issue a verdict")
		}
		switch pn.Status {
		case StatusDecided:
			return refused("decide", KindPanel, panelID, errors.New("the verdict is issued already: "+pn.Verdict))
		case StatusLocked:
		default:
			return refused("decide", KindPanel, panelID, errors.New("lock the panel first: it is "+string(pn.Status)))
		}
		sheets, err := lockedSheets(tx, pn)
		if err != nil {
			return err
		}
		o, err := Aggregate(pn.Template, pn.Scoring, sheets)
		if err != nil {
			return err
		}
		if o.Disagreement {
			c := &broker.Check{}
			if d.Moderator == "" {
				c.Add("moderator", "required", "disagreement", "")
			}
			if d.Note == "" {
				c.Add("note", "required", "disagreement", "")
			}
			if err := c.Err(KindVerdict); err != nil {
				return err
			}
		}
		sb, err := readSubject(tx, pn.Subject, "subject")
		if err != nil {
			return err
		}
		now := tx.Now()
		v := Verdict{Meta: broker.Meta{Broker: pn.Broker}, Panel: pn.ID, Subject: pn.Subject, Title: sb.title, Case: pn.Case,
			Owners: sb.owners, Society: pn.Society, Method: o.Method, Score: o.Score, Passed: o.Passed, Grade: o.Grade,
			Recommendation: o.Recommendation, Weights: o.Weights, CR: o.CR, Membership: o.Membership,
			Agreement:    Agreement{KendallW: figure(o.KendallW), KendallP: figure(o.KendallP), ICC: figure(o.ICC), ICCk: figure(o.ICCk)},
			Disagreement: o.Disagreement, Flagged: o.Flagged, Sheets: o.Sheets, Moderator: d.Moderator, Note: d.Note,
			Reasons: o.Reasons, Issued: now}
		for _, c := range o.Criteria {
			v.Criteria = append(v.Criteria, CriterionScore{ID: c.ID, Label: c.Label, Mean: c.Mean, SD: zeroNaN(c.SD)})
		}
		for _, sh := range sheets {
			v.Panelists = append(v.Panelists, sh.Expert)
		}
		if d.Moderator != "" {
			v.Reasons = append(v.Reasons, evaluation.Label{
				Zh: "主持人 " + d.Moderator + " 复核：" + d.Note, En: "reviewed by the moderator " + d.Moderator + ": " + d.Note})
		} else if d.Note != "" {
			v.Reasons = append(v.Reasons, evaluation.Label{Zh: "说明：" + d.Note, En: "note: " + d.Note})
		}
		if out, err = broker.Create(tx, p, v, broker.Via(broker.ActOperate, target), broker.Logged("issued", nil)); err != nil {
			return err
		}
		if pn.Case != "" {
			if err := s.moveCase(tx, p, pn, out); err != nil {
				return err
			}
		}
		pn.Status, pn.Verdict = StatusDecided, out.ID
		_, err = broker.Replace(tx, p, pn, broker.Via(broker.ActOperate, target), broker.Logged("decided", nil))
		return err
	})
	return out, err
}

// moveCase moves the panel's case by the verdict: screened when it passed,
// rejected when not.
func (s *Service) moveCase(tx *broker.Tx, p broker.Principal, pn Panel, v Verdict) error {
	c, err := broker.Read[broker.Case](tx, pn.Case)
	if err != nil {
		return err
	}
	sv := &broker.ScreeningVerdict{Passed: v.Passed, Panel: v.Panelists, Society: v.Society, Score: v.Score,
		Summary: summary(v), Ref: v.ID, Date: v.Issued}
	mv := broker.CaseMove{To: broker.StageScreened, Version: c.Version, Verdict: sv, Evidence: []string{string(KindVerdict) + ":" + v.ID}}
	if !v.Passed {
		mv.To, mv.Reason = broker.StageRejected, "评审未通过 (not passed by the review panel): "+summary(v)
	}
	_, err = tx.MoveCase(p, pn.Case, mv)
	return err
}

// summary is a verdict in one line, for the case.
func summary(v Verdict) string {
	parts := []string{fmt.Sprintf("%s %.2f", v.Method, v.Score)}
	if v.Grade.Grade != "" {
		parts = append(parts, "grade "+v.Grade.Grade)
	}
	if v.Agreement.KendallW != nil {
		parts = append(parts, fmt.Sprintf("Kendall W %.3f", *v.Agreement.KendallW))
	}
	parts = append(parts, fmt.Sprintf("%d sheets", v.Sheets))
	if v.Disagreement {
		parts = append(parts, "moderated by "+v.Moderator)
	}
	return strings.Join(parts, ", ")
}

func zeroNaN(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}
