package evaluation

import (
	"errors"
	"fmt"
)

// ErrInvalid is the sentinel that every validation error in this package
// unwraps to, so callers can test with errors.Is(err, evaluation.ErrInvalid).
var ErrInvalid = errors.New("evaluation: invalid input")

// ErrInconsistent is the sentinel unwrapped by *InconsistencyError.
var ErrInconsistent = errors.New("evaluation: judgements too inconsistent")

// MatrixError reports a bad pairwise-comparison (or other) matrix: which
// cell, which value and why. Row and Col are zero-based; they are -1 when the
// problem concerns the whole matrix (for example, it is empty or not square).
type MatrixError struct {
	Row, Col int
	Value    float64
	Reason   string
}

func (e *MatrixError) Error() string {
	if e.Row < 0 {
		return "evaluation: matrix: " + e.Reason
	}
	return fmt.Sprintf("evaluation: matrix[%d][%d] = %g: %s", e.Row, e.Col, e.Value, e.Reason)
}

// Unwrap returns ErrInvalid.
func (e *MatrixError) Unwrap() error { return ErrInvalid }

// RandomIndexError reports that a random-index table has no value for the
// matrix order n (for example Saaty 1980 beyond n = 11, where published
// sources disagree), or that the table name is unknown.
type RandomIndexError struct {
	Table RandomIndexTable
	N     int
}

func (e *RandomIndexError) Error() string {
	if !e.Table.known() {
		return fmt.Sprintf("evaluation: unknown random-index table %q", string(e.Table))
	}
	return fmt.Sprintf("evaluation: random-index table %q has no value for n = %d", string(e.Table), e.N)
}

// Unwrap returns ErrInvalid.
func (e *RandomIndexError) Unwrap() error { return ErrInvalid }

// InconsistencyError is returned by AHP when the consistency ratio exceeds
// the caller's limit (AHPOptions.MaxCR). The AHPResult returned with it is
// still complete, so callers can show the figures when asking experts to
// revise their judgements.
type InconsistencyError struct {
	CR, MaxCR float64
	N         int
	Table     RandomIndexTable
}

func (e *InconsistencyError) Error() string {
	return fmt.Sprintf("evaluation: consistency ratio %.4f exceeds limit %.4f (n = %d, RI table %s)", e.CR, e.MaxCR, e.N, e.Table)
}

// Unwrap returns ErrInconsistent.
func (e *InconsistencyError) Unwrap() error { return ErrInconsistent }

// FieldError reports one bad input value by name (a field, an argument, a
// cell), with the offending value and a reason. It unwraps to ErrInvalid.
type FieldError struct {
	Field  string
	Value  any
	Reason string
}

func (e *FieldError) Error() string {
	return fmt.Sprintf("evaluation: %s = %v: %s", e.Field, e.Value, e.Reason)
}

// Unwrap returns ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// contextError adds context to an error without repeating the package
// prefix; it unwraps to the original error.
type contextError struct {
	context string
	err     error
}

func (e *contextError) Error() string {
	return "evaluation: " + e.context + ": " + trimPrefix(e.err.Error())
}

func (e *contextError) Unwrap() error { return e.err }

func withContext(err error, format string, args ...any) error {
	return &contextError{context: fmt.Sprintf(format, args...), err: err}
}
