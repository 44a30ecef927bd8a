// Command quickstart builds the Yangpu 3+3+N system in memory, imports a
// small CSV of achievements, routes each one to an industry broker by its
// sector, lists them per broker, and shows the validation error of the one
// bad row.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"

	"github.com/shopspring/decimal"
	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/money"
)

func main() {
	csvPath := flag.String("csv", defaultCSV(), "achievements CSV to import")
	lang := flag.String("lang", "zh", "language of error messages: zh or en")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *csvPath, language.Make(*lang)); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

// defaultCSV finds achievements.csv beside this file, so that the program
// works from any directory inside the module.
func defaultCSV() string {
	if _, file, _, ok := runtime.Caller(0); ok {
		p := filepath.Join(filepath.Dir(file), "achievements.csv")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return "examples/quickstart/achievements.csv"
}

func run(ctx context.Context, w io.Writer, csvPath string, lang language.Tag) error {
	admin := broker.PlatformAdmin("quickstart")
	sys, err := broker.Build(ctx, memstore.New(), broker.Yangpu(), admin, &broker.Options{NewID: broker.SequentialIDs()})
	if err != nil {
		return err
	}
	defer sys.Close()
	rooms, err := sys.Brokers.List(ctx, admin, broker.ListOptions{})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Built the Yangpu system: %d industry brokers (样板间)\n", len(rooms.Items))

	f, err := os.Open(csvPath)
	if err != nil {
		return err
	}
	defer f.Close()
	rep, err := sys.Achievements.Import(ctx, admin, f, broker.ImportOptions{Partial: true, Batch: "quickstart"})
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "Imported %d of %d rows; %d bad fields:\n", len(rep.Created), rep.Rows, len(rep.Errors))
	for _, fe := range rep.Errors {
		fmt.Fprintln(w, "  ", fe.Message(lang))
	}

	// Route every achievement to the room whose sector fits it best.
	for _, id := range rep.Created {
		_, err := sys.Achievements.Modify(ctx, admin, id, func(a *broker.Achievement) error {
			best, bestScore := "", 0
			for _, room := range rooms.Items {
				if s := room.Sector.SectorFit(a.Disciplines, a.IndustryCodes, a.Title+" "+a.Summary); s > bestScore {
					best, bestScore = room.ID, s
				}
			}
			a.Broker = best
			return nil
		})
		if err != nil {
			return err
		}
	}

	fmt.Fprintln(w)
	for _, room := range rooms.Items {
		page, err := sys.Achievements.List(ctx, admin, broker.ListOptions{Broker: room.ID})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s (%s, %s): %d\n", room.Name, room.NameEN, room.Members[0].Name, len(page.Items))
		for _, a := range page.Items {
			fmt.Fprintf(w, "   %s  %s  TRL %d  %s\n", a.ID, a.Title, a.Readiness.Level, money.FormatZH(a.AskingPrice))
		}
	}

	// One bad record on its own, in both languages.
	_, err = sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "一项报价有误的成果", AskingPrice: decimal.RequireFromString("-12.345")})
	var ve *broker.ValidationError
	if errors.As(err, &ve) {
		fmt.Fprintln(w)
		fmt.Fprintln(w, ve.Localize(language.Chinese))
		fmt.Fprintln(w, ve.Localize(language.English))
	}
	return nil
}
