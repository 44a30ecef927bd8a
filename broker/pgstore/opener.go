package pgstore

import (
	"context"

	"github.com/kexie/techbroker/broker/driver"
)

// Opener opens "postgres://" and "postgresql://" URLs with broker.Open and
// broker.OpenStore. The URL goes to pgx as it is, so it may carry libpq
// parameters such as sslmode, pool_max_conns or search_path. Options, if
// not nil, configure the Store.
type Opener struct {
	Options *Options
}

// Schemes implements broker.StoreOpener.
func (Opener) Schemes() []string { return []string{"postgres", "postgresql"} }

// OpenStore implements broker.StoreOpener.
func (o Opener) OpenStore(ctx context.Context, url string) (driver.Store, error) {
	return Open(ctx, url, o.Options)
}
