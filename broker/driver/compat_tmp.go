package driver

import "context"

// TEMPORARY until the driver branch lands.
var ErrStale = ErrConflict

func Update(ctx context.Context, s Store, fn func(ctx context.Context, tx Tx) error) error {
	return s.Update(ctx, fn)
}
