package memstore

import (
	"bytes"
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/kexie/techbroker/broker/driver"
)

// Store is an in-memory driver.Store. The zero value is not usable; call New.
type Store struct {
	mu     sync.RWMutex
	kinds  map[string]*table
	events []driver.Event
	seq    int64
	closed bool
	// grew is closed when events are appended, to wake the waiters of
	// Wait; nil while nobody waits.
	grew chan struct{}
}

type table struct {
	recs map[string]driver.Record
	ids  []string            // sorted
	keys map[string][]string // Key -> IDs
}

var (
	_ driver.Store         = (*Store)(nil)
	_ driver.Txn           = (*txn)(nil)
	_ driver.StreamCreator = (*Store)(nil)
	_ driver.KeyFinder     = (*Store)(nil)
	_ driver.Waiter        = (*Store)(nil)
)

// New returns an empty store.
func New() *Store { return &Store{kinds: make(map[string]*table)} }

func errClosed() error { return fmt.Errorf("memstore: store is closed") }

func copyRecord(r driver.Record) driver.Record {
	r.Body = bytes.Clone(r.Body)
	return r
}

func copyEvent(e driver.Event) driver.Event {
	e.Body = bytes.Clone(e.Body)
	return e
}

func (s *Store) tableFor(kind string, create bool) *table {
	t := s.kinds[kind]
	if t == nil && create {
		t = &table{recs: make(map[string]driver.Record), keys: make(map[string][]string)}
		s.kinds[kind] = t
	}
	return t
}

// Get implements driver.Store.
func (s *Store) Get(ctx context.Context, kind, id string) (driver.Record, error) {
	if err := ctx.Err(); err != nil {
		return driver.Record{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return driver.Record{}, errClosed()
	}
	return s.get(kind, id)
}

func (s *Store) get(kind, id string) (driver.Record, error) {
	t := s.tableFor(kind, false)
	if t == nil {
		return driver.Record{}, driver.ErrNotFound
	}
	r, ok := t.recs[id]
	if !ok {
		return driver.Record{}, driver.ErrNotFound
	}
	return copyRecord(r), nil
}

// List implements driver.Store.
func (s *Store) List(ctx context.Context, q driver.Query) ([]driver.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, errClosed()
	}
	return s.list(ctx, q, nil)
}

func matches(r *driver.Record, q *driver.Query) bool {
	if q.Broker != "" && r.Broker != q.Broker {
		return false
	}
	if q.Stage != "" && r.Stage != q.Stage {
		return false
	}
	if q.Key != "" && r.Key != q.Key {
		return false
	}
	if !q.UpdatedBefore.IsZero() && !r.Updated.Before(q.UpdatedBefore) {
		return false
	}
	return true
}

// list scans the committed table, overlaid with a transaction's pending
// writes when ov is not nil.
func (s *Store) list(ctx context.Context, q driver.Query, ov *txn) ([]driver.Record, error) {
	if q.Kind == "" {
		return nil, fmt.Errorf("memstore: list: kind is required")
	}
	var ids []string
	if t := s.tableFor(q.Kind, false); t != nil {
		if q.Key != "" {
			ids = slices.Clone(t.keys[q.Key])
			slices.Sort(ids)
		} else {
			ids = t.ids
		}
	}
	if ov != nil {
		ids = ov.mergeIDs(q.Kind, ids)
	}
	start := 0
	if q.After != "" {
		start = sort.SearchStrings(ids, q.After)
		if start < len(ids) && ids[start] == q.After {
			start++
		}
	}
	var out []driver.Record
	for i, id := range ids[start:] {
		if i%1024 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		var r driver.Record
		var err error
		if ov != nil {
			r, err = ov.get(q.Kind, id)
		} else {
			r, err = s.get(q.Kind, id)
		}
		if err != nil {
			continue // deleted in the transaction
		}
		if !matches(&r, &q) {
			continue
		}
		out = append(out, r)
		if q.Limit > 0 && len(out) >= q.Limit {
			break
		}
	}
	return out, nil
}

// Events implements driver.Store.
func (s *Store) Events(ctx context.Context, q driver.EventQuery) ([]driver.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, errClosed()
	}
	// Seq starts at 1 and has no gaps, so AfterSeq indexes the slice.
	start := int(min(max(q.AfterSeq, 0), int64(len(s.events))))
	var out []driver.Event
	for _, e := range s.events[start:] {
		if q.Kind != "" && e.Kind != q.Kind {
			continue
		}
		if q.RecordID != "" && e.RecordID != q.RecordID {
			continue
		}
		out = append(out, copyEvent(e))
		if q.Limit > 0 && len(out) >= q.Limit {
			break
		}
	}
	return out, nil
}

// Begin implements driver.Store. The transaction holds the store's write
// lock until it commits or rolls back, so transactions are serializable:
// they run one at a time, and reads outside them wait.
func (s *Store) Begin(ctx context.Context) (driver.Txn, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, errClosed()
	}
	return &txn{s: s, writes: make(map[string]map[string]*driver.Record)}, nil
}

