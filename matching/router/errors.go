package router

import "errors"

// Errors; match them with errors.Is.
var (
	// ErrInvalid: options or examples that Train cannot use, or (Read)
	// an analyzer configured otherwise than the one of training.
	ErrInvalid = errors.New("router: invalid argument")
	// ErrCorrupt: a saved router (Read) is damaged, truncated or of
	// another kind.
	ErrCorrupt = errors.New("router: corrupt data")
)

// Error carries the operation ("train", "read" or "write") and unwraps
// to its sentinel, or to its cause when no sentinel applies (an I/O
// error of WriteTo).
type Error struct {
	Op  string
	Err error // ErrInvalid, ErrCorrupt or the cause
	Msg string
}

func (e *Error) Error() string {
	s := "router: " + e.Op
	if e.Msg != "" {
		s += ": " + e.Msg
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }
