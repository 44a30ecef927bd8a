package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/httpapi"
	"github.com/kexie/techbroker/broker/match"
	"github.com/kexie/techbroker/broker/memstore"
)

// loopbackBench serves the API over memstore on a loopback port, with an
// API key for a broker's staff, and one achievement to read.
func loopbackBench(b *testing.B) (srv *httptest.Server, key, path string) {
	b.Helper()
	ctx := context.Background()
	sys, err := broker.Build(ctx, memstore.New(), broker.Yangpu(), admin, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sys.Close() })
	keys := httpapi.NewAPIKeys(sys, broker.Principal{})
	key, _, err = keys.Issue(ctx, admin, staff, httpapi.KeyOptions{})
	if err != nil {
		b.Fatal(err)
	}
	a, err := sys.Achievements.Create(ctx, institution, achievement("深远海养殖网箱水质在线监测系统", institution.Org))
	if err != nil {
		b.Fatal(err)
	}
	srv = httptest.NewServer(httpapi.NewHandler(sys, &httpapi.Options{Authenticate: keys.Authenticate}))
	b.Cleanup(srv.Close)
	return srv, key, "/v1/achievements/" + a.ID
}

// BenchmarkGetRecord measures GET /v1/achievements/{id} over loopback TCP
// with keep-alive connections, authenticated by an API key (one store read
// for the key, one for the record): the latency of each request (p50, p99)
// and the throughput of 8 concurrent clients (req/s).
func BenchmarkGetRecord(b *testing.B) {
	srv, key, path := loopbackBench(b)
	tr := &http.Transport{MaxIdleConns: 64, MaxIdleConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}
	get := func() error {
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
		return nil
	}
	for range 100 { // warm the connections
		if err := get(); err != nil {
			b.Fatal(err)
		}
	}
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(4) // 4 × GOMAXPROCS clients
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			t0 := time.Now()
			if err := get(); err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(t0))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	reportLatency(b, lat, elapsed)
}

// BenchmarkGetRecordSerial is one client, one request at a time: the
// latency of a request on an idle server.
func BenchmarkGetRecordSerial(b *testing.B) {
	srv, key, path := loopbackBench(b)
	client := srv.Client()
	lat := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		t0 := time.Now()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		lat = append(lat, time.Since(t0))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	reportLatency(b, lat, elapsed)
}

func reportLatency(b *testing.B, lat []time.Duration, elapsed time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(f float64) float64 { return float64(lat[int(f*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
}

// BenchmarkSearch100k measures GET /v1/search over loopback TCP on
// memstore with 100,000 generated achievements (a fifth of them
// confidential, so the access filter works while ranking), as a broker's
// staff member with an API key, one request at a time: the latency of a
// page of ten hits with facet counts (p50, p99). Each request catches the
// matching service up with the log first (MaxLag 0), which finds nothing
// new. Setting up (import and the index's first catch-up) takes some
// seconds and is not timed. Skipped with -short.
func BenchmarkSearch100k(b *testing.B) {
	if testing.Short() {
		b.Skip("100,000 records: run without -short")
	}
	ctx := context.Background()
	sys, err := broker.Build(ctx, memstore.New(), broker.Yangpu(), admin, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sys.Close() })
	const n = 100_000
	rng := rand.New(rand.NewPCG(1, 2))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := range n {
		topic := searchTopics[i%len(searchTopics)]
		w := func() string { return topic[rng.IntN(len(topic))] }
		a := broker.Achievement{Title: fmt.Sprintf("%s%s%s（%d）", w(), w(), w(), i), Owner: fmt.Sprintf("研究院%d", i%500),
			Abstract: strings.Repeat(w()+w()+"，", 8), Keywords: []string{w(), w()}, Disciplines: []string{fmt.Sprint(110 + i%40)}}
		a.Broker = []string{"marine-tech", "pediatrics", "green-printing", ""}[i%4]
		if i%5 == 0 {
			a.Visibility = broker.Confidential
		}
		if err := enc.Encode(a); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := sys.Achievements.Import(ctx, admin, &buf, broker.ImportOptions{Format: broker.JSONLines, BatchSize: 5000}); err != nil {
		b.Fatal(err)
	}
	svc, err := match.New(sys, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Sync(ctx); err != nil {
		b.Fatal(err)
	}
	keys := httpapi.NewAPIKeys(sys, broker.Principal{})
	key, _, err := keys.Issue(ctx, admin, staff, httpapi.KeyOptions{})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(httpapi.NewHandler(sys, &httpapi.Options{Authenticate: keys.Authenticate, Match: svc}))
	b.Cleanup(srv.Close)
	client := srv.Client()
	queries := make([]string, 0, 64)
	for i := range 64 {
		topic := searchTopics[i%len(searchTopics)]
		queries = append(queries, url.QueryEscape(topic[i%len(topic)]+" "+topic[(i*7+3)%len(topic)]))
	}
	get := func(i int) {
		req, _ := http.NewRequest("GET", srv.URL+"/v1/search?limit=10&q="+queries[i%len(queries)], nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
	for i := range 20 { // warm the connection
		get(i)
	}
	// The searches find what they should: full pages, and no confidential
	// record of another desk.
	for i := range len(queries) {
		req, _ := http.NewRequest("GET", srv.URL+"/v1/search?limit=10&q="+queries[i], nil)
		req.Header.Set("Authorization", "Bearer "+key)
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var pg httpapi.SearchPage
		err = json.NewDecoder(res.Body).Decode(&pg)
		res.Body.Close()
		if err != nil || len(pg.Items) != 10 || pg.Total < 1000 {
			b.Fatalf("query %d: %d hits of %d (%v)", i, len(pg.Items), pg.Total, err)
		}
		for _, m := range pg.Items {
			if a := m.Achievement; a.Visibility == broker.Confidential && a.Broker != staff.Broker {
				b.Fatalf("query %d: a confidential achievement of %q for %s's staff", i, a.Broker, staff.Broker)
			}
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		t0 := time.Now()
		get(i)
		lat = append(lat, time.Since(t0))
	}
	elapsed := time.Since(start)
	b.StopTimer()
	reportLatency(b, lat, elapsed)
}

// searchTopics are the generated achievements' vocabularies, one per
// field.
var searchTopics = [][]string{
	{"海洋", "养殖", "网箱", "水质", "溶解氧", "监测", "传感器", "浮标", "深远海", "渔业"},
	{"儿童", "哮喘", "新生儿", "黄疸", "检测", "预测", "模型", "儿科", "呼吸", "无创"},
	{"印刷", "包装", "油墨", "纸张", "绿色", "降解", "涂层", "柔版", "环保", "VOCs"},
	{"机械", "数控", "机床", "齿轮", "轴承", "减速器", "精密", "加工", "刀具", "振动"},
	{"电池", "储能", "锂电", "电解质", "正极", "隔膜", "快充", "热管理", "安全", "回收"},
	{"芯片", "集成电路", "封装", "光刻", "晶圆", "射频", "功耗", "设计", "测试", "存储"},
	{"污水", "净化", "膜分离", "催化", "吸附", "土壤", "修复", "重金属", "脱硫", "除尘"},
	{"软件", "数据", "平台", "算法", "云计算", "安全", "区块链", "识别", "语音", "图像"},
}
