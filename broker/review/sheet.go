package review

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/evaluation"
	"github.com/kexie/techbroker/internal/textnorm"
)

// ScoreSheet is one panelist's score sheet (评分表): a score for every leaf
// criterion of the panel's template, comments, and when it came in. It is
// written once, by its expert (Submit), and locked from then on: no write
// changes its scores or comments (GuardUpdate). Review is blind: until the
// panel locks, a sheet is read only by its expert, the panel's industry
// broker and platform admins; once it locks, by every panelist whose sheet
// is in as well (Readers, the Assignee grant of the access policy). The
// subject's owner never reads a sheet.
type ScoreSheet struct {
	broker.Meta
	Panel  string `json:"panel" validate:"required,max=64"`
	Expert string `json:"expert" validate:"required,max=64"`
	// Scores maps each leaf criterion's ID to its score.
	Scores map[string]float64 `json:"scores" validate:"max=100"`
	// Comments maps leaf criterion IDs to a comment on that criterion.
	Comments  map[string]string `json:"comments,omitempty" validate:"max=100"`
	Comment   string            `json:"comment,omitempty"`
	Submitted time.Time         `json:"submitted"`
	// Readers are the panelists who may read the sheet: its expert until
	// the panel locks, then every panelist whose sheet is in.
	Readers []string `json:"readers" validate:"max=50,dive,max=64"`
}

// RecordKind is KindSheet.
func (ScoreSheet) RecordKind() broker.Kind { return KindSheet }

// Tier: a sheet is confidential whatever its Visibility.
func (ScoreSheet) Tier() broker.Visibility { return broker.Confidential }

// Assignees are the sheet's Readers.
func (s ScoreSheet) Assignees() []string { return s.Readers }

// DedupKey indexes the sheets of one panel (SheetKey).
func (s ScoreSheet) DedupKey() string { return SheetKey(s.Panel) }

// SheetKey is the ListOptions.Key of a panel's sheets.
func SheetKey(panelID string) string { return "sheets:" + panelID }

// sheetID is the ID of an expert's sheet on a panel: one sheet per
// panelist, whoever writes first.
func sheetID(panel, expert string) string { return hashID("sht-", panel, expert) }

// Normalized folds the text and the time.
func (s ScoreSheet) Normalized() ScoreSheet {
	s.Visibility = broker.Confidential
	s.Panel, s.Expert = textnorm.Text(s.Panel), textnorm.Text(s.Expert)
	s.Comment = textnorm.Multiline(s.Comment)
	if s.Comments != nil {
		cs := make(map[string]string, len(s.Comments))
		for k, v := range s.Comments {
			if v = textnorm.Multiline(v); v != "" {
				cs[k] = v
			}
		}
		s.Comments = cs
	}
	s.Readers = textnorm.List(s.Readers)
	s.Submitted = utcMicro(s.Submitted)
	return s
}

// Validate checks what a sheet must hold whatever its template: finite
// scores, criterion IDs and comments of reasonable length. Submit checks
// the sheet against the panel's template (CheckSheet) before it writes.
func (s ScoreSheet) Validate(c *broker.Check) {
	for _, id := range sortedKeys(s.Scores) {
		if v := s.Scores[id]; math.IsNaN(v) || math.IsInf(v, 0) {
			c.Add("scores."+id, "score_range", "finite", fmt.Sprint(v))
		}
		c.Text("scores."+id, id, 64)
	}
	for _, id := range sortedKeys(s.Comments) {
		c.Text("comments."+id, s.Comments[id], 2000)
	}
	c.Text("comment", s.Comment, 20000)
	if s.Submitted.IsZero() {
		c.Add("submitted", "required", "", "")
	}
}

