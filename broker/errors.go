package broker

import (
	"errors"
	"strings"

	"github.com/kexie/techbroker/broker/driver"
)

// Sentinel errors, matched with errors.Is through any wrapping. Each error
// a System call returns matches at most one of them.
var (
	// ErrNotFound: the record does not exist, or the principal may not
	// know that it exists.
	ErrNotFound = driver.ErrNotFound
	// ErrExists: a record with that ID (or that de-duplication key, where a
	// kind allows one record per key) already exists.
	ErrExists = driver.ErrExists
	// ErrStale: the record changed since the caller read it; the version
	// named is not the stored one. Read again and retry. It is the only
	// error System.Update retries, and only when the store reported it.
	ErrStale = errors.New("stale version")
	// ErrConflict: the record's state refuses the operation — a move not in
	// the transition table, a closed auction, a full activity. Retrying
	// does not help; the error (a *TransitionError, *BidError, …) says why.
	ErrConflict = errors.New("refused by the record's state")
	// ErrInvalid: the input failed validation; the error is (or wraps) a
	// *ValidationError listing every bad field.
	ErrInvalid = errors.New("invalid input")
	// ErrForbidden: the access policy does not let the principal do this.
	// Nothing was written.
	ErrForbidden = errors.New("forbidden")
)

// Error is the structured error every System call returns. It carries the
// operation, the record kind and ID, and unwraps both to its cause and to
// its sentinel (ErrNotFound, ErrStale, …), so that errors.Is and errors.As
// see through it. Errors are wrapped once: an *Error passed up through
// several calls keeps the innermost operation.
type Error struct {
	Op   string // what was asked, a verb: "create", "move", "bid"
	Kind Kind   // record kind, if any
	ID   string // record ID, if any
	Code error  // the sentinel; nil if none applies
	Err  error  // the cause
}

// Error reads "broker: update achievement ach-000001: …", then the
// cause's own text. No word is said twice: the kind is left out when the
// operation or the ID already says it, and the ID when the cause names it.
func (e *Error) Error() string {
	cause := ""
	switch {
	case e.Err != nil:
		cause = e.Err.Error()
	case e.Code != nil:
		cause = e.Code.Error()
	}
	var b strings.Builder
	b.WriteString("broker: ")
	b.WriteString(e.Op)
	if e.ID == "" || !strings.Contains(cause, e.ID) {
		if e.Kind != "" && !strings.Contains(e.Op, string(e.Kind)) && !strings.HasPrefix(e.ID, string(e.Kind)) {
			b.WriteString(" ")
			b.WriteString(string(e.Kind))
		}
		if e.ID != "" {
			b.WriteString(" ")
			b.WriteString(e.ID)
		}
	}
	b.WriteString(": ")
	b.WriteString(cause)
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
// returns nil for nil and leaves an existing *Error alone.
func wrap(op string, kind Kind, id string, err error) error {
	if err == nil {
		return nil
	}
	var be *Error
	if errors.As(err, &be) {
		return err
	}
	e := &Error{Op: op, Kind: kind, ID: id, Err: err}
	for _, s := range []error{ErrNotFound, ErrExists, ErrStale, ErrConflict, ErrInvalid, ErrForbidden} {
		if errors.Is(err, s) {
			e.Code = s
			break
		}
	}
	if e.Code == nil && errors.Is(err, driver.ErrStale) {
		e.Code = ErrStale
	}
	return e
}

// Wrap is wrap for feature packages: it returns err as an *Error of op on
// the record kind/id, classified by sentinel, unless it already is one.
func Wrap(op string, kind Kind, id string, err error) error { return wrap(op, kind, id, err) }

func forbidden(op string, kind Kind, id string, why string) error {
	return &Error{Op: op, Kind: kind, ID: id, Code: ErrForbidden, Err: errors.New("forbidden: " + why)}
}

// Forbidden returns the *Error of a call the access policy refuses, with
// the reason in words.
func Forbidden(op string, kind Kind, id, why string) error { return forbidden(op, kind, id, why) }

// Refused returns an error matching ErrConflict: the record's state
// refuses the operation, for the reason given.
func Refused(op string, kind Kind, id, why string) error {
	return &Error{Op: op, Kind: kind, ID: id, Code: ErrConflict, Err: errors.New(why)}
}
