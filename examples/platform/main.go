// Command platform serves the techbroker HTTP/JSON API (package
// broker/httpapi) over the Yangpu blueprint with demo data, and a small web
// console at / that searches the libraries, shows a demand's matches with
// their explanations and moves a case along its stages.
//
//	go run ./examples/platform -demo-keys /tmp/keys.json
//	curl -H "Authorization: Bearer $(jq -r .broker /tmp/keys.json)" http://127.0.0.1:8080/v1/cases
//
// Flags: -addr (default 127.0.0.1:8080), -store (default "sqlite:" in a
// new temporary directory; "mem:", "sqlite:path.db" or a postgres:// URL),
// -demo-keys FILE (writes {"admin":…,"broker":…,"enterprise":…,"institution":…}).
package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/httpapi"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/broker/pgstore"
	"github.com/kexie/techbroker/broker/sqlitestore"
)

//go:embed console
var console embed.FS

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stderr, nil); err != nil {
		fmt.Fprintln(os.Stderr, "platform:", err)
		os.Exit(1)
	}
}

// The demo principals, one per role the console is tried with.
var (
	demoAdmin       = broker.PlatformAdmin("demo-admin")
	demoStaff       = broker.BrokerStaff("demo-staff", "marine-tech")
	demoEnterprise  = broker.EnterpriseUser("demo-ent", "东海船舶科技有限公司")
	demoInstitution = broker.InstitutionUser("demo-inst", "上海海洋大学")
)

