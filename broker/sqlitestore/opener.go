package sqlitestore

import (
	"context"
	"fmt"
	"strings"

	"github.com/kexie/techbroker/broker/driver"
)

// Opener opens "sqlite:" URLs with broker.Open and broker.OpenStore:
// "sqlite:path/to.db" (relative to the working directory) or
// "sqlite:///abs/path.db". Options, if not nil, configure the Store.
type Opener struct {
	Options *Options
}

// Schemes implements broker.StoreOpener.
func (Opener) Schemes() []string { return []string{"sqlite"} }

// OpenStore implements broker.StoreOpener.
func (o Opener) OpenStore(ctx context.Context, url string) (driver.Store, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	path, ok := strings.CutPrefix(url, "sqlite:")
	if !ok {
		return nil, fmt.Errorf("sqlitestore: open %q: want sqlite:path/to.db", url)
	}
	path = strings.TrimPrefix(path, "//")
	return Open(path, o.Options)
}
