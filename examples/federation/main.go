// Command federation runs two broker systems side by side — Yangpu
// (上海市杨浦区, the home of the marine technology platform) and its Taizhou
// workstation city (浙江省台州市) — joined by a workstation agreement. Yangpu
// shares two anonymous listing profiles; a Taizhou company expresses interest
// in one; the owner accepts; and the program prints what each side sees before
// and after the acceptance: the profile never carries the owner's name or
// contact, and contacts travel both ways only once the owner has accepted.
//
// With -http the two regions run as two platforms on 127.0.0.1, each
// serving the HTTP API (package broker/httpapi), and their messages travel
// as HTTP requests signed with the agreement's key
// (httpapi.FederationTransport); without it, through an in-process
// transport.
//
//	go run ./examples/federation [-http]
package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/federation"
	"github.com/kexie/techbroker/broker/httpapi"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/money"
)

func main() {
	useHTTP := flag.Bool("http", false, "run both regions as HTTP platforms on 127.0.0.1, federated over signed requests")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *useHTTP); err != nil {
		fmt.Fprintln(os.Stderr, "federation:", err)
		os.Exit(1)
	}
}

const (
	yangpuCode  = "310110"
	taizhouCode = "331000"
)

// regionNames name the regions the example meets, by GB/T 2260 code.
var regionNames = map[string]string{"310110": "上海市杨浦区", "331000": "浙江省台州市", "340700": "安徽省铜陵市"}

// region writes a region as its code and name: "310110 上海市杨浦区".
func region(code string) string {
	if n, ok := regionNames[code]; ok {
		return code + " " + n
	}
	return code
}

// node is one region's system and its federation node.
type node struct {
	name string
	sys  *broker.System
	x    *exchange.Exchange
	fed  *federation.Federation
}

// newNode builds a region's system and node; transport, if not nil, makes
// the node's transport over the system (the HTTP one needs it).
func newNode(ctx context.Context, name string, region federation.Region, now *time.Time, o federation.Options,
	transport func(*broker.System, *exchange.Exchange) (federation.Transport, error)) (*node, error) {
	sys, err := broker.Build(ctx, memstore.New(), broker.Yangpu(), broker.PlatformAdmin("admin-"+region.Code),
		&broker.Options{NewID: broker.SequentialIDs(), Clock: func() time.Time { return *now }})
	if err != nil {
		return nil, err
	}
	o.Region = region
	x := exchange.New(sys)
	if transport != nil {
		if o.Transport, err = transport(sys, x); err != nil {
			sys.Close()
			return nil, err
		}
	}
	fed, err := federation.New(sys, x, &o)
	if err != nil {
		sys.Close()
		return nil, err
	}
	return &node{name: name, sys: sys, x: x, fed: fed}, nil
}

// overHTTP returns the transport maker of a region whose platform serves
// the API on ln and reaches its peer at peerURL, signing with key; the
// platform runs until stop.
func overHTTP(code string, ln net.Listener, peer, peerURL string, key []byte, agreement federation.Agreement, stops *[]func()) func(*broker.System, *exchange.Exchange) (federation.Transport, error) {
	return func(sys *broker.System, x *exchange.Exchange) (federation.Transport, error) {
		quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
		tr, err := httpapi.NewFederationTransport(sys, httpapi.FederationOptions{Region: code, Agreements: []federation.Agreement{agreement},
			Peers: []httpapi.FederationPeer{{Region: peer, URL: peerURL, Key: key}}, Logger: quiet})
		if err != nil {
			return nil, err
		}
		srv := &http.Server{Handler: httpapi.NewHandler(sys, &httpapi.Options{Exchange: x, Federation: tr, Logger: quiet}),
			ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 30 * time.Second}
		done := make(chan error, 1)
		go func() { done <- srv.Serve(ln) }()
		*stops = append(*stops, func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			_ = srv.Shutdown(sctx)
			<-done
		})
		return tr, nil
	}
}

