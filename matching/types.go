package matching

import (
	"context"
	"errors"
	"fmt"

	"github.com/shopspring/decimal"
)

// Errors; match them with errors.Is.
var (
	ErrInvalid  = errors.New("matching: invalid argument")
	ErrNotFound = errors.New("matching: not found")
)

// Error carries the operation and the record it concerns, and unwraps to
// its sentinel, or to its cause when no sentinel applies (an I/O error).
type Error struct {
	Op   string // "add", "match", ...
	Kind Kind
	ID   string
	Err  error // the sentinel (ErrInvalid, ErrNotFound) or the cause
	Msg  string
}

func (e *Error) Error() string {
	s := "matching: " + e.Op
	if e.Kind != 0 {
		s += " " + e.Kind.String()
	}
	if e.ID != "" {
		s += fmt.Sprintf(" %q", e.ID)
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }

// Kind says which library a document belongs to.
type Kind uint8

// Document kinds.
const (
	Achievement Kind = iota + 1 // 科技成果: a research result offered for transfer
	Demand                      // 技术需求: a company's technical problem
)

func (k Kind) String() string {
	switch k {
	case Achievement:
		return "achievement"
	case Demand:
		return "demand"
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Document is what the engine indexes: an achievement or a demand, reduced
// to the fields matching needs.
type Document struct {
	Kind     Kind
	ID       string
	Title    string
	Keywords []string
	Abstract string // for a demand: the problem, in the company's words or as a spec
	// Disciplines and IndustryCodes are codes compared for overlap
	// (e.g. GB/T 13745 disciplines, GB/T 4754 industries).
	Disciplines   []string
	IndustryCodes []string
	// Readiness is an achievement's technology readiness level, or a
	// demand's minimum level; 0 means unknown.
	Readiness int
	// Price is an achievement's asking price (CNY); zero means unknown or
	// negotiable.
	Price decimal.Decimal
	// BudgetMax is a demand's budget ceiling (CNY); zero means unknown.
	BudgetMax decimal.Decimal
	Region    string
}

// Expert is the part of an expert's profile that affinity needs.
type Expert struct {
	ID          string
	Keywords    []string
	Works       []string // titles or abstracts of past works
	Disciplines []string
}

// Direction says what is matched to what.
type Direction uint8

// Directions.
const (
	// DemandToAchievements finds achievements that answer a demand.
	DemandToAchievements Direction = iota + 1
	// AchievementToDemands finds demands (companies to approach) for an
	// achievement.
	AchievementToDemands
	// SimilarAchievements finds achievements like a given one.
	SimilarAchievements
	// ExpertToAchievements finds achievements close to an expert's
	// keywords and past works (affinity for panel assignment).
	ExpertToAchievements
)

func (d Direction) String() string {
	switch d {
	case DemandToAchievements:
		return "demand→achievements"
	case AchievementToDemands:
		return "achievement→demands"
	case SimilarAchievements:
		return "achievement→similar achievements"
	case ExpertToAchievements:
		return "expert→achievements"
	}
	return fmt.Sprintf("direction(%d)", uint8(d))
}

// Query asks for the best matches of a source.
type Query struct {
	Direction Direction
	// Source is the demand or achievement to match (for
	// ExpertToAchievements, use Expert instead). It need not be indexed.
	Source Document
	Expert Expert
	// K is the number of matches wanted (default 10).
	K int
	// Filter, when set, admits target documents by their tag
	// (Engine.SetTag; 0 for a document never tagged): the K matches are
	// the best admitted ones, because the filter applies while candidates
	// are retrieved, before any cut (an access policy goes here). It must
	// be safe for concurrent use and must not call the engine.
	Filter func(tag uint32) bool
	// MaxTerms, when > 0, bounds a DemandToAchievements or
	// AchievementToDemands query whose text has more distinct indexed
	// terms than that to its MaxTerms heaviest (tf·idf, as QueryVector
	// weighs them): a long problem statement or abstract is matched on its
	// characteristic terms, not on every character of it. A shorter query,
	// or one Options.MaxQueryTerms already bounds, is unchanged. 0 leaves
	// the query whole. See QueryTerms.
	MaxTerms int
}

// QueryTerms is the MaxTerms the broker's matching uses (packages
// broker/match and broker/capital). On the 1,000 abstracts of the CSL dev
// file used as demands, the share of the top 10 in the query's own
// discipline is 0.2272 with 96 terms against 0.2282 with all of them (64
// terms: 0.2156; 48: 0.2042), and the engine answers 2.3 times faster.
const QueryTerms = 96

// Match is one result with its explanation.
type Match struct {
	Kind        Kind
	ID          string
	Score       float64
	Explanation Explanation
}

// Explanation says why a match ranks where it does: Score is the sum of
// the signals' contributions.
type Explanation struct {
	Signals []Signal
	// Terms are the words the match shares with its query, most important
	// first: the query's keywords that matched, then the longest runs of
	// the query's text made of matched bigrams (without function
	// characters at their ends), then matched Latin words — not the
	// index's bigram fragments. Terms only the feedback added to the query are left out.
	Terms []string
}

// Signal is one ranking signal's value (0..1) and its contribution
// (weight × value) to the score.
type Signal struct {
	Name         string
	Value        float64
	Weight       float64
	Contribution float64
}

// Matcher matches a source to documents. The built-in *Engine implements
// it; implement it over another search system (a cluster of your own) to
// use that instead.
type Matcher interface {
	Match(ctx context.Context, q Query) ([]Match, error)
}
