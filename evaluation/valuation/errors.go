package valuation

import "errors"

// ErrInvalid is the sentinel every input error of this package unwraps to.
var ErrInvalid = errors.New("valuation: invalid input")
