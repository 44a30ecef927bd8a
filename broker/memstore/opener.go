package memstore

import (
	"context"
	"fmt"

	"github.com/kexie/techbroker/broker/driver"
)

// Opener opens "mem:" URLs with broker.Open and broker.OpenStore: each
// call returns a new, empty Store.
type Opener struct{}

// Schemes implements broker.StoreOpener.
func (Opener) Schemes() []string { return []string{"mem"} }

// OpenStore implements broker.StoreOpener. The URL must be "mem:" (a
// trailing "//" is accepted).
func (Opener) OpenStore(ctx context.Context, url string) (driver.Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if url != "mem:" && url != "mem://" {
		return nil, fmt.Errorf("memstore: open %q: want \"mem:\"", url)
	}
	return New(), nil
}