// GuardUpdate locks a submitted sheet: no write changes what it says.
func (s ScoreSheet) GuardUpdate(stored ScoreSheet) []broker.FieldError {
	var out []broker.FieldError
	if stored.Panel == "" { // a new sheet comes only from Submit
		return []broker.FieldError{{Field: "panel", Code: "guarded", Param: "Submit", Value: s.Panel}}
	}
	guard := func(changed bool, field string) {
		if changed {
			out = append(out, broker.FieldError{Field: field, Code: "guarded", Param: "Submit (a submitted sheet is locked)"})
		}
	}
	guard(s.Panel != stored.Panel, "panel")
	guard(s.Expert != stored.Expert, "expert")
	guard(!sameJSON(s.Scores, stored.Scores), "scores")
	guard(!sameJSON(s.Comments, stored.Comments), "comments")
	guard(s.Comment != stored.Comment, "comment")
	guard(!s.Submitted.Equal(stored.Submitted), "submitted")
	guard(!slices.Equal(s.Readers, stored.Readers), "readers")
	return out
}

// Sheet is what a panelist submits: a score for every leaf criterion of
// the panel's template, and comments.
type Sheet struct {
	Scores   map[string]float64
	Comments map[string]string // by leaf criterion ID; optional
	Comment  string
}

// Limits bound a sheet's comments, in characters.
type Limits struct {
	Comment          int // the overall comment
	CriterionComment int // each criterion's comment
}

// CheckSheet adds to c every way the sheet fails the template: a leaf
// criterion not scored ("scores.<id>", required), a score outside the
// criterion's scale or not a finite number ("scores.<id>", score_range,
// with the scale), a score or comment for something that is not a leaf
// criterion ("scores.<id>" or "comments.<id>", not_criterion) and comments
// over the limits (max_len). Fields come in template order, then the others
// sorted by ID. It never panics, whatever the sheet holds.
func CheckSheet(c *broker.Check, tmpl evaluation.Template, in Sheet, lim Limits) {
	leaves := tmpl.Leaves()
	isLeaf := make(map[string]bool, len(leaves))
	for _, l := range leaves {
		isLeaf[l.ID] = true
		v, ok := in.Scores[l.ID]
		if !ok {
			c.Add("scores."+l.ID, "required", "", "")
			continue
		}
		lo, hi := l.Range()
		if math.IsNaN(v) || math.IsInf(v, 0) || v < lo || v > hi {
			c.Add("scores."+l.ID, "score_range", scale(lo, hi), fmt.Sprint(v))
		}
	}
	if len(in.Scores) > maxEntries {
		c.Add("scores", "max_len", strconv.Itoa(maxEntries), strconv.Itoa(len(in.Scores)))
	} else {
		for _, id := range sortedKeys(in.Scores) {
			if !isLeaf[id] {
				c.Add("scores."+shortKey(id), "not_criterion", tmpl.ID, id)
			}
		}
	}
	if len(in.Comments) > maxEntries {
		c.Add("comments", "max_len", strconv.Itoa(maxEntries), strconv.Itoa(len(in.Comments)))
		in.Comments = nil
	}
	for _, id := range sortedKeys(in.Comments) {
		if !isLeaf[id] {
			c.Add("comments."+shortKey(id), "not_criterion", tmpl.ID, id)
			continue
		}
		if lim.CriterionComment > 0 {
			c.Text("comments."+id, textnorm.Multiline(in.Comments[id]), lim.CriterionComment)
		}
	}
	if lim.Comment > 0 {
		c.Text("comment", textnorm.Multiline(in.Comment), lim.Comment)
	}
}

// maxEntries bounds the scores and comments of a sheet: a template has at
// most 100 leaf criteria.
const maxEntries = 100

// shortKey is a map key as a field path shows it: at most 40 characters.
func shortKey(k string) string {
	if r := []rune(k); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return k
}

