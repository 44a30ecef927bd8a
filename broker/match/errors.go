package match

import (
	"errors"
	"strings"

	"github.com/kexie/techbroker/broker"
)

// Errors of the package, matched with errors.Is. The Service's calls also
// return the System's errors (broker.ErrNotFound, broker.ErrForbidden, …)
// for the records they read.
var (
	// ErrInvalid: a query or a cursor that cannot be answered.
	ErrInvalid = errors.New("match: invalid argument")
	// ErrSnapshot: a snapshot that cannot be restored here — another
	// format, another analyzer configuration or engine parameters, damaged
	// data. The index is left as it was.
	ErrSnapshot = errors.New("match: snapshot refused")
	// ErrNoSnapshot: the snapshot store holds none yet.
	ErrNoSnapshot = errors.New("match: no snapshot")
	// ErrNoRouter: routing was asked of a Service without a router.
	ErrNoRouter = errors.New("match: no router configured")
)

// Error carries the operation and the record concerned, and unwraps to
// its sentinel or cause.
type Error struct {
	Op  string
	Ref broker.RecordRef
	Err error
	Msg string
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("match: ")
	b.WriteString(e.Op)
	if e.Ref.ID != "" {
		b.WriteString(" " + e.Ref.String())
	}
	if e.Msg != "" {
		b.WriteString(": " + e.Msg)
	}
	if e.Err != nil && (e.Msg == "" || !isSentinel(e.Err)) {
		b.WriteString(": " + strings.TrimPrefix(e.Err.Error(), "match: "))
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

func isSentinel(err error) bool {
	return err == ErrInvalid || err == ErrSnapshot || err == ErrNoSnapshot || err == ErrNoRouter
}

// snapshotError is a refused snapshot: it matches ErrSnapshot and, when
// there is one, its cause.
func snapshotError(msg string, cause error) error {
	e := &Error{Op: "restore", Err: ErrSnapshot, Msg: msg}
	if cause != nil {
		return &snapErr{e, cause}
	}
	return e
}

type snapErr struct {
	e     *Error
	cause error
}

func (e *snapErr) Error() string   { return e.e.Error() + ": " + e.cause.Error() }
func (e *snapErr) Unwrap() []error { return []error{ErrSnapshot, e.cause} }
