// Command instances runs two application instances — two broker Systems,
// each with its own match Service — over one store, writes through one and
// matches and searches through the other, as instances behind a load
// balancer do.
//
//	go run ./examples/instances                       # a SQLite file in a temporary folder
//	go run ./examples/instances -store postgres://…   # PostgreSQL (a schema of its own, dropped at the end)
//	go run ./examples/instances -store mem:            # one memory store shared by the instances (for profiling)
//	go run ./examples/instances -docs 100000 -json    # the figures, as one JSON object
//	go run ./examples/instances -corpus csl_dev.tsv   # real titles, sentences and keywords recombined
//
// It generates -docs achievements and a fifth as many demands (and a
// fiftieth as many experts), imports them through instance A, and then:
// builds B's index from the records (rebuild_ms), replays the whole log
// (sync_events_per_s), saves a snapshot and starts a third instance from
// it (cold_start_ms), follows the log on B while A writes (visible_after_ms),
// and times MatchDemand and Search on B for random principals, with the
// access policy filtering inside the index (match_p50_ms, match_p95_ms,
// search_p50_ms). Without -json it shows the same matches and
// explanations on both instances, and a record deleted through A gone from
// B. It times investor matching for achievements on offer beside
// capital's ranking today, which builds an engine of every investor per
// request (investors_p50_ms, investors_rebuild_p50_ms), with a tenth as
// many investors as achievements.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/capital"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/match"
	"github.com/kexie/techbroker/broker/memstore"
	"github.com/kexie/techbroker/broker/pgstore"
	"github.com/kexie/techbroker/broker/sqlitestore"
)

func main() {
	store := flag.String("store", "", "a postgres:// URL; default a SQLite file in a temporary folder")
	docs := flag.Int("docs", 2000, "achievements to generate (and a fifth as many demands)")
	asJSON := flag.Bool("json", false, "print the figures as one JSON object")
	queries := flag.Int("queries", 200, "match and search calls timed")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	corpus := flag.String("corpus", "", "real text to recombine (a CSL file, csl_*.tsv) instead of generated words")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "instances:", err)
			os.Exit(1)
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	g := newGen(1)
	if *corpus != "" {
		if err := g.readCorpus(*corpus); err != nil {
			fmt.Fprintln(os.Stderr, "instances:", err)
			os.Exit(1)
		}
	}
	if err := run(context.Background(), os.Stdout, g, *store, *docs, *queries, *asJSON); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "instances:", err)
		os.Exit(1)
	}
}

// Figures are what -json prints.
type Figures struct {
	Docs           int      `json:"docs"`
	ColdStartMS    float64  `json:"cold_start_ms"`
	RebuildMS      float64  `json:"rebuild_ms"`
	SyncEventsPerS float64  `json:"sync_events_per_s"`
	VisibleAfterMS float64  `json:"visible_after_ms"`
	MatchP50MS     float64  `json:"match_p50_ms"`
	MatchP95MS     float64  `json:"match_p95_ms"`
	SearchP50MS    float64  `json:"search_p50_ms"`
	InvestorsP50MS *float64 `json:"investors_p50_ms"`
	// InvestorsRebuildP50MS is capital.Service.MatchInvestors, which builds
	// an engine of every investor per request, for the same achievements.
	InvestorsRebuildP50MS float64 `json:"investors_rebuild_p50_ms"`
	Investors             int     `json:"investors"`
	SnapshotMB            float64 `json:"snapshot_mb"`
	HeapMBPerRecord       float64 `json:"heap_bytes_per_record"`
	// CPU is the process's CPU time of the same steps (all its threads),
	// which the machine's other load changes less than the wall clock.
	CPU struct {
		ColdStartMS    float64 `json:"cold_start_ms"`
		RebuildMS      float64 `json:"rebuild_ms"`
		SyncEventsPerS float64 `json:"sync_events_per_s"`
		MatchMeanMS    float64 `json:"match_mean_ms"`
		SearchMeanMS   float64 `json:"search_mean_ms"`
	} `json:"cpu"`
	// Load is the machine's load average (1 minute) before and after.
	Load [2]string `json:"load"`
}