func run(ctx context.Context, w io.Writer, useHTTP bool) error {
	now := time.Date(2022, 3, 1, 9, 0, 0, 0, time.UTC)
	tr := federation.NewMemoryTransport()
	agreement := federation.Agreement{
		Meta: broker.Meta{ID: "ws-taizhou"}, A: yangpuCode, B: taizhouCode, Kind: "workstation",
		Signed: time.Date(2020, 12, 1, 0, 0, 0, 0, time.UTC), Brokers: []string{"marine-tech"},
	}
	ws := federation.Workstation{Meta: broker.Meta{ID: "taizhou-marine", Broker: "marine-tech"}, Name: "海洋技术交易平台台州工作站", Host: taizhouCode, Home: yangpuCode, Agreement: agreement.ID, Opened: agreement.Signed}

	// With -http, each region's platform serves the API on 127.0.0.1 and
	// sends its messages to the other's, signed with the agreement's key.
	var ypTr, tzTr func(*broker.System, *exchange.Exchange) (federation.Transport, error)
	var stops []func()
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	if useHTTP {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return err
		}
		ypLn, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		tzLn, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			ypLn.Close()
			return err
		}
		ypURL, tzURL := "http://"+ypLn.Addr().String(), "http://"+tzLn.Addr().String()
		ypTr = overHTTP(yangpuCode, ypLn, taizhouCode, tzURL, key, agreement, &stops)
		tzTr = overHTTP(taizhouCode, tzLn, yangpuCode, ypURL, key, agreement, &stops)
		fmt.Fprintf(w, "Two platforms on loopback: Yangpu %s, Taizhou %s (messages signed with the agreement's key)\n", ypURL, tzURL)
	}

	yp, err := newNode(ctx, "杨浦 Yangpu", federation.Region{Code: yangpuCode, Name: "上海市杨浦区"}, &now,
		federation.Options{Agreements: []federation.Agreement{agreement}, Transport: tr}, ypTr)
	if err != nil {
		return err
	}
	defer yp.sys.Close()
	tz, err := newNode(ctx, "台州 Taizhou", federation.Region{Code: taizhouCode, Name: "浙江省台州市"}, &now,
		federation.Options{Agreements: []federation.Agreement{agreement}, Workstations: []federation.Workstation{ws}, Transport: tr}, tzTr)
	if err != nil {
		return err
	}
	defer tz.sys.Close()

	fmt.Fprintf(w, "Agreement %s (%s): %s ⇄ %s, signed %s, desks %v\n", agreement.ID, agreement.Kind, region(yangpuCode), region(taizhouCode),
		agreement.Signed.Format("2006-01-02"), agreement.Brokers)
	fmt.Fprintf(w, "Workstation: %s (host %s, home %s)\n\n", ws.Name, region(ws.Host), region(ws.Home))

	// Yangpu: the marine desk lists two results of Shanghai Ocean University.
	staff := broker.BrokerStaff("yp-staff-1", "marine-tech")
	owner := broker.InstitutionUser("sou-tto", "上海海洋大学")
	var listings []exchange.Listing
	for _, l := range yangpuListings() {
		l, err := yp.x.CreateListing(ctx, staff, l)
		if err != nil {
			return fmt.Errorf("create listing: %w", err)
		}
		if l, err = yp.x.PublishListing(ctx, staff, l.ID, exchange.Publish{Version: l.Version}); err != nil {
			return fmt.Errorf("publish listing: %w", err)
		}
		listings = append(listings, l)
	}
	fmt.Fprintln(w, "== Yangpu publishes and shares (full listing, as its own staff see it)")
	for _, l := range listings {
		fmt.Fprintf(w, "  %s  %s\n     owner %s, contact %s %s, %s %s, %s\n", l.ID, l.Title, l.Owner, l.ContactPerson, l.Contact.Phone,
			l.Terms.Mode, l.Terms.Method, money.FormatZH(l.Terms.Price))
	}
	// Sharing with a region without an agreement is refused.
	if _, err := yp.fed.Share(ctx, staff, listings[0].ID, "340700"); errors.Is(err, federation.ErrNoAgreement) {
		fmt.Fprintf(w, "  share with %s (no agreement): refused\n", region("340700"))
	} else {
		return fmt.Errorf("share without agreement: got %v, want ErrNoAgreement", err)
	}
	for _, l := range listings {
		if _, err := yp.fed.Share(ctx, staff, l.ID, taizhouCode); err != nil {
			return fmt.Errorf("share: %w", err)
		}
	}
	now = now.Add(time.Hour)
	if err := sync(ctx, w, tz); err != nil {
		return err
	}

	// Taizhou: what the workstation and its companies see.
	buyer := broker.EnterpriseUser("tz-buyer", "台州海盛水产食品有限公司")
	profs, err := tz.fed.Profiles(ctx, buyer)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n== Taizhou receives %d anonymous profiles (any signed-in user sees these)\n", len(profs))
	for _, sp := range profs {
		p := sp.Profile
		fmt.Fprintf(w, "  [%s from %s, desk %s] %s\n     %s\n     TRL %d, %s %s, %s; owner: —, contact: —\n", p.ID, region(p.Region), p.Broker, p.Title, p.Summary,
			p.Readiness.Level, p.Mode, p.Method, money.FormatZH(p.Price))
		if err := federation.CheckProfile(p, federation.PrivateOf(listings[0], nil)); err != nil {
			return fmt.Errorf("profile leaks: %w", err)
		}
	}
	if len(profs) == 0 {
		return errors.New("no profile arrived")
	}

	// A Taizhou company expresses interest in the first profile.
	mine := federation.PartyContact{Org: buyer.Org, Person: "林海涛", Phone: "0576-88123456", Email: "lin@haisheng.example"}
	in, err := tz.fed.ExpressInterest(ctx, buyer, profs[0].ID, federation.NewInterest{Org: buyer.Org, Note: "拟在台州三门湾养殖基地试用，希望了解许可条件", Contact: mine})
	if err != nil {
		return fmt.Errorf("express interest: %w", err)
	}
	fmt.Fprintf(w, "\n== %s expresses interest in %q\n", buyer.Org, in.Title)
	now = now.Add(time.Hour)
	if err := sync(ctx, w, yp); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n-- before acceptance")
	if err := show(ctx, w, yp, staff, tz, buyer); err != nil {
		return err
	}

	ins, err := yp.fed.Interests(ctx, staff)
	if err != nil || len(ins) == 0 {
		return fmt.Errorf("yangpu interests: %v (%d)", err, len(ins))
	}
	now = now.Add(24 * time.Hour)
	if _, err := yp.fed.Respond(ctx, owner, ins[0].ID, federation.Answer{Accept: true}); err != nil {
		return fmt.Errorf("respond: %w", err)
	}
	fmt.Fprintf(w, "\n== %s accepts the interest\n", owner.Org)
	// Taizhou receives the owner's contact and answers with the buyer's.
	if err := sync(ctx, w, tz); err != nil {
		return err
	}
	if err := sync(ctx, w, yp); err != nil {
		return err
	}

	fmt.Fprintln(w, "\n-- after acceptance")
	if err := show(ctx, w, yp, staff, tz, buyer); err != nil {
		return err
	}
	return requests(ctx, w, yp, tz, staff)
}

