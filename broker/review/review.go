package review

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/matching"
)

// Record kinds of expert review, as stored.
const (
	KindPanel     broker.Kind = "review_panel"     // a Panel (评审组)
	KindSheet     broker.Kind = "score_sheet"      // a ScoreSheet (评分表)
	KindVerdict   broker.Kind = "review_verdict"   // a Verdict (评审结论)
	KindValuation broker.Kind = "valuation_report" // a ValuationReport (估值报告)
	KindWorkload  broker.Kind = "review_workload"  // a Workload (专家评审量)
)

// Errors of the review workflow. Each comes wrapped in a *broker.Error
// whose Code is broker.ErrConflict, so errors.Is matches both.
var (
	// ErrLocked: the panel is locked (or decided); nothing more is written
	// to its sheets.
	ErrLocked = errors.New("review: the panel is locked")
	// ErrSubmitted: the expert's sheet is submitted, and a submitted sheet
	// is locked.
	ErrSubmitted = errors.New("review: the sheet is already submitted")
	// ErrTooFewSheets: the panel cannot lock with fewer sheets than
	// Scoring.MinSheets.
	ErrTooFewSheets = errors.New("review: too few score sheets")
	// ErrNoPanelists: no qualified expert is free for the panel.
	ErrNoPanelists = errors.New("review: no qualified panelist is free")
)

// Options configure a Service. A nil *Options means the defaults.
type Options struct {
	// Rules are the conflict-of-interest rules, checked at planning, at
	// invitation and at submission; nil means DefaultConflictRules.
	Rules *ConflictRules
	// MaxLoad is how many panels an expert sits on at once when their
	// record gives no Expert.MaxLoad; 0 means 5.
	MaxLoad int
	// YearlyLoad is how many reviews an expert does in a calendar year:
	// the reviews done this year and the seats held count against it in
	// every plan; 0 means 20.
	YearlyLoad int
	// ReplyDays is the time an invited expert has to answer; 0 means 3.
	ReplyDays int
	// ScoreDays is the time from planning to the sheets' deadline when a
	// plan names none; 0 means 14.
	ScoreDays int
	// CommentMax and CriterionCommentMax bound a sheet's overall comment
	// and each criterion's comment, in characters; 0 means 2,000 and 500.
	CommentMax, CriterionCommentMax int
	// Location is the calendar of the yearly load and the figures; nil
	// means China Standard Time (UTC+8).
	Location *time.Location
	// Engine configures the matching engine that computes affinities (nil
	// means its defaults).
	Engine *matching.Options
	// Affinity, when set, gives Plan the affinities of the achievements it
	// plans panels for, instead of an engine built for the plan: for
	// example the matching service's index, which follows the store —
	//
	//	review.New(sys, &review.Options{Affinity: func(ctx context.Context, p broker.Principal, ids []string) (map[string]map[string]float64, error) {
	//		return svc.Affinity(ctx, p, ids, 0) // svc is a *match.Service
	//	}})
	//
	// It returns achievement ID → expert ID → affinity in 0..1; an expert
	// it leaves out has affinity 0 for that achievement. It is called
	// before Plan's transaction. Demands, and the re-solve of a seat after
	// a decline, take their affinities from the engine.
	Affinity func(ctx context.Context, p broker.Principal, achievementIDs []string) (map[string]map[string]float64, error)
}

func (o Options) withDefaults() Options {
	if o.Rules == nil {
		r := DefaultConflictRules()
		o.Rules = &r
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&o.MaxLoad, 5)
	def(&o.YearlyLoad, 20)
	def(&o.ReplyDays, 3)
	def(&o.ScoreDays, 14)
	def(&o.CommentMax, 2000)
	def(&o.CriterionCommentMax, 500)
	if o.Location == nil {
		o.Location = time.FixedZone("CST", 8*3600)
	}
	return o
}

// Service is expert review (专家评审) over a broker.System: its Libraries
// give the plain reads of its records (filtered by the access policy); its
// methods are the workflow's operations, each one transaction of the
// System. A Service is safe for concurrent use.
type Service struct {
	// Panels holds the review panels, written only by the operations;
	// ListOptions.Stage selects a Status, ListOptions.Key a subject's
	// panels at a broker (SubjectKey).
	Panels *broker.Library[Panel]
	// Sheets holds the score sheets, written only by Submit and Lock.
	Sheets *broker.Library[ScoreSheet]
	// Verdicts holds the verdicts, written only by Decide.
	Verdicts *broker.Library[Verdict]
	// Valuations holds the valuation reports; ListOptions.Key selects a
	// subject's (ValuationKey), ListOptions.Stage a ReportStatus.
	Valuations *broker.Library[ValuationReport]
	// Workloads holds each expert's review load, kept by the operations.
	Workloads *broker.Library[Workload]

	sys  *broker.System
	opts Options
}

// New returns expert review over sys. It makes the package's record kinds
// known to sys, so that organization merges and audits cover them.
func New(sys *broker.System, opts *Options) *Service {
	var o Options
	if opts != nil {
		o = *opts
	}
	return &Service{
		Panels:     broker.NewLibrary[Panel](sys),
		Sheets:     broker.NewLibrary[ScoreSheet](sys),
		Verdicts:   broker.NewLibrary[Verdict](sys),
		Valuations: broker.NewLibrary[ValuationReport](sys),
		Workloads:  broker.NewLibrary[Workload](sys),
		sys:        sys,
		opts:       o.withDefaults(),
	}
}