// cpuTime is the process's CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	return strings.Fields(string(b))[0]
}

type instance struct {
	sys *broker.System
	svc *match.Service
}

func run(ctx context.Context, out io.Writer, g *gen, url string, n, queries int, asJSON bool) error {
	say := func(format string, args ...any) {
		if !asJSON {
			fmt.Fprintf(out, format, args...)
		}
	}
	dir, err := os.MkdirTemp("", "instances-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	open, cleanup, err := opener(ctx, url, dir)
	if err != nil {
		return err
	}
	defer cleanup()
	newInstance := func(o *match.Options) (*instance, error) {
		st, err := open()
		if err != nil {
			return nil, err
		}
		sys := broker.New(st, nil)
		svc, err := match.New(sys, o)
		if err != nil {
			return nil, err
		}
		return &instance{sys, svc}, nil
	}
	a, err := newInstance(nil)
	if err != nil {
		return err
	}
	defer a.sys.Close()
	b, err := newInstance(&match.Options{MaxLag: 50 * time.Millisecond})
	if err != nil {
		return err
	}

	admin := broker.PlatformAdmin("admin")
	for _, f := range fields {
		if _, err := a.sys.Brokers.Create(ctx, admin, broker.IndustryBroker{Meta: broker.Meta{ID: f.broker}, Name: f.name}); err != nil && !errors.Is(err, broker.ErrExists) {
			return err
		}
	}
	start := time.Now()
	if err := g.importAll(ctx, a.sys, admin, n); err != nil {
		return err
	}
	say("imported %d achievements, %d demands and %d experts through instance A in %v\n", n, n/5, n/50, time.Since(start).Round(time.Millisecond))

	fig := Figures{Docs: n}
	fig.Load[0] = loadAvg()
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start, cpu := time.Now(), cpuTime()
	if err := b.svc.Rebuild(ctx); err != nil {
		return err
	}
	fig.RebuildMS, fig.CPU.RebuildMS = ms(time.Since(start)), ms(cpuTime()-cpu)
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	records := n + n/5 + n/50 + g.investors
	fig.HeapMBPerRecord = float64(int64(after.HeapAlloc)-int64(before.HeapAlloc)) / float64(records)
	say("instance B built its index from the records in %.0f ms (%.0f bytes of heap per record)\n", fig.RebuildMS, fig.HeapMBPerRecord)

	// B saves a snapshot and stops; a third instance replays the whole
	// log; then B starts again from its snapshot. Each runs alone beside
	// A, as it would in a process of its own.
	snaps := match.Files{Path: filepath.Join(dir, "match.snap")}
	if err := b.svc.Save(ctx, snaps); err != nil {
		return err
	}
	if st, err := os.Stat(snaps.Path); err == nil {
		fig.SnapshotMB = float64(st.Size()) / (1 << 20)
	}
	b.sys.Close()
	b = nil
	for range 100 { // writes after the snapshot, for the restarted B to catch up
		if _, err := g.achievement(ctx, a.sys, admin); err != nil {
			return err
		}
	}
	runtime.GC()
	replay, err := newInstance(nil)
	if err != nil {
		return err
	}
	start, cpu = time.Now(), cpuTime()
	events, err := replay.svc.Sync(ctx)
	if err != nil {
		return err
	}
	fig.SyncEventsPerS = float64(events) / time.Since(start).Seconds()
	fig.CPU.SyncEventsPerS = float64(events) / (cpuTime() - cpu).Seconds()
	replay.sys.Close()
	replay = nil
	say("a third instance replayed the log: %d events at %.0f events/s\n", events, fig.SyncEventsPerS)

	runtime.GC()
	start, cpu = time.Now(), cpuTime()
	b, err = newInstance(&match.Options{MaxLag: 50 * time.Millisecond})
	if err != nil {
		return err
	}
	defer b.sys.Close()
	if err := b.svc.Restore(ctx, snaps); err != nil {
		return err
	}
	fig.ColdStartMS, fig.CPU.ColdStartMS = ms(time.Since(start)), ms(cpuTime()-cpu)
	say("B restarted from its %.1f MB snapshot and caught up 100 writes in %.0f ms\n", fig.SnapshotMB, fig.ColdStartMS)

	// B follows the log; A writes; how long until B's search finds it?
	fctx, stop := context.WithCancel(ctx)
	defer stop()
	followed := make(chan error, 1)
	go func() { followed <- b.svc.Follow(fctx) }()
	var lags []time.Duration
	for i := range 20 {
		title := fmt.Sprintf("可见性测试样品%d号超导量子读出", i)
		t0 := time.Now()
		x, err := a.sys.Achievements.Create(ctx, admin, broker.Achievement{Title: title})
		if err != nil {
			return err
		}
		for b.svc.Index().Seq() < seqOf(ctx, a.sys, x) {
			time.Sleep(200 * time.Microsecond)
			if time.Since(t0) > 30*time.Second {
				return errors.New("instance B did not see a write within 30 s")
			}
		}
		lags = append(lags, time.Since(t0))
	}
	stop()
	if err := <-followed; !errors.Is(err, context.Canceled) {
		return err
	}
	fig.VisibleAfterMS = ms(percentile(lags, 50))
	say("a write through A was in B's index after %.1f ms (median of 20; B follows the log)\n", fig.VisibleAfterMS)

	// Matches and searches on B, for random principals.
	demands, err := a.sys.Demands.List(ctx, admin, broker.ListOptions{Limit: 2000})
	if err != nil {
		return err
	}
	var mt, st []time.Duration
	var mcpu, scpu time.Duration
	for i := range queries {
		p := g.principal()
		d := demands.Items[g.rng.IntN(len(demands.Items))]
		t0, c0 := time.Now(), cpuTime()
		_, err := b.svc.MatchDemand(ctx, p, d.ID, nil)
		if err != nil && !errors.Is(err, broker.ErrForbidden) {
			return err
		}
		mt, mcpu = append(mt, time.Since(t0)), mcpu+cpuTime()-c0
		f := fields[i%len(fields)]
		q := match.SearchQuery{Text: f.words[g.rng.IntN(len(f.words))] + " " + f.words[g.rng.IntN(len(f.words))], Limit: 20}
		if i%2 == 0 {
			q.Regions = []string{regions[g.rng.IntN(len(regions))]}
		}
		t0, c0 = time.Now(), cpuTime()
		if _, err := b.svc.Search(ctx, p, q); err != nil {
			return err
		}
		st, scpu = append(st, time.Since(t0)), scpu+cpuTime()-c0
	}
	fig.CPU.MatchMeanMS, fig.CPU.SearchMeanMS = ms(mcpu)/float64(queries), ms(scpu)/float64(queries)

	// Investors for achievements on offer (featured at a roadshow): from
	// B's index, and as capital ranks them today, with an engine of every
	// investor built per request.
	achs, err := a.sys.Achievements.List(ctx, broker.Anonymous(), broker.ListOptions{Limit: 20}) // public ones
	if err != nil {
		return err
	}
	var featured []broker.RecordRef
	for _, x := range achs.Items {
		featured = append(featured, broker.Ref(x))
	}
	acts := activity.New(a.sys)
	when := time.Date(2031, 1, 1, 9, 0, 0, 0, time.UTC)
	if _, err := acts.Activities.Create(ctx, admin, activity.Activity{Meta: broker.Meta{Broker: fields[0].broker}, Kind: activity.Roadshow,
		Title: "路演", Start: when, End: when.Add(3 * time.Hour), Capacity: 100, Featured: featured}); err != nil {
		return err
	}
	cp := capital.New(a.sys, exchange.New(a.sys), acts)
	investor := broker.EnterpriseUser("e", "企业001")
	var it, rt []time.Duration
	for i := range queries {
		id := featured[i%len(featured)].ID
		t0 := time.Now()
		if _, err := b.svc.MatchInvestors(ctx, investor, id, nil); err != nil {
			return err
		}
		it = append(it, time.Since(t0))
		if i < 10 {
			t0 = time.Now()
			if _, err := cp.MatchInvestors(ctx, investor, id, nil); err != nil {
				return err
			}
			rt = append(rt, time.Since(t0))
		}
	}
	p50 := ms(percentile(it, 50))
	fig.InvestorsP50MS, fig.InvestorsRebuildP50MS, fig.Investors = &p50, ms(percentile(rt, 50)), g.investors
	say("investors for an achievement on offer, %d investors: p50 %.2f ms from B's index; %.0f ms with capital's engine built per request\n",
		g.investors, p50, fig.InvestorsRebuildP50MS)
	fig.Load[1] = loadAvg()
	fig.MatchP50MS, fig.MatchP95MS, fig.SearchP50MS = ms(percentile(mt, 50)), ms(percentile(mt, 95)), ms(percentile(st, 50))
	say("on B, for random principals: MatchDemand p50 %.2f ms, p95 %.2f ms; Search p50 %.2f ms\n", fig.MatchP50MS, fig.MatchP95MS, fig.SearchP50MS)

	if asJSON {
		enc := json.NewEncoder(out)
		return enc.Encode(fig)
	}
	return show(ctx, out, a, b, demands.Items)
}

// show prints a demand's matches on both instances, then deletes the best
// one through A and shows it gone from B.
func show(ctx context.Context, out io.Writer, a, b *instance, demands []broker.Demand) error {
	admin := broker.PlatformAdmin("admin")
	sa, err := match.New(a.sys, nil)
	if err != nil {
		return err
	}
	d := demands[0]
	ent := broker.EnterpriseUser("buyer", d.Enterprise)
	var tops [2][]match.Result
	for i, svc := range []*match.Service{sa, b.svc} {
		if tops[i], err = svc.MatchDemand(ctx, ent, d.ID, &match.MatchOptions{K: 3}); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "\ndemand %s %q of %s, as its enterprise sees the matches:\n", d.ID, d.Title, d.Enterprise)
	for i, name := range []string{"A", "B"} {
		fmt.Fprintf(out, "instance %s:\n", name)
		for _, r := range tops[i] {
			fmt.Fprintf(out, "  %s %.3f %q\n    %s\n", r.Ref.ID, r.Score, r.Record.(broker.Achievement).Title, explain(r.Explanation))
		}
	}
	same := len(tops[0]) == len(tops[1])
	for i := range tops[0] {
		same = same && i < len(tops[1]) && tops[0][i].Ref == tops[1][i].Ref && explain(tops[0][i].Explanation) == explain(tops[1][i].Explanation)
	}
	fmt.Fprintf(out, "same records and explanations on both: %v\n", same)
	if len(tops[1]) == 0 {
		return nil
	}
	gone := tops[1][0].Ref.ID
	x, err := a.sys.Achievements.Get(ctx, admin, gone)
	if err != nil {
		return err
	}
	if err := a.sys.Achievements.Delete(ctx, admin, gone, x.Version); err != nil {
		return err
	}
	if _, err := b.svc.Sync(ctx); err != nil {
		return err
	}
	after, err := b.svc.MatchDemand(ctx, ent, d.ID, &match.MatchOptions{K: 3})
	if err != nil {
		return err
	}
	ids := make([]string, len(after))
	for i, r := range after {
		ids[i] = r.Ref.ID
	}
	fmt.Fprintf(out, "after A deleted %s, B's top 3: %v (gone: %v)\n", gone, ids, !slices.Contains(ids, gone))
	return nil
}

func explain(e match.Explanation) string {
	var parts []string
	for _, s := range e.Signals {
		if s.Contribution != 0 {
			parts = append(parts, fmt.Sprintf("%s %.2f×%.2f", s.Name, s.Value, s.Weight))
		}
	}
	return strings.Join(parts, ", ") + "; terms " + strings.Join(e.Terms, " ") + strings.Join(e.Notes, "; ")
}

// seqOf is the sequence number of the last event of a record.
func seqOf(ctx context.Context, sys *broker.System, a broker.Achievement) int64 {
	evs, err := sys.Events(ctx, broker.PlatformAdmin("admin"), broker.KindAchievement, a.ID)
	if err != nil || len(evs) == 0 {
		return 1 << 62
	}
	return evs[len(evs)-1].Seq
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

// opener returns a function opening one more handle on the store.
func opener(ctx context.Context, url, dir string) (func() (broker.Store, error), func(), error) {
	if url == "mem:" {
		st := memstore.New()
		return func() (broker.Store, error) { return sharedStore{st}, nil }, func() {}, nil
	}
	if url == "" {
		path := filepath.Join(dir, "instances.db")
		return func() (broker.Store, error) { return sqlitestore.Open(path, nil) }, func() {}, nil
	}
	if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return nil, nil, fmt.Errorf("-store %q: want a postgres:// URL", url)
	}
	schema := fmt.Sprintf("instances_%d", time.Now().UnixNano())
	drop := func() {
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			return
		}
		defer conn.Close(context.Background())
		_, _ = conn.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
	}
	return func() (broker.Store, error) {
		return pgstore.Open(ctx, url, &pgstore.Options{Schema: schema})
	}, drop, nil
}

