package sqlitestore_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/sqlitestore"
)

// Keep the libraries in one SQLite file; reopening it finds the data.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "sqlitestore-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "broker.db")
	admin := broker.PlatformAdmin("admin")

	store, err := sqlitestore.Open(path, nil)
	if err != nil {
		panic(err)
	}
	sys := broker.New(store, &broker.Options{NewID: broker.SequentialIDs()})
	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "新生儿黄疸无创经皮检测仪", Owner: "新华医院"})
	if err != nil {
		panic(err)
	}
	_ = sys.Close()

	sys, err = broker.Open(ctx, "sqlite:"+path, nil, sqlitestore.Opener{})
	if err != nil {
		panic(err)
	}
	defer sys.Close()
	got, err := sys.Achievements.Get(ctx, admin, a.ID)
	if err != nil {
		panic(err)
	}
	fmt.Println(got.ID, got.Title, got.Version)
	// Output:
	// ach-000001 新生儿黄疸无创经皮检测仪 1
}
