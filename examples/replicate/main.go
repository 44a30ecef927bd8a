// Command replicate copies the Yangpu model to another Yangtze River Delta
// city (复制推广): Tongling (安徽省铜陵市), which signed an intent agreement
// (意向合作协议) with Yangpu's 科协 and the Shanghai Technology Exchange in
// April 2021 to cultivate model rooms of its own.
//
//	go run ./examples/replicate                       # Tongling's blueprint, beside this file
//	go run ./examples/replicate -city my-city.json -seed 3
//
// It reads the city's own blueprint — its region, oversight body, partners,
// societies and rooms (copper materials, printed circuit materials,
// energy-saving equipment) — and copies from the Yangpu model what the city
// leaves out: the staff roles, the scorecard scheme, the policy rules and
// the standard service package (package broker/blueprint, Model.Replicate).
// It builds the city's System from it, records in Yangpu's System that the
// intent agreement is fulfilled, and runs a short year in the city: each
// room collects results in its field, the societies' experts screen them on
// review panels, the best are listed on the exchange and traded, and the
// city's 科协 scores the rooms with the copied scorecard.
package main

import (
	"context"
	"embed"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/blueprint"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/federation"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/broker/review"
	"github.com/kexie/techbroker/money"
)

//go:embed tongling.json
var files embed.FS

func main() {
	city := flag.String("city", "", "the city's own blueprint (JSON); empty: Tongling's, embedded")
	seed := flag.Uint64("seed", 2022, "seed of the data generator")
	flag.Parse()
	var r io.Reader
	if *city == "" {
		f, err := files.Open("tongling.json")
		if err != nil {
			fmt.Fprintln(os.Stderr, "replicate:", err)
			os.Exit(1)
		}
		defer f.Close()
		r = f
	} else {
		f, err := os.Open(*city)
		if err != nil {
			fmt.Fprintln(os.Stderr, "replicate:", err)
			os.Exit(1)
		}
		defer f.Close()
		r = f
	}
	if _, err := run(context.Background(), os.Stdout, r, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "replicate:", err)
		os.Exit(1)
	}
}

// clock is the simulated clock both Systems read.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if t.After(c.t) {
		c.t = t
	}
}
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 9, 0, 0, 0, time.UTC) }

// outcome is what the city's year produced, for the tests.
type outcome struct {
	City     *blueprint.Model
	Rooms    []string
	Listings int
	Deals    int
	Value    decimal.Decimal
	Card     *assessment.Scorecard
	Fulfil   federation.Agreement
}

var admin = broker.PlatformAdmin("admin")

