package broker_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/broker/pgstore"
	"github.com/kexie/techbroker/broker/sqlitestore"
)

// Choose the store with a URL: "mem:", "sqlite:path/to.db" or
// "postgres://…". The openers given are the only schemes known.
func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "broker-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	admin := broker.PlatformAdmin("admin")
	for _, url := range []string{"mem:", "sqlite:" + filepath.Join(dir, "broker.db")} {
		sys, err := broker.Open(ctx, url, &broker.Options{NewID: broker.SequentialIDs()},
			memstore.Opener{}, sqlitestore.Opener{}, pgstore.Opener{})
		if err != nil {
			panic(err)
		}
		a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "海水养殖投喂系统", Owner: "上海海洋大学"})
		if err != nil {
			panic(err)
		}
		fmt.Println(strings.SplitN(url, ":", 2)[0], a.ID, a.Version)
		_ = sys.Close()
	}
	_, err = broker.OpenStore(ctx, "mysql://db/broker", memstore.Opener{}, sqlitestore.Opener{}, pgstore.Opener{})
	fmt.Println(err)
	// Output:
	// mem ach-000001 1
	// sqlite ach-000001 1
	// broker: open store "mysql://db/broker": unknown scheme "mysql" (want one of mem:, sqlite:, postgres:, postgresql:)
}

type fakeOpener struct{ got *string }

func (fakeOpener) Schemes() []string { return []string{"fake"} }

func (o fakeOpener) OpenStore(ctx context.Context, url string) (driver.Store, error) {
	*o.got = url
	if strings.Contains(url, "fail") {
		return nil, errors.New("fake: cannot open")
	}
	return memstore.New(), nil
}

func TestOpenStore(t *testing.T) {
	ctx := context.Background()
	var got string
	for _, tc := range []struct {
		url     string
		openers []broker.StoreOpener
		wantErr string // substring; "" means success
	}{
		{"fake:x", []broker.StoreOpener{fakeOpener{&got}}, ""},
		{"FAKE:x", []broker.StoreOpener{nil, fakeOpener{&got}}, ""},
		{"fake:fail", []broker.StoreOpener{fakeOpener{&got}}, "broker: open store: fake: cannot open"},
		{"nocolon", []broker.StoreOpener{fakeOpener{&got}}, `no scheme (want one of fake:)`},
		{":x", []broker.StoreOpener{fakeOpener{&got}}, `no scheme`},
		{"mem:", nil, `unknown scheme "mem" (no store openers were given)`},
		{"mem:", []broker.StoreOpener{fakeOpener{&got}}, `unknown scheme "mem" (want one of fake:)`},
		{"mem:extra", []broker.StoreOpener{memstore.Opener{}}, `memstore: open "mem:extra"`},
		{"mem:", []broker.StoreOpener{memstore.Opener{}}, ""},
	} {
		s, err := broker.OpenStore(ctx, tc.url, tc.openers...)
		switch {
		case tc.wantErr == "" && err != nil:
			t.Errorf("OpenStore(%q): got %v, want success", tc.url, err)
		case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
			t.Errorf("OpenStore(%q): got error %v, want one containing %q", tc.url, err, tc.wantErr)
		}
		if s != nil {
			_ = s.Close()
		}
	}
	if got != "fake:fail" {
		t.Errorf("the opener got URL %q, want the whole URL", got)
	}
}
