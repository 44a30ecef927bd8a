package main

import (
	"context"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/kexie/techbroker/matching"
	"github.com/kexie/techbroker/matching/eval"
	"github.com/kexie/techbroker/matching/router"
)

// engineScaler is the scale run on the built-in engine. lean uses the
// library's default options; otherwise the configuration of the quality
// tasks (eval.DefaultBuiltIn: Rocchio feedback, which keeps a forward
// index, and a router labelling every document for the category signal).
type engineScaler struct {
	opts    matching.Options
	e       *matching.Engine
	memprof string // heap profile written after the build, when set
	cpuprof string // CPU profile of the first build, when set
}

func newEngineScaler(train []eval.Labelled, lean bool) (*engineScaler, error) {
	if lean {
		return &engineScaler{}, nil
	}
	cfg := eval.DefaultBuiltIn(train)
	s := &engineScaler{opts: *cfg.Engine}
	if len(train) > 0 {
		r, err := router.Train(examples(train), cfg.Router)
		if err != nil {
			return nil, err
		}
		s.opts.Categorizer = r
	}
	return s, nil
}

func examples(l []eval.Labelled) []router.Example {
	out := make([]router.Example, len(l))
	for i, x := range l {
		out[i] = router.Example{Text: x.Title, Label: x.Category}
	}
	return out
}

func heap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

func (s *engineScaler) build(docs []eval.Paper, texts []string) (float64, time.Duration, error) {
	s.e = nil
	before := heap()
	stop := func() {}
	if s.cpuprof != "" {
		f, err := os.Create(s.cpuprof)
		if err != nil {
			return 0, 0, err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return 0, 0, err
		}
		s.cpuprof = ""
		stop = pprof.StopCPUProfile
		defer func() { stop() }() // on an early return
	}
	start := time.Now()
	e, err := matching.NewEngine(&s.opts)
	if err != nil {
		return 0, 0, err
	}
	// One batch, as Bleve gets batches: texts are analyzed on all cores.
	batch := make([]matching.Document, len(docs))
	for i, p := range docs {
		batch[i] = matching.Document{Kind: matching.Achievement, ID: p.ID, Abstract: texts[i]}
	}
	if err := e.AddBatch(batch); err != nil {
		return 0, 0, err
	}
	e.Compact() // trims the spare capacity of the posting lists
	took := time.Since(start)
	stop() // the profile covers the timed build only
	stop = func() {}
	s.e = e
	after := heap()
	if s.memprof != "" {
		f, err := os.Create(s.memprof)
		if err != nil {
			return 0, 0, err
		}
		defer f.Close()
		if err := pprof.WriteHeapProfile(f); err != nil {
			return 0, 0, err
		}
	}
	runtime.KeepAlive(e)
	runtime.KeepAlive(texts) // live in before, so live in after too
	return float64(int64(after)-int64(before)) / float64(len(docs)), took, nil
}

func (s *engineScaler) query(q string) error {
	_, err := s.e.Match(context.Background(), matching.Query{Direction: matching.DemandToAchievements, Source: matching.Document{Kind: matching.Demand, Abstract: q}, K: 10})
	return err
}

func (s *engineScaler) close() error { s.e = nil; return nil }