// requests shows demands shared as well as offers: a Taizhou enterprise's
// need goes to Yangpu as an anonymous technology request, which Yangpu's
// marine desk answers for a university with a solution.
func requests(ctx context.Context, w io.Writer, yp *node, tz *node, ypStaff broker.Principal) error {
	fmt.Fprintf(w, "\n== %s shares a technology request (a demand) with %s\n", region(taizhouCode), region(yangpuCode))
	tzStaff := broker.BrokerStaff("tz-staff-1", "marine-tech")
	d, err := tz.sys.Demands.Create(ctx, tzStaff, broker.Demand{Meta: broker.Meta{Broker: "marine-tech", Visibility: broker.Members, Region: "浙江省台州市"},
		Enterprise: "三门湾海洋牧场有限公司", Title: "寻求养殖尾水生态处理技术", Problem: "养殖尾水氨氮超标，希望引进微生物絮团或生态处理的成熟工艺。",
		IndustryCodes: []string{"A04"}, MinReadiness: broker.Readiness{Scale: broker.NASATRL, Level: 6},
		Budget: broker.Range{Min: decimal.NewFromInt(300_000), Max: decimal.NewFromInt(1_500_000)}})
	if err != nil {
		return fmt.Errorf("demand: %w", err)
	}
	prof, err := tz.fed.ShareDemand(ctx, tzStaff, d.ID, yangpuCode)
	if err != nil {
		return fmt.Errorf("share demand: %w", err)
	}
	if err := sync(ctx, w, yp); err != nil {
		return err
	}
	fmt.Fprintf(w, "  [%s from %s, %s] %s, budget up to %s, TRL ≥ %d; enterprise: —\n", prof.ID, region(prof.Region), prof.Kind, prof.Title, money.FormatZH(prof.Price), prof.Readiness.Level)
	profs, err := yp.fed.Profiles(ctx, ypStaff)
	if err != nil {
		return err
	}
	for _, sp := range profs {
		if sp.Profile.Kind != federation.TechnologyRequest {
			continue
		}
		in, err := yp.fed.ExpressInterest(ctx, ypStaff, sp.ID, federation.NewInterest{Org: "上海海洋大学", Note: "我校养殖尾水生态处理成果可许可实施",
			Contact: federation.PartyContact{Person: "王海", Phone: "021-61900000"}})
		if err != nil {
			return fmt.Errorf("answer the request: %w", err)
		}
		fmt.Fprintf(w, "  %s's marine desk answers it for 上海海洋大学 (interest %s)\n", region(yangpuCode), in.ID)
	}
	return sync(ctx, w, tz)
}

