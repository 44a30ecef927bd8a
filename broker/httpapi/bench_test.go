package httpapi_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/httpapi"
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