func run(ctx context.Context, w io.Writer, cityJSON io.Reader, seed uint64) (*outcome, error) {
	clk := &clock{t: day(2021, 4, 20)}
	opts := &broker.Options{Clock: clk.Now, NewID: broker.SequentialIDs()}
	yangpu := blueprint.Yangpu()

	// Yangpu signs the intent agreement (2021-04).
	yp, err := blueprint.Build(ctx, memstore.New(), yangpu, admin, opts)
	if err != nil {
		return nil, fmt.Errorf("yangpu: %w", err)
	}
	defer yp.Close()
	coop := federation.NewCooperation(yp)

	// The city's own blueprint, with the model's scorecard, rules, staff
	// roles and package copied where it has none.
	city, err := yangpu.Replicate(cityJSON)
	if err != nil {
		return nil, fmt.Errorf("the city's blueprint: %w", err)
	}
	ag, err := coop.Sign(ctx, admin, federation.Agreement{Kind: federation.AgreementIntent, Title: "关于培育细分领域技术券商“样板间”意向合作协议",
		Parties: []string{yangpu.Oversight, yangpu.Exchange, city.Oversight}, A: yangpu.RegionCode, B: city.RegionCode, Signed: clk.Now()})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "2021-04 %s: %s %s ⇄ %s %s (%s)\n", ag.Title, yangpu.RegionCode, yangpu.Region, city.RegionCode, city.Region, strings.Join(ag.Parties, "、"))

	// The city builds its System from its blueprint.
	clk.set(day(2021, 9, 1))
	sys, err := blueprint.Build(ctx, memstore.New(), city, admin, opts)
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", city.Region, err)
	}
	defer sys.Close()
	fmt.Fprintf(w, "\n%s builds %q from its own blueprint:\n", clk.Now().Format("2006-01"), city.Name)
	for _, r := range city.Rooms {
		fmt.Fprintf(w, "  room %-16s %s (%s): %s; %s, %d services\n", r.ID, r.Name, r.NameEN, strings.Join(r.Sector.Keywords, "、"), r.Package.Name, len(r.Package.Services))
	}
	for _, p := range city.Partners {
		fmt.Fprintf(w, "  partner %s (%s)\n", p.Name, p.Role)
	}
	for _, s := range city.Societies {
		q := "no 评估资质"
		if s.Qualification != nil {
			q = "评估资质 " + s.Qualification.Ref
		}
		fmt.Fprintf(w, "  society %s (%s; %d 科技服务团)\n", s.Name, q, len(s.Teams))
	}
	fmt.Fprintf(w, "  copied from the Yangpu model: %d staff roles, scorecard %q, policy rules %q\n", len(city.StaffRoles), city.Scorecard.NameZH, city.Policies.Name)
	done, err := blueprint.Fulfil(ctx, coop, admin, ag.ID, city)
	if err != nil {
		return nil, fmt.Errorf("fulfil: %w", err)
	}
	fmt.Fprintf(w, "  Yangpu records the intent agreement %s fulfilled on %s: %s built rooms %s\n", done.ID, done.Fulfilled.Format("2006-01-02"),
		done.FulfilledBy.Region, strings.Join(done.FulfilledBy.Rooms, ", "))

	out, err := shortYear(ctx, w, sys, city, clk, seed)
	if err != nil {
		return nil, err
	}
	out.Fulfil = done
	return out, nil
}