// The generated platform: seven fields, one per industry broker.
var fields = []struct {
	broker, name, disc string
	words              []string
}{
	{"info-eng", "信息工程与应用", "520", []string{"无线通信", "边缘计算", "网络安全", "数据中心", "芯片设计", "光纤传感", "物联网", "大模型", "图像识别", "区块链"}},
	{"smart-design", "智能设计", "460", []string{"工业设计", "人机交互", "参数化建模", "智能座舱", "用户体验", "可视化", "生成式设计", "城市更新"}},
	{"marine-tech", "海洋技术", "170", []string{"深远海养殖", "水质监测", "水下机器人", "船舶导航", "海水淡化", "渔业资源", "海洋牧场", "海底观测"}},
	{"pediatrics", "儿科医学", "320", []string{"新生儿黄疸", "儿童哮喘", "疫苗接种", "生长发育", "雾化治疗", "遗传筛查", "儿童肥胖", "先天性心脏病"}},
	{"green-print", "绿色印刷与包装技术", "460", []string{"环保油墨", "包装材料", "可降解薄膜", "数字印刷", "纸张回收", "防伪标签", "柔性版", "水性涂层"}},
	{"indoor-air", "室内环境净化", "610", []string{"甲醛净化", "空气过滤", "光催化", "新风系统", "除湿", "检测仪器", "抗菌材料", "挥发性有机物"}},
	{"mech-digital", "机械制造数字化转型", "460", []string{"数字孪生", "工业机器人", "数控机床", "故障诊断", "增材制造", "智能产线", "预测性维护", "工业软件"}},
}