// CreateStream implements driver.StreamCreator. Batches are checked as
// they arrive, without the lock, and kept as they are (the stream hands
// them over); the records are inserted under one write lock when the
// stream ends, so other readers and writers wait only for that last step.
func (s *Store) CreateStream(ctx context.Context, batches iter.Seq2[driver.Batch, error]) error {
	var got []driver.Batch // batch by batch (no slice regrowth)
	seen := map[[2]string]struct{}{}
	for b, err := range batches {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := b.Check(); err != nil {
			return fmt.Errorf("memstore: create many: %w", err)
		}
		for _, r := range b.Records {
			k := [2]string{r.Kind, r.ID}
			if _, dup := seen[k]; dup {
				return driver.ErrExists
			}
			seen[k] = struct{}{}
		}
		for i := range b.Records {
			b.Records[i].Version = 1
		}
		got = append(got, b)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errClosed()
	}
	for _, b := range got {
		for _, r := range b.Records {
			if tb := s.tableFor(r.Kind, false); tb != nil {
				if _, ok := tb.recs[r.ID]; ok {
					return driver.ErrExists
				}
			}
		}
	}
	added := map[string][]string{}
	for _, b := range got {
		for _, r := range b.Records {
			added[r.Kind] = append(added[r.Kind], r.ID)
		}
	}
	for kind, ids := range added {
		// A big load into a small table: size the map once rather than
		// letting it grow step by step.
		if tb := s.tableFor(kind, true); len(ids) > len(tb.recs) {
			recs := make(map[string]driver.Record, len(tb.recs)+len(ids))
			maps.Copy(recs, tb.recs)
			keys := make(map[string][]string, len(tb.keys)+len(ids))
			maps.Copy(keys, tb.keys)
			tb.recs, tb.keys = recs, keys
		}
	}
	nev := 0
	for _, b := range got {
		nev += len(b.Events)
		for _, r := range b.Records {
			tb := s.tableFor(r.Kind, true)
			tb.recs[r.ID] = r
			if r.Key != "" {
				tb.keys[r.Key] = append(tb.keys[r.Key], r.ID)
			}
		}
	}
	for kind, ids := range added {
		s.tableFor(kind, true).insertIDs(ids)
	}
	s.events = slices.Grow(s.events, nev)
	for _, b := range got {
		for _, e := range b.Events {
			s.seq++
			e.Seq = s.seq
			s.events = append(s.events, e)
		}
	}
	s.wake()
	return nil
}

func (s *Store) commit(t *txn) {
	for _, kind := range t.order {
		tb := s.tableFor(kind, true)
		var added []string
		for id, w := range t.writes[kind] {
			old, existed := tb.recs[id]
			if existed {
				tb.removeKey(old.Key, id)
			}
			if w == nil {
				if existed {
					delete(tb.recs, id)
					i := sort.SearchStrings(tb.ids, id)
					tb.ids = slices.Delete(tb.ids, i, i+1)
				}
				continue
			}
			tb.recs[id] = *w
			if w.Key != "" {
				tb.keys[w.Key] = append(tb.keys[w.Key], id)
			}
			if !existed {
				added = append(added, id)
			}
		}
		tb.insertIDs(added)
	}
	for _, e := range t.events {
		s.seq++
		e.Seq = s.seq
		s.events = append(s.events, e)
	}
	s.wake()
}

// wake tells the waiters of Wait that the log grew; s.mu is held.
func (s *Store) wake() {
	if s.grew != nil {
		close(s.grew)
		s.grew = nil
	}
}

// Wait implements driver.Waiter: it returns when a commit appends an
// event with Seq > after (at once if the log holds one), or when ctx is
// done.
func (s *Store) Wait(ctx context.Context, after int64) error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return errClosed()
	}
	if s.seq > after {
		s.mu.Unlock()
		return nil
	}
	if s.grew == nil {
		s.grew = make(chan struct{})
	}
	grew := s.grew
	s.mu.Unlock()
	select {
	case <-grew:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// insertIDs adds new IDs to the sorted ID list: appended when they all sort
// after it (the usual case with time-ordered IDs), else merged in O(n+m).
func (tb *table) insertIDs(added []string) {
	if len(added) == 0 {
		return
	}
	slices.Sort(added)
	if n := len(tb.ids); n == 0 || tb.ids[n-1] < added[0] {
		tb.ids = append(tb.ids, added...)
		return
	}
	if len(added) == 1 {
		i := sort.SearchStrings(tb.ids, added[0])
		tb.ids = slices.Insert(tb.ids, i, added[0])
		return
	}
	merged := make([]string, 0, len(tb.ids)+len(added))
	i, j := 0, 0
	for i < len(tb.ids) && j < len(added) {
		if tb.ids[i] < added[j] {
			merged = append(merged, tb.ids[i])
			i++
		} else {
			merged = append(merged, added[j])
			j++
		}
	}
	merged = append(merged, tb.ids[i:]...)
	tb.ids = append(merged, added[j:]...)
}

func (tb *table) removeKey(key, id string) {
	if key == "" {
		return
	}
	ids := tb.keys[key]
	if i := slices.Index(ids, id); i >= 0 {
		ids = slices.Delete(ids, i, i+1)
	}
	if len(ids) == 0 {
		delete(tb.keys, key)
	} else {
		tb.keys[key] = ids
	}
}

// Close implements driver.Store. Later calls fail.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.wake() // a waiter returns and finds the store closed on its next call
	return nil
}