// run serves until ctx ends; ready, if set, is called with the address
// once the server listens.
func run(ctx context.Context, args []string, logw io.Writer, ready func(addr string)) error {
	fl := flag.NewFlagSet("platform", flag.ContinueOnError)
	fl.SetOutput(logw)
	addr := fl.String("addr", "127.0.0.1:8080", "address to listen on")
	storeURL := fl.String("store", "sqlite:", `store URL: "mem:", "sqlite:" (a new file in a temporary directory), "sqlite:path.db" or postgres://…`)
	keysFile := fl.String("demo-keys", "", "write the demo API keys by role to this JSON file")
	if err := fl.Parse(args); err != nil {
		return err
	}
	logger := log.New(logw, "platform: ", log.LstdFlags)
	url := *storeURL
	if url == "sqlite:" {
		dir, err := os.MkdirTemp("", "techbroker-platform-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		url = "sqlite:" + filepath.Join(dir, "platform.db")
	}
	store, err := broker.OpenStore(ctx, url, memstore.Opener{}, sqlitestore.Opener{}, pgstore.Opener{})
	if err != nil {
		return err
	}
	sys, err := broker.Build(ctx, store, broker.Yangpu(), demoAdmin, nil)
	if err != nil {
		store.Close()
		return err
	}
	defer sys.Close()
	x := exchange.New(sys)
	acts := activity.New(sys)
	if err := seed(ctx, sys, x, acts); err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	keys := httpapi.NewAPIKeys(sys, broker.Principal{})
	demo := map[string]string{}
	for role, p := range map[string]broker.Principal{"admin": demoAdmin, "broker": demoStaff, "enterprise": demoEnterprise, "institution": demoInstitution} {
		k, _, err := keys.Issue(ctx, demoAdmin, p, httpapi.KeyOptions{Name: "demo " + role})
		if err != nil {
			return err
		}
		demo[role] = k
	}
	if *keysFile != "" {
		b, _ := json.MarshalIndent(demo, "", "  ")
		if err := os.WriteFile(*keysFile, append(b, '\n'), 0o600); err != nil {
			return err
		}
		logger.Printf("demo API keys written to %s", *keysFile)
	}

	api := httpapi.NewHandler(sys, &httpapi.Options{Authenticate: keys.Authenticate, Exchange: x, Activities: acts})
	static, err := fs.Sub(console, "console")
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/v1/", api)
	mux.Handle("/openapi.json", api)
	mux.Handle("/", http.FileServerFS(static))
	srv := &http.Server{Handler: securityHeaders(mux),
		ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: logger}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	logger.Printf("serving the API and the console on http://%s/", ln.Addr())
	if ready != nil {
		ready(ln.Addr().String())
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

// securityHeaders keeps the console to its own origin: no script, style
// or request goes anywhere else.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/v1/") {
			w.Header().Set("Content-Security-Policy", "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// seed writes the demo data once: achievements, demands, an expert, a case
// at the marine technology desk, an activity and a listing.
func seed(ctx context.Context, sys *broker.System, x *exchange.Exchange, acts *activity.Platform) error {
	pg, err := sys.Achievements.List(ctx, demoAdmin, broker.ListOptions{Limit: 1})
	if err != nil || len(pg.Items) > 0 {
		return err
	}
	d := decimal.RequireFromString
	var first broker.Achievement
	for i, a := range []broker.Achievement{
		{Title: "深远海养殖网箱水质在线监测系统", Abstract: "基于光学传感与声学通信，在线监测网箱溶解氧、氨氮与水温，缺氧前预警。",
			Keywords: []string{"溶解氧", "水质监测", "网箱养殖"}, Disciplines: []string{"240"}, Owner: demoInstitution.Org,
			Readiness: broker.Readiness{Scale: broker.NASATRL, Level: 6}, AskingPrice: d("1200000"), Pricing: broker.FixedPrice},
		{Title: "船舶动力定位控制算法", Abstract: "面向海洋工程船的动力定位控制，抗风浪扰动，定位精度优于1米。",
			Keywords: []string{"动力定位", "船舶", "控制算法"}, Disciplines: []string{"580"}, Owner: demoInstitution.Org,
			Readiness: broker.Readiness{Scale: broker.NASATRL, Level: 5}, AskingPrice: d("800000"), Pricing: broker.Negotiable},
		{Title: "水下机器人视觉导航", Abstract: "在浑浊水体中以视觉与惯导融合实现水下机器人的自主导航。",
			Keywords: []string{"水下机器人", "视觉导航"}, Disciplines: []string{"520"}, Owner: demoInstitution.Org,
			Readiness: broker.Readiness{Scale: broker.NASATRL, Level: 4}},
		{Title: "儿童哮喘发作风险预测模型", Abstract: "以电子病历与环境数据预测儿童哮喘急性发作风险。",
			Keywords: []string{"哮喘", "儿科", "预测模型"}, Disciplines: []string{"320"}, Owner: "上海交通大学医学院附属新华医院"},
	} {
		v, err := sys.Achievements.Create(ctx, demoAdmin, a)
		if err != nil {
			return err
		}
		if i == 0 {
			first = v
		}
	}
	for _, dm := range []broker.Demand{
		{Enterprise: demoEnterprise.Org, Title: "养殖网箱缺氧预警", Problem: "深远海网箱养殖常因缺氧死鱼，需要在线监测溶解氧并提前预警。",
			Keywords: []string{"溶解氧", "预警"}, Budget: broker.Range{Max: d("1500000")}},
		{Meta: broker.Meta{Visibility: broker.Members}, Enterprise: demoEnterprise.Org, Title: "工程船定位精度提升",
			Problem: "我司工程船在大风浪下定位漂移，需要更好的动力定位控制。", Keywords: []string{"动力定位"}},
	} {
		if _, err := sys.Demands.Create(ctx, demoAdmin, dm); err != nil {
			return err
		}
	}
	if _, err := sys.Experts.Create(ctx, demoAdmin, broker.Expert{Name: "李海", Institution: demoInstitution.Org, Title: "教授",
		Keywords: []string{"水产养殖", "水质"}, Contact: broker.Contact{Email: "li.hai@example.edu.cn"}}); err != nil {
		return err
	}
	if _, err := sys.OpenCase(ctx, demoStaff, broker.NewCase{Subject: broker.Ref(first), Broker: demoStaff.Broker, Reason: "路演征集"}); err != nil {
		return err
	}
	start := sys.Now().Add(7 * 24 * time.Hour)
	if _, err := acts.Activities.Create(ctx, demoStaff, activity.Activity{Meta: broker.Meta{Broker: demoStaff.Broker}, Kind: activity.Roadshow,
		Title: "海洋技术成果路演", Start: start, End: start.Add(3 * time.Hour), Capacity: 80}); err != nil {
		return err
	}
	_, err = x.CreateListing(ctx, demoStaff, exchange.Listing{Meta: broker.Meta{Broker: demoStaff.Broker, Region: "上海市杨浦区"},
		Achievement: first.ID, Title: first.Title, Summary: "在线监测网箱溶解氧，缺氧前预警。", Owner: demoInstitution.Org, OwnerPublic: true,
		Terms: exchange.ListingTerms{Mode: broker.ModeTransfer, Method: exchange.MethodAgreement, Price: d("1200000")}})
	return err
}