var (
	regions = []string{"上海市杨浦区", "上海市浦东新区", "江苏省苏州市", "浙江省杭州市", "安徽省合肥市"}
	links   = []string{"的", "与", "及其", "用于", "基于"}
	tails   = []string{"方法", "系统", "装置", "技术", "平台", "材料", "工艺"}
)

// gen makes the records. Their text follows Zipf's law, as technical
// text does: each field (broker) has a vocabulary of its own of 3,000
// words and shares one of 20,000 with the others, words of two to four
// characters drawn from 3,000 CJK characters, each vocabulary sampled
// with Zipf's distribution (s = 1.1); titles lead with the field's
// readable words. So posting lists have the lengths of a real corpus
// rather than those of a few dozen repeated words.
type gen struct {
	rng       *rand.Rand
	n         int
	investors int
	shared    []string
	own       [][]string
	zs, zo    *rand.Zipf
	// With -corpus: real titles, sentences and keywords, recombined.
	titles, sentences, keywords []string
}

// readCorpus reads a CSL file (id, split, title, abstract, keywords, …)
// into pools of titles, sentences and keywords.
func (g *gen) readCorpus(path string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	for i, line := range strings.Split(string(b), "\n") {
		c := strings.Split(line, "\t")
		if i == 0 || len(c) < 5 {
			continue
		}
		g.titles = append(g.titles, c[2])
		for _, s := range strings.FieldsFunc(c[3], func(r rune) bool { return strings.ContainsRune("。；;.!?！？", r) }) {
			if s = strings.TrimSpace(s); len([]rune(s)) > 4 {
				g.sentences = append(g.sentences, s)
			}
		}
		for _, k := range strings.Split(c[4], "_") {
			if k = strings.TrimSpace(k); k != "" {
				g.keywords = append(g.keywords, k)
			}
		}
	}
	if len(g.titles) == 0 || len(g.sentences) == 0 {
		return fmt.Errorf("%s: no CSL rows (id, split, title, abstract, keywords)", path)
	}
	return nil
}