func scale(lo, hi float64) string {
	return strconv.FormatFloat(lo, 'g', -1, 64) + "–" + strconv.FormatFloat(hi, 'g', -1, 64)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ConflictError refuses a panelist's write because a conflict of interest
// with the subject has appeared since the panel was planned. It matches
// broker.ErrConflict.
type ConflictError struct {
	Panel     string
	Expert    string
	Conflicts []broker.ConflictOfInterest
}

func (e *ConflictError) Error() string {
	s := "review: expert " + e.Expert + " has a conflict of interest with the subject of panel " + e.Panel
	for i, c := range e.Conflicts {
		if i == 0 {
			s += ": "
		} else {
			s += "; "
		}
		s += c.Rule + " (" + c.Reason + ")"
	}
	return s
}

// Is matches broker.ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == broker.ErrConflict }

// Submit records the principal's score sheet on a panel and locks it. The
// principal must be allowed to take part in the panel (an expert seated on
// it; broker.ErrForbidden otherwise). The sheet is refused with a
// *broker.ValidationError naming every bad field at once: "expert" when the
// principal holds no seat (not_on_panel) or has not accepted
// (not_accepted), "submitted" after the deadline (late), and every
// problem CheckSheet finds. A conflict of interest that appeared since
// planning refuses it with a *ConflictError; a locked panel with ErrLocked,
// a second sheet with ErrSubmitted (both broker.ErrConflict). The sheet,
// the seat and the expert's workload are written in one transaction, which
// serializes with Lock on the panel: a sheet is in before the lock or
// refused.
func (s *Service) Submit(ctx context.Context, p broker.Principal, panelID string, in Sheet) (ScoreSheet, error) {
	var out ScoreSheet
	err := s.update(ctx, "submit", KindSheet, panelID, func(tx *broker.Tx, _ *pool) error {
		pn, err := broker.Read[Panel](tx, panelID)
		if err != nil {
			return err
		}
		target := broker.TargetOf(pn)
		if !broker.Can(p, broker.ActTakePart, target) {
			return broker.Forbidden("submit", KindSheet, panelID, "only the panel's experts submit score sheets")
		}
		if !pn.Status.open() {
			return refused("submit", KindPanel, panelID, ErrLocked)
		}
		now := tx.Now()
		c := &broker.Check{}
		i := pn.seat(p.ID)
		switch {
		case i < 0:
			c.Add("expert", "not_on_panel", "", p.ID)
		case pn.Seats[i].Status == SeatSubmitted:
			return refused("submit", KindSheet, pn.Seats[i].Sheet, ErrSubmitted)
		case pn.Seats[i].Status != SeatAccepted:
			c.Add("expert", "not_accepted", string(pn.Seats[i].Status), p.ID)
		}
		if now.After(pn.Deadline) {
			c.Add("submitted", "late", pn.Deadline.Format(time.RFC3339), now.Format(time.RFC3339))
		}
		CheckSheet(c, pn.Template, in, Limits{Comment: s.opts.CommentMax, CriterionComment: s.opts.CriterionCommentMax})
		if err := c.Err(KindSheet); err != nil {
			return err
		}
		expert, err := broker.Read[broker.Expert](tx, p.ID)
		if err != nil {
			return err
		}
		sb, err := readSubject(tx, pn.Subject, "subject")
		if err != nil {
			return err
		}
		if cs := sb.conflicts(*s.opts.Rules, expert); len(cs) > 0 {
			return &ConflictError{Panel: pn.ID, Expert: p.ID, Conflicts: cs}
		}
		sheet := ScoreSheet{Meta: broker.Meta{ID: sheetID(pn.ID, p.ID), Broker: pn.Broker}, Panel: pn.ID, Expert: p.ID,
			Scores: in.Scores, Comments: in.Comments, Comment: in.Comment, Submitted: now, Readers: []string{p.ID}}
		if out, err = broker.Create(tx, p, sheet, broker.Via(broker.ActTakePart, target), broker.Logged("submitted", nil)); err != nil {
			return err
		}
		pn.Seats[i].Status, pn.Seats[i].Submitted, pn.Seats[i].Sheet = SeatSubmitted, now, out.ID
		if _, err := broker.Replace(tx, p, pn, broker.Via(broker.ActTakePart, target), broker.Logged("sheet_submitted", seatEvent{Expert: p.ID})); err != nil {
			return err
		}
		return s.adjustLoad(tx, p, broker.ActTakePart, target, p.ID, nil, func(w *Workload) {
			w.Open--
			w.year(s.year(now)).Done++
		})
	})
	return out, err
}

// seatEvent is the body of a panel's seat events.
type seatEvent struct {
	Expert   string `json:"expert"`
	Replaced string `json:"replaced,omitempty"`
	Rule     string `json:"rule,omitempty"`
	Reason   string `json:"reason,omitempty"`
}
