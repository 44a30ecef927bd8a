package pgstore_test

import (
	"context"
	"fmt"
	"os"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/pgstore"
)

// Open the libraries in PostgreSQL, in a schema of their own. Several
// application instances may do this at once against the same database.
// (Compiled, not run: it needs a database.)
func Example() {
	ctx := context.Background()
	store, err := pgstore.Open(ctx, os.Getenv("DATABASE_URL"), &pgstore.Options{Schema: "techbroker"})
	if err != nil {
		fmt.Println(err)
		return
	}
	sys := broker.New(store, nil)
	defer sys.Close()
	admin := broker.PlatformAdmin("admin")
	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "深远海养殖网箱水质在线监测系统", Owner: "上海海洋大学"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(a.Version)
}