// real returns a title, a text of n sentences and keywords from the
// corpus.
func (g *gen) real(n int) (string, string, []string) {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString("。")
		}
		b.WriteString(g.sentences[g.rng.IntN(len(g.sentences))])
	}
	var kws []string
	for range 2 + g.rng.IntN(3) {
		kws = append(kws, g.keywords[g.rng.IntN(len(g.keywords))])
	}
	return g.titles[g.rng.IntN(len(g.titles))], b.String(), kws
}

func newGen(seed uint64) *gen {
	g := &gen{rng: rand.New(rand.NewPCG(seed, seed+1))}
	word := func() string {
		var b strings.Builder
		for range 2 + g.rng.IntN(3) {
			b.WriteRune(rune(0x4E00 + g.rng.IntN(3000)))
		}
		return b.String()
	}
	for range 20000 {
		g.shared = append(g.shared, word())
	}
	for range fields {
		var ws []string
		for range 3000 {
			ws = append(ws, word())
		}
		g.own = append(g.own, ws)
	}
	g.zs = rand.NewZipf(g.rng, 1.1, 1, uint64(len(g.shared)-1))
	g.zo = rand.NewZipf(g.rng, 1.1, 1, 2999)
	return g
}

// phrase is n words of field f: its readable words first, then words of
// its own vocabulary and of the shared one.
func (g *gen) phrase(f int, words int) (string, []string) {
	var b strings.Builder
	var kws []string
	for i := range words {
		var w string
		switch {
		case i < 2 || g.rng.IntN(8) == 0:
			ws := fields[f].words
			if g.rng.IntN(6) == 0 {
				ws = fields[g.rng.IntN(len(fields))].words
			}
			w = ws[g.rng.IntN(len(ws))]
		case g.rng.IntN(5) < 3:
			w = g.own[f][g.zo.Uint64()]
		default:
			w = g.shared[g.zs.Uint64()]
		}
		if i > 0 {
			b.WriteString(links[g.rng.IntN(len(links))])
		}
		b.WriteString(w)
		if len(kws) < 4 && !slices.Contains(kws, w) {
			kws = append(kws, w)
		}
	}
	return b.String(), kws
}

