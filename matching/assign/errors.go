package assign

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors, matched with [errors.Is].
var (
	// ErrInvalid is wrapped by *InvalidError: the problem is malformed.
	ErrInvalid = errors.New("assign: invalid problem")
	// ErrInfeasible is wrapped by *InfeasibleError: the problem is well
	// formed but no assignment satisfies all its constraints.
	ErrInfeasible = errors.New("assign: infeasible")
)

const maxIssues = 20

// Issue is one problem found in a [Problem]: the field, the index within
// it (-1 when the field as a whole is wrong) and a message.
type Issue struct {
	Field string
	Index int
	Msg   string
}

func (is Issue) String() string {
	if is.Index < 0 {
		return is.Field + ": " + is.Msg
	}
	return fmt.Sprintf("%s[%d]: %s", is.Field, is.Index, is.Msg)
}

// InvalidError reports every problem found in a malformed [Problem] (up to
// 20). It unwraps to [ErrInvalid].
type InvalidError struct {
	Issues []Issue
}

func (v *InvalidError) add(field string, index int, msg string) {
	if len(v.Issues) < maxIssues {
		v.Issues = append(v.Issues, Issue{field, index, msg})
	}
}

func (v *InvalidError) addf(field string, index int, format string, args ...any) {
	v.add(field, index, fmt.Sprintf(format, args...))
}

func (v *InvalidError) Error() string {
	parts := make([]string, len(v.Issues))
	for i, is := range v.Issues {
		parts[i] = is.String()
	}
	return "assign: invalid problem: " + strings.Join(parts, "; ")
}

// Unwrap returns [ErrInvalid].
func (v *InvalidError) Unwrap() error { return ErrInvalid }

// Reason classifies why an instance is infeasible.
type Reason int

// Reasons for infeasibility.
const (
	// Capacity: a set of items needs more expert slots than the experts
	// allowed for them can give (Hall's condition fails for Items, whose
	// allowed experts are Experts).
	Capacity Reason = iota + 1
	// ItemConflicts: an item has fewer allowed experts than its coverage;
	// Conflicts lists the forbidden pairs that remove the others.
	ItemConflicts
	// MinLoad: the minimum loads of Experts cannot all be met (they exceed
	// the total coverage, or the items open to them are needed elsewhere).
	MinLoad
	// ForcedLoad: an expert has more forced pairs than its maximum load.
	ForcedLoad
	// ForcedCover: an item has more forced pairs than its coverage.
	ForcedCover
	// ForcedConflict: a forced pair is also forbidden.
	ForcedConflict
)

func (r Reason) String() string {
	switch r {
	case Capacity:
		return "not enough expert capacity"
	case ItemConflicts:
		return "not enough allowed experts for an item"
	case MinLoad:
		return "minimum loads cannot be met"
	case ForcedLoad:
		return "forced pairs exceed an expert's maximum load"
	case ForcedCover:
		return "forced pairs exceed an item's coverage"
	case ForcedConflict:
		return "forced pair is forbidden"
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// InfeasibleError names the items and experts that make an instance
// infeasible, and the conflicts involved when conflicts are the cause. It
// unwraps to [ErrInfeasible]. No partial assignment is ever returned with
// it.
type InfeasibleError struct {
	Reason    Reason
	Items     []string   // IDs of the items concerned
	Experts   []string   // IDs of the experts concerned
	Conflicts []Conflict // forbidden pairs involved (ItemConflicts, ForcedConflict)
	Detail    string     // one human-readable sentence with the numbers
	// conflict IDs, resolved for the message
	conflictText []string
}

func (e *InfeasibleError) Error() string {
	var b strings.Builder
	b.WriteString("assign: infeasible: ")
	b.WriteString(e.Reason.String())
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if len(e.Items) > 0 {
		b.WriteString("; items ")
		b.WriteString(list(e.Items))
	}
	if len(e.Experts) > 0 {
		b.WriteString("; experts ")
		b.WriteString(list(e.Experts))
	}
	if len(e.conflictText) > 0 {
		b.WriteString("; conflicts ")
		b.WriteString(list(e.conflictText))
	}
	return b.String()
}

// Unwrap returns [ErrInfeasible].
func (e *InfeasibleError) Unwrap() error { return ErrInfeasible }

// list quotes up to 10 names and counts the rest.
func list(s []string) string {
	const show = 10
	var b strings.Builder
	for i, x := range s {
		if i == show {
			fmt.Fprintf(&b, " and %d more", len(s)-show)
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%q", x)
	}
	return b.String()
}
