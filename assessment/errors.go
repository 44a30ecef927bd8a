package assessment

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrInvalid reports bad input data: NaN, negative values where ratios
	// are needed, unknown identifiers, bad weights or an invalid scheme.
	ErrInvalid = errors.New("assessment: invalid input")
	// ErrMissing reports a value that is absent under the MissingError policy.
	ErrMissing = errors.New("assessment: missing value")
	// ErrUndefined reports a quantity that does not exist for the data, such
	// as growth on a zero base or entropy weights when no column varies.
	ErrUndefined = errors.New("assessment: undefined result")
)

// ValueError names the bad value in a matrix or series. It unwraps to
// ErrInvalid or ErrUndefined.
type ValueError struct {
	Op       string // the function, e.g. "Normalize"
	Row, Col int    // -1 when not applicable
	Value    float64
	Reason   string
	Err      error // ErrInvalid or ErrUndefined
}

func (e *ValueError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "assessment: %s", e.Op)
	if e.Row >= 0 {
		fmt.Fprintf(&b, ": row %d", e.Row)
	}
	if e.Col >= 0 {
		fmt.Fprintf(&b, ": column %d", e.Col)
	}
	fmt.Fprintf(&b, ": value %g: %s", e.Value, e.Reason)
	return b.String()
}

func (e *ValueError) Unwrap() error {
	if e.Err == nil {
		return ErrInvalid
	}
	return e.Err
}

// MissingValueError names a value that is absent. It unwraps to ErrMissing.
type MissingValueError struct {
	Period, Entity, Indicator string
}

func (e *MissingValueError) Error() string {
	return fmt.Sprintf("assessment: missing value: period %q, entity %q, indicator %q", e.Period, e.Entity, e.Indicator)
}

func (e *MissingValueError) Unwrap() error { return ErrMissing }

// Problem is one reason a scheme or dataset is invalid, with a message in
// English and Chinese.
type Problem struct {
	Field string // JSON path, e.g. "groups[1].indicators[0].metric"
	EN    string
	ZH    string
}

// ValidationError lists every problem found. It unwraps to ErrInvalid.
type ValidationError struct {
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("assessment: invalid")
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString(";")
		}
		fmt.Fprintf(&b, " %s: %s", p.Field, p.EN)
	}
	return b.String()
}

func (e *ValidationError) Unwrap() error { return ErrInvalid }

func (e *ValidationError) add(field, en, zh string) {
	e.Problems = append(e.Problems, Problem{Field: field, EN: en, ZH: zh})
}

func (e *ValidationError) orNil() error {
	if len(e.Problems) == 0 {
		return nil
	}
	return e
}