func (g *gen) tier() broker.Visibility {
	return []broker.Visibility{broker.Public, broker.Public, broker.Public, broker.Members, broker.Confidential}[g.rng.IntN(5)]
}

func (g *gen) achievementValue() broker.Achievement {
	g.n++
	f := g.rng.IntN(len(fields))
	title, kws := g.phrase(f, 2+g.rng.IntN(2))
	abs, _ := g.phrase(f, 25+g.rng.IntN(25))
	if g.titles != nil {
		title, abs, kws = g.real(4 + g.rng.IntN(5))
	}
	return broker.Achievement{
		Meta:  broker.Meta{Broker: fields[f].broker, Visibility: g.tier(), Region: regions[g.rng.IntN(len(regions))]},
		Title: title + tails[g.rng.IntN(len(tails))] + fmt.Sprint(g.n), Keywords: kws, Abstract: abs,
		Disciplines: []string{fields[f].disc}, Owner: fmt.Sprintf("大学%02d", g.rng.IntN(40)),
		Readiness:   broker.Readiness{Scale: broker.NASATRL, Level: 1 + g.rng.IntN(9)},
		AskingPrice: decimal.NewFromInt(int64(10000 * (1 + g.rng.IntN(1000)))),
	}
}

func (g *gen) achievement(ctx context.Context, sys *broker.System, p broker.Principal) (broker.Achievement, error) {
	return sys.Achievements.Create(ctx, p, g.achievementValue())
}