// sync handles a node's feed and prints what it did.
func sync(ctx context.Context, w io.Writer, n *node) error {
	rep, err := n.fed.Sync(ctx)
	if err != nil {
		return fmt.Errorf("%s sync: %w", n.name, err)
	}
	fmt.Fprintf(w, "  %s sync: %d message(s) handled, %d refused\n", n.name, rep.Processed, len(rep.Rejected))
	for _, e := range rep.Rejected {
		fmt.Fprintln(w, "    refused:", e)
	}
	return nil
}

// show prints the interest as each side stores it.
func show(ctx context.Context, w io.Writer, yp *node, staff broker.Principal, tz *node, buyer broker.Principal) error {
	for _, side := range []struct {
		n *node
		p broker.Principal
	}{{yp, staff}, {tz, buyer}} {
		ins, err := side.n.fed.Interests(ctx, side.p)
		if err != nil {
			return fmt.Errorf("%s interests: %w", side.n.name, err)
		}
		for _, in := range ins {
			dir, by := "received from "+region(in.Remote), in.RemoteOrg
			if in.Outgoing {
				dir, by = "sent to "+region(in.Remote), in.Org
			}
			fmt.Fprintf(w, "  %s sees: interest %s (%s) by %s in %q — %s\n", side.n.name, in.ID, dir, by, in.Title, in.Status)
			fmt.Fprintf(w, "     note: %s\n", in.Note)
			if in.Contact != nil {
				fmt.Fprintf(w, "     own contact (kept here): %s\n", contact(in.Contact))
			}
			fmt.Fprintf(w, "     counterpart: %s\n", contact(in.Counterpart))
		}
	}
	return nil
}

func contact(c *federation.PartyContact) string {
	if c == nil {
		return "— (not revealed)"
	}
	return fmt.Sprintf("%s %s %s %s", c.Org, c.Person, c.Phone, c.Email)
}

func yangpuListings() []exchange.Listing {
	base := func(title, summary string, level int, price int64, mode broker.TransferMode) exchange.Listing {
		return exchange.Listing{
			Meta:  broker.Meta{Broker: "marine-tech", Region: "上海市杨浦区"},
			Title: title, Summary: summary,
			Overview:      "上海海洋大学团队在舟山、象山养殖基地完成两年中试，具备规模化推广条件。",
			Readiness:     broker.Readiness{Scale: broker.NASATRL, Level: level},
			Benefits:      []string{"饵料系数降低18%", "养殖成活率提高12%"},
			Applications:  []string{"深远海网箱养殖", "工厂化循环水养殖"},
			IndustryCodes: []string{"A04"},
			IPRights:      []broker.IPRight{{Type: broker.InventionPatent, Number: "ZL202110123456.7", Status: broker.IPGranted, Territory: "CN", Owners: []string{"上海海洋大学"}}},
			Owner:         "上海海洋大学", OwnerPublic: true,
			ContactPerson: "王海", Contact: broker.Contact{Phone: "021-61900000", Email: "wanghai@shou.example"},
			Detail: "传感器阵列布置与溶解氧预测模型参数（保密）。",
			Venue:  "上海技术交易所",
			Terms:  exchange.ListingTerms{Mode: mode, Method: exchange.MethodFixed, Pricing: broker.FixedPrice, Price: decimal.NewFromInt(price)},
		}
	}
	return []exchange.Listing{
		base("深远海养殖网箱水质在线监测系统", "在线监测网箱溶解氧与氨氮，提前六小时预警缺氧。", 7, 1_200_000, broker.ModeLicense),
		base("大黄鱼智能投喂装置", "机器视觉识别摄食强度，按需投喂，减少饵料浪费。", 6, 850_000, broker.ModeTransfer),
	}
}
