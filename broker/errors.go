package broker

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kexie/techbroker/broker/driver"
)

// Sentinel errors, matched with errors.Is through any wrapping.
var (
	// ErrNotFound: the record does not exist (or the caller may not know it exists).
	ErrNotFound = driver.ErrNotFound
	// ErrExists: a record with that ID already exists.
	ErrExists = driver.ErrExists
	// ErrConflict: the record changed since the caller read it (stale version),
	// or the operation conflicts with the record's state.
	ErrConflict = driver.ErrStale
	// ErrInvalid: the input failed validation; the error is (or wraps) a
	// *ValidationError listing every bad field.
	ErrInvalid = errors.New("invalid input")
	// ErrForbidden: the principal may not do this. Nothing was written.
	ErrForbidden = errors.New("forbidden")
)

// Error is the structured error every System method returns. It carries the
// operation, the record kind and ID, and unwraps both to its cause and to its
// sentinel (ErrNotFound, ErrConflict, ...), so errors.Is and errors.As see
// through it.
type Error struct {
	Op   string // e.g. "create", "update", "import"
	Kind Kind   // record kind, if any
	ID   string // record ID, if any
	Code error  // the sentinel; nil if none applies
	Err  error  // the cause
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("broker: ")
	b.WriteString(e.Op)
	if e.Kind != "" {
		b.WriteString(" ")
		b.WriteString(string(e.Kind))
	}
	if e.ID != "" {
		b.WriteString(" ")
		b.WriteString(e.ID)
	}
	b.WriteString(": ")
	switch {
	case e.Err != nil:
		b.WriteString(e.Err.Error())
	case e.Code != nil:
		b.WriteString(e.Code.Error())
	}
	return b.String()
}

// Unwrap returns the cause and the sentinel.
func (e *Error) Unwrap() []error {
	var out []error
	if e.Err != nil {
		out = append(out, e.Err)
	}
	if e.Code != nil && e.Code != e.Err {
		out = append(out, e.Code)
	}
	return out
}

// wrap turns any error into an *Error for op, classifying it by sentinel. It
// returns nil for nil and leaves an existing *Error alone (errors are wrapped
// once).
func wrap(op string, kind Kind, id string, err error) error {
	if err == nil {
		return nil
	}
	var be *Error
	if errors.As(err, &be) {
		return err
	}
	e := &Error{Op: op, Kind: kind, ID: id, Err: err}
	for _, s := range []error{ErrNotFound, ErrExists, ErrConflict, ErrInvalid, ErrForbidden} {
		if errors.Is(err, s) {
			e.Code = s
			break
		}
	}
	return e
}

func forbidden(op string, kind Kind, id string, why string) error {
	return &Error{Op: op, Kind: kind, ID: id, Code: ErrForbidden, Err: fmt.Errorf("forbidden: %s", why)}
}
