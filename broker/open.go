package broker

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kexie/techbroker/broker/driver"
)

// A StoreOpener opens stores named by URLs of some schemes. Each adapter
// exports one (memstore.Opener, sqlitestore.Opener, pgstore.Opener); the
// caller passes the ones it wants to OpenStore or Open, so there is no
// global registry and a program links only the adapters it names.
type StoreOpener interface {
	// Schemes returns the URL schemes it opens, without the colon, e.g.
	// "sqlite" or "postgres".
	Schemes() []string
	// OpenStore opens the store named by url, whose scheme is one of
	// Schemes.
	OpenStore(ctx context.Context, url string) (driver.Store, error)
}

// OpenStore opens the store named by url with the first opener that
// handles its scheme, for example
//
//	store, err := broker.OpenStore(ctx, "sqlite:data/broker.db", memstore.Opener{}, sqlitestore.Opener{})
//
// URLs are "mem:", "sqlite:path/to.db" and "postgres://user@host/db"
// (also "postgresql://"), as far as the openers given handle them. An
// unknown scheme is an error naming the schemes that were given.
func OpenStore(ctx context.Context, url string, openers ...StoreOpener) (driver.Store, error) {
	scheme, _, ok := strings.Cut(url, ":")
	if !ok || scheme == "" {
		return nil, fmt.Errorf("broker: open store %q: no scheme (%s)", url, schemeList(openers))
	}
	scheme = strings.ToLower(scheme)
	for _, o := range openers {
		if o == nil {
			continue
		}
		if slices.Contains(o.Schemes(), scheme) {
			s, err := o.OpenStore(ctx, url)
			if err != nil {
				return nil, fmt.Errorf("broker: open store: %w", err)
			}
			return s, nil
		}
	}
	return nil, fmt.Errorf("broker: open store %q: unknown scheme %q (%s)", url, scheme, schemeList(openers))
}

func schemeList(openers []StoreOpener) string {
	var s []string
	for _, o := range openers {
		if o != nil {
			for _, sc := range o.Schemes() {
				s = append(s, sc+":")
			}
		}
	}
	if len(s) == 0 {
		return "no store openers were given"
	}
	return "want one of " + strings.Join(s, ", ")
}

// Open opens the store named by url (see OpenStore) and returns a System
// over it; System.Close closes the store:
//
//	sys, err := broker.Open(ctx, "postgres://app@db/broker", nil, memstore.Opener{}, sqlitestore.Opener{}, pgstore.Opener{})
func Open(ctx context.Context, url string, opts *Options, openers ...StoreOpener) (*System, error) {
	s, err := OpenStore(ctx, url, openers...)
	if err != nil {
		return nil, err
	}
	return New(s, opts), nil
}