// reader reads, for operations that decide access themselves (a plan's
// view of every expert's load, a desk's figures), the records of a kind.
// It never writes.
var reader = broker.PlatformAdmin("review-service")

// hashID is prefix and a hash of the parts: a stable ID of at most 64
// characters for a record named by other records' IDs.
func hashID(prefix string, parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0x1f})
	}
	return prefix + hex.EncodeToString(h.Sum(nil)[:12])
}

// year is the calendar year of t in the service's location.
func (s *Service) year(t time.Time) int { return t.In(s.opts.Location).Year() }

// utcMicro is t in UTC at microsecond precision; the zero time stays zero.
func utcMicro(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// refused is the *broker.Error of an operation the record's state refuses.
func refused(op string, kind broker.Kind, id string, cause error) error {
	return &broker.Error{Op: op, Kind: kind, ID: id, Code: broker.ErrConflict, Err: cause}
}

// invalid is the validation error of the given fields.
func invalid(kind broker.Kind, fields ...broker.FieldError) error {
	c := &broker.Check{}
	for _, f := range fields {
		c.Add(f.Field, f.Code, f.Param, f.Value)
	}
	return c.Err(kind)
}

// subject is an achievement or a demand under review.
type subject struct {
	ref         broker.RecordRef
	target      broker.Target
	title       string
	owners      []string
	achievement *broker.Achievement
	demand      *broker.Demand
}

// conflicts returns the conflicts of interest between e and the subject.
func (sb subject) conflicts(r ConflictRules, e broker.Expert) []ConflictOfInterest {
	if sb.achievement != nil {
		return r.AchievementConflicts(e, *sb.achievement)
	}
	return r.DemandConflicts(e, *sb.demand)
}

// readSubject reads an achievement or a demand inside a transaction,
// without the policy (the operation decided access); ErrInvalid naming
// field when it is missing or of another kind.
func readSubject(tx *broker.Tx, ref broker.RecordRef, field string) (subject, error) {
	sb := subject{ref: ref}
	var err error
	switch ref.Kind {
	case broker.KindAchievement:
		var a broker.Achievement
		if a, err = broker.Read[broker.Achievement](tx, ref.ID); err == nil {
			sb.achievement, sb.title, sb.owners, sb.target = &a, a.Title, a.OwnerOrgs(), broker.TargetOf(a)
		}
	case broker.KindDemand:
		var d broker.Demand
		if d, err = broker.Read[broker.Demand](tx, ref.ID); err == nil {
			sb.demand, sb.title, sb.owners, sb.target = &d, d.Title, d.OwnerOrgs(), broker.TargetOf(d)
		}
	default:
		return sb, invalid(KindPanel, broker.FieldError{Field: field + ".kind", Code: "oneof", Param: "achievement demand", Value: string(ref.Kind)})
	}
	if errors.Is(err, broker.ErrNotFound) {
		return sb, invalid(KindPanel, broker.FieldError{Field: field + ".id", Code: "ref", Value: ref.ID})
	}
	return sb, err
}

// pool is the qualified panelists a re-solve chooses from, read outside
// the transaction (the store may allow no other read while one is open)
// and only when a transaction finds it needs them.
type pool struct {
	experts []broker.Expert
	loaded  bool
	society string
}

// errNeedPool stops a transaction that needs the pool before it was read.
var errNeedPool = errors.New("review: the qualified panelists are needed")

// get returns the panelists of society, or errNeedPool before they are
// read.
func (pl *pool) get(society string) ([]broker.Expert, error) {
	if !pl.loaded {
		pl.society = society
		return nil, errNeedPool
	}
	return pl.experts, nil
}

// panelists reads the experts who may sit on panels of society ("" for
// any qualified society): members of a society whose evaluation
// qualification is valid now (broker.System.QualifiedPanelists).
func (s *Service) panelists(ctx context.Context, society string) ([]broker.Expert, error) {
	ps, err := s.sys.QualifiedPanelists(ctx, reader, broker.PanelQuery{Society: society})
	if err != nil {
		return nil, err
	}
	out := make([]broker.Expert, len(ps))
	for i, p := range ps {
		out[i] = p.Expert
	}
	return out, nil
}

// update runs fn in one transaction of the System. If fn finds it needs
// the qualified panelists (a seat to fill again), the transaction ends
// without a write, they are read, and fn runs once more with them: at most
// two transactions, and only the System's own retry on a stale version
// besides.
func (s *Service) update(ctx context.Context, op string, kind broker.Kind, id string, fn func(tx *broker.Tx, pl *pool) error) error {
	pl := &pool{}
	run := func(tx *broker.Tx) error { return fn(tx, pl) }
	err := s.sys.Update(ctx, run)
	if errors.Is(err, errNeedPool) {
		if pl.experts, err = s.panelists(ctx, pl.society); err != nil {
			return broker.Wrap(op, kind, id, err)
		}
		pl.loaded = true
		err = s.sys.Update(ctx, run)
	}
	return broker.Wrap(op, kind, id, err)
}