// shortYear runs 2022 in the city: collection, screening on review panels,
// listing and trading on the exchange, and the 科协's scorecard.
func shortYear(ctx context.Context, w io.Writer, sys *broker.System, city *blueprint.Model, clk *clock, seed uint64) (*outcome, error) {
	rng := rand.New(rand.NewPCG(seed, seed^0x70)) // deterministic data
	x := exchange.New(sys)
	rv := review.New(sys, nil)
	acts := activity.New(sys)
	kx := broker.Overseer("kx-"+city.RegionCode, city.Oversight)
	op := broker.ExchangeOperator("sste-officer", city.Exchange)
	out := &outcome{City: city, Value: decimal.Zero}
	staff := map[string]broker.Principal{}
	society := map[string]string{}
	orgs := []string{"铜陵学院", "安徽工业大学", "合肥工业大学", "中南大学", "安徽大学"}
	for _, s := range city.Societies {
		for _, room := range s.Rooms {
			if s.Qualification != nil {
				society[room] = s.ID
			}
		}
		rm, _ := city.Room(s.Rooms[0])
		for i := 0; i < 9; i++ {
			if _, err := sys.ContributeExpert(ctx, broker.SocietyAdmin("admin-"+s.ID, s.ID), s.ID, broker.Expert{
				Name: fmt.Sprintf("%s专家%02d", rm.Name, i+1), Institution: orgs[i%len(orgs)], Keywords: rm.Sector.Keywords,
				Disciplines: s.Disciplines, MaxLoad: 6, City: "铜陵"}); err != nil {
				return nil, fmt.Errorf("expert: %w", err)
			}
		}
	}
	for _, r := range city.Rooms {
		role, _ := city.StaffRole("tech-manager")
		id := r.ID + "-" + role.ID
		if _, err := sys.AddStaff(ctx, admin, broker.Staff{Meta: broker.Meta{Broker: r.ID}, Person: id, Name: role.Name + "（" + r.Name + "）", Grade: role.Grade}); err != nil {
			return nil, err
		}
		staff[r.ID] = broker.BrokerStaff(id, r.ID)
		out.Rooms = append(out.Rooms, r.ID)
	}
	clk.set(day(2022, 2, 14))
	fmt.Fprintf(w, "\n2022 in %s\n", city.Region)
	type pending struct {
		room, c, buyer string
		price          decimal.Decimal
	}
	var toList []pending
	forms := []string{"制备方法", "工艺", "装置", "系统"}
	for _, r := range city.Rooms {
		p := staff[r.ID]
		var subjects []broker.RecordRef
		var cases []broker.Case
		kw := r.Sector.Keywords
		for i := 0; i < 4; i++ {
			a, b := kw[rng.IntN(len(kw))], kw[rng.IntN(len(kw))]
			title := fmt.Sprintf("一种%s%s", a, forms[i%len(forms)])
			if a != b {
				title = fmt.Sprintf("基于%s的%s%s", b, a, forms[i%len(forms)])
			}
			owner := orgs[(i+1)%len(orgs)]
			ach, err := sys.Achievements.Create(ctx, broker.InstitutionUser("tto-"+owner, owner), broker.Achievement{
				Meta: broker.Meta{Broker: r.ID, Region: city.Region}, Title: fmt.Sprintf("%s（%d）", title, i+1), Keywords: []string{a, b},
				Summary: a + "领域成果，已完成中试", Owner: owner, Disciplines: r.Sector.Disciplines[:1],
				Readiness: broker.Readiness{Scale: broker.NASATRL, Level: 5 + rng.IntN(3)}, TransferModes: []broker.TransferMode{broker.ModeLicense}})
			if err != nil {
				return nil, fmt.Errorf("achievement: %w", err)
			}
			c, err := sys.OpenCase(ctx, p, broker.NewCase{Subject: broker.Ref(ach), Broker: r.ID, Reason: "成果征集"})
			if err != nil {
				return nil, err
			}
			subjects, cases = append(subjects, c.Subject), append(cases, c)
			clk.add(time.Hour)
		}
		// Screening by the city's own qualified societies.
		pns, err := rv.Plan(ctx, p, review.PlanRequest{Broker: r.ID, Subjects: subjects, Seats: 3, Society: society[r.ID]})
		if err != nil {
			return nil, fmt.Errorf("plan: %w", err)
		}
		passed := 0
		for k, pn := range pns {
			if pn, err = rv.Invite(ctx, p, pn.ID); err != nil {
				return nil, err
			}
			merit := 0.5 + 0.35*rng.Float64()
			for _, e := range pn.Experts() {
				if _, err := rv.Accept(ctx, broker.ExpertUser(e), pn.ID); err != nil {
					return nil, err
				}
				s := func() float64 { return math.Round(100 * math.Min(1, math.Max(0, merit+0.05*rng.NormFloat64()))) }
				if _, err := rv.Submit(ctx, broker.ExpertUser(e), pn.ID, review.Sheet{Scores: map[string]float64{
					"novelty": s(), "advancement": s(), "maturity": s(), "market": s(), "ip": s(), "team": s()}}); err != nil {
					return nil, err
				}
			}
			if _, err := rv.Lock(ctx, p, pn.ID); err != nil {
				return nil, err
			}
			pv, err := rv.Preview(ctx, p, pn.ID)
			if err != nil {
				return nil, err
			}
			dec := review.Decision{}
			if pv.Disagreement {
				dec = review.Decision{Moderator: pn.Experts()[0], Note: "分歧经复核"}
			}
			v, err := rv.Decide(ctx, p, pn.ID, dec)
			if err != nil {
				return nil, err
			}
			if !v.Passed {
				continue
			}
			passed++
			toList = append(toList, pending{room: r.ID, c: cases[k].ID})
		}
		fmt.Fprintf(w, "  %s: %d collected, %d passed their review panels\n", r.Name, len(cases), passed)
	}

	// The passed results are listed at an agreement price (the exchange
	// posts the 15-day 公示) and traded.
	clk.set(day(2022, 4, 1))
	var listed []pending
	for _, pd := range toList {
		p := staff[pd.room]
		c, err := sys.GetCase(ctx, p, pd.c)
		if err != nil {
			return nil, err
		}
		if c, err = sys.MoveCase(ctx, p, c.ID, broker.CaseMove{To: broker.StagePromoting, Version: c.Version, Reason: "进入推介"}); err != nil {
			return nil, err
		}
		ach, err := sys.Achievements.Get(ctx, p, c.Subject.ID)
		if err != nil {
			return nil, err
		}
		price := decimal.NewFromInt(int64(150+rng.IntN(500)) * 10000)
		buyer := fmt.Sprintf("铜陵%s科技有限公司", []string{"有色", "铜冠", "精达", "华创"}[rng.IntN(4)])
		l, err := x.CreateListing(ctx, p, exchange.Listing{Meta: broker.Meta{Broker: pd.room, Region: city.Region}, Achievement: ach.ID, Case: c.ID,
			Title: ach.Title, Summary: ach.Summary, Owner: ach.Owner, Venue: city.Exchange,
			Terms: exchange.ListingTerms{Mode: broker.ModeLicense, Method: exchange.MethodAgreement, Pricing: broker.FixedPrice, Price: price, Counterparty: buyer}})
		if err != nil {
			return nil, err
		}
		if l, err = x.PublishListing(ctx, op, l.ID, exchange.Publish{Version: l.Version}); err != nil {
			return nil, fmt.Errorf("publish: %w", err)
		}
		out.Listings++
		listed = append(listed, pending{room: pd.room, c: l.ID, buyer: buyer, price: price})
		clk.add(time.Hour)
	}
	clk.add(16 * 24 * time.Hour) // after the 公示
	for _, ld := range listed {
		d, err := x.CloseDeal(ctx, staff[ld.room], exchange.NewDeal{Listing: ld.c, Buyer: ld.buyer, Amount: ld.price})
		if err != nil {
			return nil, fmt.Errorf("deal: %w", err)
		}
		out.Deals++
		out.Value = out.Value.Add(d.Amount)
	}
	fmt.Fprintf(w, "  %d listed at an agreement price (公示 posted by %s), %d traded\n", out.Listings, city.Exchange, out.Deals)

	// The city's 科协 scores the rooms with the copied scorecard.
	clk.set(day(2023, 1, 5))
	period := broker.ReportPeriod{From: day(2022, 1, 1), To: day(2023, 1, 1)}
	var stats []assessment.BrokerStats
	for _, r := range city.Rooms {
		st := assessment.BrokerStats{BrokerID: r.ID, NameZH: r.Name, NameEN: r.NameEN, Period: "2022", MemberUnits: len(r.Members) + 1}
		lg, err := x.Ledger(ctx, kx, exchange.LedgerQuery{From: period.From, To: period.To, Broker: r.ID})
		if err != nil {
			return nil, err
		}
		ps, err := acts.PlatformStats(ctx, kx, r.ID, period)
		if err != nil {
			return nil, err
		}
		ps.Fill(&st)
		st.Listings, st.Deals, st.DealValue = lg.Total.Listings, lg.Total.Deals, lg.Total.Value
		sf, err := sys.StaffFigures(ctx, kx, r.ID, period)
		if err != nil {
			return nil, err
		}
		sf.Fill(&st)
		rf, err := rv.Figures(ctx, kx, review.FigureQuery{Broker: r.ID, Year: 2022})
		if err != nil {
			return nil, err
		}
		rf.Fill(&st)
		stats = append(stats, st)
	}
	// A first year records no demands, activities or declines yet: the
	// scorecard scores what was recorded.
	scheme, dropped, err := city.Scorecard.Restrict(stats)
	if err != nil {
		return nil, fmt.Errorf("scorecard: %w", err)
	}
	card, err := scheme.Score(stats)
	if err != nil {
		return nil, fmt.Errorf("score: %w", err)
	}
	out.Card = card
	fmt.Fprintf(w, "\n%s's 科协 scores the rooms with %q, grading %s, on the %d indicators the year recorded (%d not yet: %s):\n",
		city.Region, scheme.NameZH, scheme.Grading.Method, len(scheme.Indicators()), len(dropped), strings.Join(dropped, ", "))
	for _, e := range card.Entities {
		fmt.Fprintf(w, "  %-18s %5.1f  %s  #%d\n", e.NameZH, e.Total, e.Grade, e.Rank)
	}
	fmt.Fprintf(w, "  2022 in %s: %d listings, %d deals, %s\n", city.Region, out.Listings, out.Deals, money.FormatZH(out.Value))
	return out, nil
}