func (g *gen) principal() broker.Principal {
	switch g.rng.IntN(4) {
	case 0:
		return broker.EnterpriseUser("e", fmt.Sprintf("企业%03d", g.rng.IntN(300)))
	case 1:
		return broker.BrokerStaff("s", fields[g.rng.IntN(len(fields))].broker)
	case 2:
		return broker.InstitutionUser("i", fmt.Sprintf("大学%02d", g.rng.IntN(40)))
	}
	return broker.Anonymous()
}

// importAll imports the records as JSON lines, in one stream per library.
func (g *gen) importAll(ctx context.Context, sys *broker.System, p broker.Principal, n int) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for range n {
		if err := enc.Encode(g.achievementValue()); err != nil {
			return err
		}
	}
	if _, err := sys.Achievements.Import(ctx, p, &buf, broker.ImportOptions{Format: broker.JSONLines}); err != nil {
		return err
	}
	buf.Reset()
	for i := range n / 5 {
		f := g.rng.IntN(len(fields))
		title, kws := g.phrase(f, 2)
		problem, _ := g.phrase(f, 10+g.rng.IntN(15))
		if g.titles != nil {
			title, problem, kws = g.real(1 + g.rng.IntN(3))
		}
		d := broker.Demand{
			Meta:       broker.Meta{Broker: fields[f].broker, Visibility: g.tier(), Region: regions[g.rng.IntN(len(regions))]},
			Enterprise: fmt.Sprintf("企业%03d", g.rng.IntN(300)), Title: "需要" + title + fmt.Sprint(i), Problem: problem, Keywords: kws,
			Disciplines:  []string{fields[f].disc},
			MinReadiness: broker.Readiness{Scale: broker.NASATRL, Level: 1 + g.rng.IntN(9)},
			Budget:       broker.Range{Max: decimal.NewFromInt(int64(10000 * (1 + g.rng.IntN(1000))))},
		}
		if err := enc.Encode(d); err != nil {
			return err
		}
	}
	if _, err := sys.Demands.Import(ctx, p, &buf, broker.ImportOptions{Format: broker.JSONLines}); err != nil {
		return err
	}
	buf.Reset()
	for i := range max(1, n/50) {
		f := g.rng.IntN(len(fields))
		_, kws := g.phrase(f, 5)
		w1, _ := g.phrase(f, 4)
		w2, _ := g.phrase(f, 4)
		if g.titles != nil {
			w1, _, kws = g.real(0)
			w2, _, _ = g.real(0)
		}
		e := broker.Expert{Name: fmt.Sprintf("专家%d", i), Keywords: kws, Disciplines: []string{fields[f].disc},
			Works: []broker.Work{{Title: w1}, {Title: w2}}}
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	if _, err := sys.Experts.Import(ctx, p, &buf, broker.ImportOptions{Format: broker.JSONLines}); err != nil {
		return err
	}
	buf.Reset()
	g.investors = max(1, n/10)
	stages := capital.InvestStages()
	for i := range g.investors {
		f := g.rng.IntN(len(fields))
		_, kws := g.phrase(f, 4)
		thesis, _ := g.phrase(f, 8)
		if g.titles != nil {
			_, thesis, kws = g.real(1)
		}
		v := capital.Investor{Name: fmt.Sprintf("投资机构%05d", i), Keywords: kws, Thesis: thesis, Disciplines: []string{fields[f].disc},
			Stages: []capital.InvestStage{stages[g.rng.IntN(len(stages))]},
			Ticket: broker.Range{Min: decimal.NewFromInt(int64(100000 * g.rng.IntN(10))), Max: decimal.NewFromInt(int64(1000000 * (1 + g.rng.IntN(20))))}}
		if g.rng.IntN(2) == 0 {
			v.Regions = []string{regions[g.rng.IntN(len(regions))]}
		}
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	_, err := broker.NewLibrary[capital.Investor](sys).Import(ctx, p, &buf, broker.ImportOptions{Format: broker.JSONLines})
	return err
}

// sharedStore is one memory store seen by several Systems: closing one
// System leaves the store to the others.
type sharedStore struct{ *memstore.Store }

func (sharedStore) Close() error { return nil }