// txn buffers writes and applies them at Commit; the store's write lock is
// held for its whole life.
type txn struct {
	s      *Store
	writes map[string]map[string]*driver.Record // nil value = deleted
	order  []string                             // kinds in first-write order
	events []driver.Event
}

// Commit implements driver.Txn.
func (t *txn) Commit() error {
	defer t.s.mu.Unlock()
	t.s.commit(t)
	return nil
}

// Rollback implements driver.Txn: the buffered writes are dropped.
func (t *txn) Rollback() error {
	t.s.mu.Unlock()
	return nil
}

func (t *txn) get(kind, id string) (driver.Record, error) {
	if w, ok := t.writes[kind][id]; ok {
		if w == nil {
			return driver.Record{}, driver.ErrNotFound
		}
		return copyRecord(*w), nil
	}
	return t.s.get(kind, id)
}

func (t *txn) mergeIDs(kind string, ids []string) []string {
	w := t.writes[kind]
	if len(w) == 0 {
		return ids
	}
	var extra []string
	for id, r := range w {
		if r != nil {
			if _, err := t.s.get(kind, id); err != nil {
				extra = append(extra, id)
			}
		}
	}
	if len(extra) == 0 {
		return ids
	}
	out := append(slices.Clone(ids), extra...)
	slices.Sort(out)
	return out
}

func (t *txn) put(r driver.Record) {
	m := t.writes[r.Kind]
	if m == nil {
		m = make(map[string]*driver.Record)
		t.writes[r.Kind] = m
		t.order = append(t.order, r.Kind)
	}
	c := copyRecord(r)
	m[r.ID] = &c
}

func (t *txn) Get(ctx context.Context, kind, id string) (driver.Record, error) {
	return t.get(kind, id)
}

func (t *txn) List(ctx context.Context, q driver.Query) ([]driver.Record, error) {
	if q.Key != "" {
		// Pending writes may add or remove records with this key: scan them.
		recs, err := t.s.list(ctx, q, t)
		if err != nil {
			return nil, err
		}
		for id, w := range t.writes[q.Kind] {
			if w != nil && w.Key == q.Key && !slices.ContainsFunc(recs, func(r driver.Record) bool { return r.ID == id }) {
				recs = append(recs, copyRecord(*w))
			}
		}
		slices.SortFunc(recs, func(a, b driver.Record) int { return strings.Compare(a.ID, b.ID) })
		if q.Limit > 0 && len(recs) > q.Limit {
			recs = recs[:q.Limit]
		}
		return recs, nil
	}
	return t.s.list(ctx, q, t)
}

func (t *txn) Create(ctx context.Context, r driver.Record) error {
	if _, err := t.get(r.Kind, r.ID); err == nil {
		return driver.ErrExists
	}
	r.Version = 1
	t.put(r)
	return nil
}

func (t *txn) Replace(ctx context.Context, r driver.Record) (int64, error) {
	cur, err := t.get(r.Kind, r.ID)
	if err != nil {
		return 0, err
	}
	if cur.Version != r.Version {
		return 0, driver.ErrStale
	}
	r.Version++
	t.put(r)
	return r.Version, nil
}

func (t *txn) Delete(ctx context.Context, kind, id string, version int64) error {
	cur, err := t.get(kind, id)
	if err != nil {
		return err
	}
	if cur.Version != version {
		return driver.ErrStale
	}
	m := t.writes[kind]
	if m == nil {
		m = make(map[string]*driver.Record)
		t.writes[kind] = m
		t.order = append(t.order, kind)
	}
	m[id] = nil
	return nil
}

func (t *txn) Append(ctx context.Context, e driver.Event) error {
	t.events = append(t.events, copyEvent(e))
	return nil
}

// FindKeys implements driver.KeyFinder.
func (s *Store) FindKeys(ctx context.Context, kind string, keys []string) (map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, errClosed()
	}
	out := map[string]string{}
	t := s.tableFor(kind, false)
	if t == nil {
		return out, nil
	}
	for _, k := range keys {
		if ids := t.keys[k]; len(ids) > 0 {
			out[k] = slices.Min(ids)
		}
	}
	return out, nil
}
