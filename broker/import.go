package broker

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/internal/orgtag"
	"github.com/shopspring/decimal"
)

// ImportFormat is the format of an import.
type ImportFormat int

// Import formats.
const (
	// CSV with a header row of column names (see the package docs, "Import").
	CSV ImportFormat = iota
	// JSONLines: one JSON object per line, with the record's JSON field names.
	JSONLines
)

// DuplicatePolicy says what an import does with a row whose normalized
// title and owner (enterprise, institution) match a stored record or an
// earlier row.
type DuplicatePolicy int

// Duplicate policies.
const (
	// DuplicateReport skips the row and lists it in ImportReport.Duplicates.
	DuplicateReport DuplicatePolicy = iota
	// DuplicateMerge merges the row into the record it duplicates: empty
	// fields are filled from the row and lists are united.
	DuplicateMerge
)

// ImportOptions configure an import. The zero value imports CSV, writes
// nothing when any row is bad, and reports duplicates.
type ImportOptions struct {
	Format ImportFormat
	// Partial imports the good rows when some are bad, instead of writing
	// nothing. Bad rows are listed in the report either way.
	Partial     bool
	OnDuplicate DuplicatePolicy
	// Batch names the import batch, recorded in every record's
	// Provenance.Batch; empty means a generated ID.
	Batch string
	// BatchSize is the number of records written per transaction; 0 writes
	// the whole import in one transaction. Each transaction is all-or-nothing.
	BatchSize int
	// Provenance fills empty provenance fields of every row (e.g. Society or
	// Source); Broker, if set, fills an empty Meta.Broker.
	Provenance Provenance
	Broker     string
	// Progress, if set, is called as rows are validated and written.
	Progress func(Progress)
	// MaxRows bounds the rows read; 0 means 1,000,000.
	MaxRows int
}

// Progress reports how far an import has come.
type Progress struct {
	Phase string // "validate" or "write"
	Done  int
	Total int // rows in the input: 0 while the input is still being read
}

// ImportReport says what an import did, row by row.
type ImportReport struct {
	Batch      string
	Rows       int          // data rows read
	Created    []string     // IDs of records created
	Merged     []string     // IDs of stored records that rows were merged into
	Duplicates []Duplicate  // rows skipped as duplicates (DuplicateReport)
	Errors     []FieldError // every bad field of every bad row, with its Row
}

// Duplicate is a row skipped as a duplicate.
type Duplicate struct {
	Row int
	// Of is the ID of the stored record it duplicates, or "row N" for an
	// earlier row of the same import.
	Of string
}

// columnar is implemented by the record types that a CSV import reads: the
// setter of each column.
type columnar[T any] interface {
	columns() map[string]setter[T]
}

type importRow[T any] struct {
	row       int
	v         T
	key       string
	merge     string        // stored ID to merge into
	parseErrs []FieldError  // errors found while reading the row
	prepErr   error         // the row's validation error
	rec       driver.Record // the encoded record, when encoded is true
	encoded   bool
}

// Import reads records from r and stores them. Rows are numbered by their
// line in the input (for CSV the header is line 1). By default an import
// with any bad row writes nothing and returns the report with an error that
// matches ErrInvalid and lists every bad field; with Partial the good rows
// are written and the report lists the bad ones. Import never panics on any
// input.
func (l *Library[T]) Import(ctx context.Context, p Principal, r io.Reader, o ImportOptions) (*ImportReport, error) {
	kind := kindOf[T]()
	rep := &ImportReport{Batch: o.Batch}
	if rep.Batch == "" {
		rep.Batch = l.s.newID("import")
	}
	maxRows := o.MaxRows
	if maxRows <= 0 {
		maxRows = 1_000_000
	}
	// The input is read by one goroutine in blocks of rows; a second stage
	// normalizes and validates each block on all cores (rows are
	// independent); only ID stamping and de-duplication run in row order,
	// and then each block is encoded in parallel. Without a streaming store
	// nothing is written before the whole input has been checked; with one,
	// a failure aborts the store's transaction.
	const block = 2048
	blocks := make(chan []*importRow[T], 2)
	done := make(chan struct{})
	prepped := make(chan []*importRow[T], 1)
	defer func() {
		close(done)
		for range prepped { // wait for the preparer and the reader to stop before returning
		}
	}()
	var fatal error
	go func() {
		defer close(blocks)
		cur := make([]*importRow[T], 0, block)
		var chunk []importRow[T] // rows live in fixed-size chunks, never copied as they grow
		send := func() bool {
			select {
			case blocks <- cur:
				cur = make([]*importRow[T], 0, block)
				return true
			case <-done:
				return false
			}
		}
		emit := func(row int, v T, errs []FieldError) bool {
			if len(chunk) == cap(chunk) {
				chunk = make([]importRow[T], 0, block)
			}
			chunk = append(chunk, importRow[T]{row: row, v: v, parseErrs: errs})
			cur = append(cur, &chunk[len(chunk)-1])
			return len(cur) < block || send()
		}
		switch o.Format {
		case CSV:
			fatal = readCSV[T](r, maxRows, emit)
		case JSONLines:
			fatal = readJSONL[T](r, maxRows, emit)
		default:
			fatal = &ValidationError{Kind: kind, Fields: []FieldError{{Field: "format", Code: "oneof", Param: "CSV JSONLines", Value: fmt.Sprint(o.Format)}}}
		}
		if fatal == nil && len(cur) > 0 {
			send()
		}
	}()

	now := l.s.now()
	// With a store that takes a stream (and one transaction, no merging),
	// each block's records go to the store as soon as they are encoded, so
	// the store writes while the next block is read and checked; a bad row
	// (without Partial) aborts the stream and nothing is written.
	var w *importWriter
	if sc, ok := l.s.store.(driver.StreamCreator); ok && o.BatchSize <= 0 && o.OnDuplicate != DuplicateMerge {
		w = startImportWriter(ctx, sc)
		defer w.abort()
	}
	// Rows are normalized and validated on all cores by a stage of their
	// own, so that the row-order work below overlaps the next block's.
	var procs atomic.Int32 // goroutines preparing and encoding a block
	procs.Store(int32(runtime.GOMAXPROCS(0)))
	batch := rep.Batch
	go func() {
		defer close(prepped)
		defer func() {
			for range blocks { // the reader stops at done; wait for it
			}
		}()
		for rows := range blocks {
			parallelOn(int(procs.Load()), len(rows), func(i int) {
				ir := rows[i]
				if rowUnreadable(ir.parseErrs) {
					return // its fields were not read: checking them would report them all missing
				}
				ir.v, ir.prepErr = prepare(l.s, applyDefaults(ir.v, &o, batch))
				if ir.prepErr == nil {
					ir.key = keyOf(ir.v)
				}
			})
			select {
			case prepped <- rows:
			case <-done:
				return
			}
		}
	}()
	refs := &orgChecker{s: l.s}
	storedKeys := map[string]string{} // key -> ID of a stored record
	var good []*importRow[T]          // rows to write (when streaming, only the current block's)
	byKey := map[string]dupOf[T]{}    // key -> first good row holding it
	var created []string              // IDs streamed to the store
	read := 0
	for rows := range prepped {
		if o.Progress != nil {
			o.Progress(Progress{Phase: "validate", Done: read})
		}
		read += len(rows)
		rep.Rows += len(rows)
		if err := ctx.Err(); err != nil {
			return rep, wrap("import", kind, "", err)
		}
		keys := make([]string, 0, len(rows))
		for _, ir := range rows {
			if ir.key != "" {
				keys = append(keys, ir.key)
			}
		}
		found, err := findKeys(ctx, l.s.store, string(kind), keys)
		if err != nil {
			return rep, wrap("import", kind, "", err)
		}
		for k, id := range found {
			storedKeys[k] = id
		}
		// Check access and references, stamp and find duplicates, in row order.
		first := len(good)
		for _, ir := range rows {
			if len(ir.parseErrs) > 0 || ir.prepErr != nil {
				addRowErrs(rep, ir.row, ir.parseErrs, ir.prepErr)
				continue
			}
			if err := admitNew(p, ir.v, writeOpts{}); err != nil {
				addRowErr(rep, ir.row, err)
				continue
			}
			if err := refs.check(ctx, ir.v); err != nil {
				addRowErr(rep, ir.row, err)
				continue
			}
			stamp(l.s, p, &ir.v, now)
			if ir.key != "" {
				if d, dup := byKey[ir.key]; dup {
					if o.OnDuplicate == DuplicateMerge {
						merged, err := mergeRecords(l.s, d.ir.v, ir.v)
						if err != nil {
							addRowErr(rep, ir.row, err)
						} else {
							d.ir.v, d.ir.encoded = merged, false
						}
					} else {
						rep.Duplicates = append(rep.Duplicates, Duplicate{Row: ir.row, Of: fmt.Sprintf("row %d", d.row)})
					}
					continue
				}
				if id, ok := storedKeys[ir.key]; ok {
					if o.OnDuplicate == DuplicateReport {
						rep.Duplicates = append(rep.Duplicates, Duplicate{Row: ir.row, Of: id})
						continue
					}
					ir.merge = id
				}
				d := dupOf[T]{row: ir.row}
				if w == nil {
					d.ir = ir
				}
				byKey[ir.key] = d
			}
			good = append(good, ir)
		}
		// Encode the block's new records while the next block is read.
		fresh := good[first:]
		errs := make([]error, len(fresh))
		parallelOn(int(procs.Load()), len(fresh), func(i int) {
			if ir := fresh[i]; ir.merge == "" {
				ir.rec, errs[i] = encodeRecord(&ir.v)
				ir.encoded = errs[i] == nil
			}
		})
		if err := errors.Join(errs...); err != nil {
			return rep, wrap("import", kind, "", err)
		}
		if w == nil {
			continue
		}
		if len(rep.Errors) > 0 && !o.Partial {
			// Nothing will be written: stop the stream and go on reading
			// only to report every bad row.
			w.abort()
			w, good = nil, nil
			continue
		}
		b := driver.Batch{Records: make([]driver.Record, len(good)), Events: make([]driver.Event, len(good))}
		for i, ir := range good {
			b.Records[i] = ir.rec
			b.Events[i] = importedEvent(p, ir.rec)
			created = append(created, ir.rec.ID)
		}
		clear(good) // the rows' values are no longer needed
		good = good[:0]
		sent := time.Now()
		if err := w.send(b); err != nil {
			return rep, wrap("import", kind, "", err)
		}
		// When the store is slower than the checking (it was still busy
		// with the last block), leave it a processor of its own: sharing
		// one with the checkers slows the writer, which sets the pace.
		if time.Since(sent) > time.Millisecond {
			procs.Store(int32(max(1, runtime.GOMAXPROCS(0)-1)))
		} else {
			procs.Store(int32(runtime.GOMAXPROCS(0)))
		}
	}
	if fatal != nil {
		var ve *ValidationError
		if errors.As(fatal, &ve) {
			rep.Errors = append(rep.Errors, ve.Fields...)
		}
		return rep, wrap("import", kind, "", fatal)
	}
	if err := ctx.Err(); err != nil {
		return rep, wrap("import", kind, "", err)
	}
	if o.Progress != nil {
		o.Progress(Progress{Phase: "validate", Done: rep.Rows, Total: rep.Rows})
	}
	if len(rep.Errors) > 0 && !o.Partial {
		return rep, wrap("import", kind, "", &ValidationError{Kind: kind, Fields: rep.Errors})
	}
	if w != nil {
		if err := w.commit(); err != nil {
			return rep, wrap("import", kind, "", err)
		}
		rep.Created = created
		if o.Progress != nil {
			o.Progress(Progress{Phase: "write", Done: len(created), Total: len(created)})
		}
		return rep, nil
	}
	return rep, wrap("import", kind, "", l.writeImport(ctx, p, good, &o, rep))
}

// dupOf is the first row of an import holding a de-duplication key: its
// row number and, unless it was streamed to the store already, the row.
type dupOf[T any] struct {
	row int
	ir  *importRow[T]
}

func importedEvent(p Principal, r driver.Record) driver.Event {
	return driver.Event{Kind: r.Kind, RecordID: r.ID, Type: "imported", Actor: p.ID, Time: r.Updated}
}

// importWriter runs a driver.StreamCreator on its own goroutine and feeds
// it the import's batches.
type importWriter struct {
	batches chan driver.Batch
	done    chan struct{} // closed when CreateStream has returned
	err     error         // CreateStream's result, once done is closed
	failed  error         // yielded after the batches when the import fails
	closed  bool
}

// errImportAborted ends a stream whose import failed; nobody sees it.
var errImportAborted = errors.New("import aborted")

func startImportWriter(ctx context.Context, sc driver.StreamCreator) *importWriter {
	w := &importWriter{batches: make(chan driver.Batch, 1), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		w.err = sc.CreateStream(ctx, func(yield func(driver.Batch, error) bool) {
			for b := range w.batches {
				if !yield(b, nil) {
					return
				}
			}
			if w.failed != nil {
				yield(driver.Batch{}, w.failed)
			}
		})
	}()
	return w
}

// send hands the store a batch; it fails when the store has stopped.
func (w *importWriter) send(b driver.Batch) error {
	select {
	case w.batches <- b:
		return nil
	case <-w.done:
		if w.err == nil {
			return errImportAborted
		}
		return w.err
	}
}

// commit ends the stream and waits for the store's commit.
func (w *importWriter) commit() error {
	w.closed = true
	close(w.batches)
	<-w.done
	return w.err
}

// abort ends the stream with an error, so that the store writes nothing,
// and waits for it. It does nothing after commit or abort.
func (w *importWriter) abort() {
	if w == nil || w.closed {
		return
	}
	w.closed = true
	w.failed = errImportAborted
	close(w.batches)
	<-w.done
}

// addRowErrs reports a row's read errors and its validation errors; a
// field already reported while reading is not reported again.
func addRowErrs(rep *ImportReport, row int, read []FieldError, err error) {
	seen := map[string]bool{}
	for _, f := range read {
		f.Row = row
		seen[f.Field] = true
		rep.Errors = append(rep.Errors, f)
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			if !seen[f.Field] {
				f.Row = row
				rep.Errors = append(rep.Errors, f)
			}
		}
	} else if err != nil {
		rep.Errors = append(rep.Errors, FieldError{Row: row, Code: "invalid", Value: err.Error()})
	}
}

func addRowErr(rep *ImportReport, row int, err error) {
	var ve *ValidationError
	if errors.As(err, &ve) {
		for _, f := range ve.Fields {
			f.Row = row
			rep.Errors = append(rep.Errors, f)
		}
		return
	}
	rep.Errors = append(rep.Errors, FieldError{Row: row, Code: "invalid", Value: err.Error()})
}

// rowUnreadable reports whether a row's read errors concern the whole row
// (a malformed line), so that its fields were never read.
func rowUnreadable(errs []FieldError) bool {
	for _, f := range errs {
		if f.Field == "row" {
			return true
		}
	}
	return false
}

// keyOf is a record's de-duplication key, if its type has one.
func keyOf(v any) string {
	if k, ok := v.(Keyed); ok {
		return k.DedupKey()
	}
	return ""
}

func applyDefaults[T Record](v T, o *ImportOptions, batch string) T {
	m := metaOf(&v)
	pv := &m.Provenance
	if pv.Batch == "" {
		pv.Batch = batch
	}
	if pv.Society == "" {
		pv.Society = o.Provenance.Society
	}
	if pv.Broker == "" {
		pv.Broker = o.Provenance.Broker
	}
	if pv.Source == "" {
		pv.Source = o.Provenance.Source
	}
	if pv.AddedBy == "" {
		pv.AddedBy = o.Provenance.AddedBy
	}
	if m.Broker == "" {
		m.Broker = o.Broker
	}
	return v
}

// orgChecker checks an import's references to organizations against the
// registry (as Tx.checkOrgRefs does for one record), remembering what it
// has looked up.
type orgChecker struct {
	s     *System
	state int // 0 unknown, 1 the registry is empty, 2 it has organizations
	known map[string]bool
}

func (c *orgChecker) check(ctx context.Context, v Record) error {
	if c.state == 0 {
		recs, err := c.s.store.List(ctx, driver.Query{Kind: string(KindOrganization), Limit: 1})
		if err != nil {
			return err
		}
		c.state, c.known = 1, map[string]bool{}
		if len(recs) > 0 {
			c.state = 2
		}
	}
	if c.state == 1 || !c.s.hasOrgIDs(reflect.TypeOf(v)) {
		return nil
	}
	var ids []orgtag.Field
	c.s.orgTags.Walk(v, func(f orgtag.Field) {
		if f.Mode == orgtag.ID && f.Val.String() != "" {
			ids = append(ids, f)
		}
	})
	ch := &Check{}
	for _, f := range ids {
		id := f.Val.String()
		ok, seen := c.known[id]
		if !seen {
			_, err := c.s.store.Get(ctx, string(KindOrganization), id)
			if err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
			ok = err == nil
			c.known[id] = ok
		}
		if !ok {
			ch.Add(f.Path, "ref", "organization", id)
		}
	}
	return ch.Err(v.RecordKind())
}

// writeImport writes checked, stamped rows in transactions of
// o.BatchSize rows (all in one when 0), creating new records and merging
// duplicates into stored ones.
func (l *Library[T]) writeImport(ctx context.Context, p Principal, rows []*importRow[T], o *ImportOptions, rep *ImportReport) error {
	size := o.BatchSize
	if size <= 0 {
		size = len(rows)
	}
	for start := 0; start < len(rows); start += size {
		chunk := rows[start:min(start+size, len(rows))]
		var created, merged []string
		err := l.s.Update(ctx, func(tx *Tx) error {
			created, merged = created[:0], merged[:0]
			for _, r := range chunk {
				if r.merge == "" {
					v, err := createPrepared(tx, p, r.v, writeOpts{event: "imported"})
					if err != nil {
						return fmt.Errorf("row %d: %w", r.row, err)
					}
					created = append(created, v.RecordMeta().ID)
					continue
				}
				old, err := Read[T](tx, r.merge)
				if err != nil {
					return fmt.Errorf("row %d: %w", r.row, err)
				}
				v, err := mergeRecords(l.s, old, r.v)
				if err == nil {
					_, err = Replace(tx, p, v, Logged("merged", nil))
				}
				if err != nil {
					return fmt.Errorf("row %d: %w", r.row, err)
				}
				merged = append(merged, r.merge)
			}
			return nil
		})
		if err != nil {
			return err
		}
		rep.Created = append(rep.Created, created...)
		rep.Merged = append(rep.Merged, merged...)
		if o.Progress != nil {
			o.Progress(Progress{Phase: "write", Done: start + len(chunk), Total: len(rows)})
		}
	}
	return nil
}

// mergeRecords fills old's empty fields from newer and unites lists,
// keeping old's identity and provenance; the result is checked again.
func mergeRecords[T Record](s *System, old, newer T) (T, error) {
	var zero T
	var a, b map[string]any
	if err := jsonRoundTrip(old, &a); err != nil {
		return zero, err
	}
	if err := jsonRoundTrip(newer, &b); err != nil {
		return zero, err
	}
	for k, nv := range b {
		switch k {
		case "id", "version", "created", "updated", "provenance":
			continue
		}
		ov, ok := a[k]
		if !ok || isEmptyJSON(ov) {
			a[k] = nv
			continue
		}
		if ol, ok := ov.([]any); ok {
			if nl, ok := nv.([]any); ok {
				a[k] = append(ol, nl...)
			}
		}
	}
	var out T
	if err := jsonRoundTrip(a, &out); err != nil {
		return zero, err
	}
	m, om := metaOf(&out), old.RecordMeta()
	m.ID, m.Version, m.Created, m.Updated, m.Provenance = om.ID, om.Version, om.Created, om.Updated, om.Provenance
	return prepare(s, out)
}

func jsonRoundTrip(in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

func isEmptyJSON(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == "" || x == "0"
	case float64:
		return x == 0
	case []any:
		return len(x) == 0
	case map[string]any:
		for _, e := range x {
			if !isEmptyJSON(e) {
				return false
			}
		}
		return true
	}
	return false
}

// readCSV parses CSV rows into records of type T. Errors that concern the
// whole input (no header, unknown column) are returned; row errors go to emit.
func readCSV[T Record](r io.Reader, maxRows int, emit func(int, T, []FieldError) bool) error {
	var zero T
	kind := zero.RecordKind()
	c, ok := any(zero).(columnar[T])
	if !ok {
		return invalid(kind, FieldError{Field: "format", Code: "oneof", Param: "JSONLines", Value: "CSV"})
	}
	cols := c.columns()
	cr := csv.NewReader(bufio.NewReader(r))
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		return &ValidationError{Kind: kind, Fields: []FieldError{{Row: 1, Field: "header", Code: "required"}}}
	}
	if err != nil {
		return &ValidationError{Kind: kind, Fields: []FieldError{{Row: 1, Field: "header", Code: "malformed", Param: "CSV", Value: err.Error()}}}
	}
	setters := make([]setter[T], len(header))
	names := make([]string, len(header))
	var bad []FieldError
	seen := map[string]bool{}
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF")
		}
		h = normEnum(h)
		names[i] = h
		if seen[h] {
			bad = append(bad, FieldError{Row: 1, Field: h, Code: "unique", Value: h})
		}
		seen[h] = true
		f, ok := cols[h]
		if !ok {
			bad = append(bad, FieldError{Row: 1, Field: h, Code: "unknown_field"})
		}
		setters[i] = f
	}
	if len(bad) > 0 {
		return &ValidationError{Kind: kind, Fields: bad}
	}
	for n := 0; ; n++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		line := 0
		if err == nil {
			line, _ = cr.FieldPos(0)
		}
		if n >= maxRows {
			return &ValidationError{Kind: kind, Fields: []FieldError{{Row: line, Field: "rows", Code: "max", Param: itoa(maxRows), Value: itoa(n + 1)}}}
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.StartLine
			} else {
				return &ValidationError{Kind: kind, Fields: []FieldError{{Row: line, Field: "input", Code: "malformed", Param: "CSV", Value: err.Error()}}}
			}
			// The reader cannot be trusted to resynchronize after a quoting
			// error: report the row and stop reading.
			var v T
			emit(line, v, []FieldError{{Field: "row", Code: "malformed", Param: "CSV", Value: err.Error()}})
			return nil
		}
		var v T
		c := &Check{}
		if len(rec) != len(header) {
			c.Add("row", "malformed", "CSV", fmt.Sprintf("%d fields, header has %d", len(rec), len(header)))
		} else {
			for i, cell := range rec {
				if !utf8.ValidString(cell) {
					c.Add(names[i], "malformed", "UTF-8 text", strings.ToValidUTF8(cell, "\uFFFD"))
					continue
				}
				setters[i](&v, cell, c)
			}
		}
		if !emit(line, v, c.errs) {
			return nil
		}
	}
}

// readJSONL parses one JSON object per line. Each field is decoded on its
// own so that an error names the field.
func readJSONL[T Record](r io.Reader, maxRows int, emit func(int, T, []FieldError) bool) error {
	var zero T
	kind := zero.RecordKind()
	fields := jsonFields(reflect.TypeOf(zero))
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 4<<20)
	line, n := 0, 0
	for sc.Scan() {
		line++
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if n >= maxRows {
			return &ValidationError{Kind: kind, Fields: []FieldError{{Row: line, Field: "rows", Code: "max", Param: itoa(maxRows), Value: itoa(n + 1)}}}
		}
		n++
		var v T
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(b, &obj); err != nil || obj == nil {
			msg := "not a JSON object"
			if err != nil {
				msg = err.Error()
			}
			if !emit(line, v, []FieldError{{Field: "row", Code: "malformed", Param: "JSON", Value: msg}}) {
				return nil
			}
			continue
		}
		c := &Check{}
		rv := reflect.ValueOf(&v).Elem()
		for name, raw := range obj {
			idx, ok := fields[name]
			if !ok {
				c.Add(name, "unknown_field", "", "")
				continue
			}
			f := rv.FieldByIndex(idx)
			if err := json.Unmarshal(raw, f.Addr().Interface()); err != nil {
				c.Add(name, "malformed", jsonTypeName(f.Type()), string(raw))
				f.SetZero()
			}
		}
		sortFieldErrors(c.errs)
		if !emit(line, v, c.errs) {
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return &ValidationError{Kind: kind, Fields: []FieldError{{Row: line + 1, Field: "row", Code: "malformed", Param: "JSON Lines", Value: err.Error()}}}
	}
	return nil
}

// jsonFields maps JSON names to field indexes, following embedded structs.
func jsonFields(t reflect.Type) map[string][]int {
	out := map[string][]int{}
	var walk func(t reflect.Type, prefix []int)
	walk = func(t reflect.Type, prefix []int) {
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			idx := append(append([]int(nil), prefix...), i)
			if f.Anonymous && f.Type.Kind() == reflect.Struct {
				walk(f.Type, idx)
				continue
			}
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			out[name] = idx
		}
	}
	walk(t, nil)
	return out
}

func sortFieldErrors(errs []FieldError) {
	for i := 1; i < len(errs); i++ {
		for j := i; j > 0 && errs[j].Field < errs[j-1].Field; j-- {
			errs[j], errs[j-1] = errs[j-1], errs[j]
		}
	}
}

// parallelOn is parallel on up to procs goroutines.
func parallelOn(procs, n int, fn func(i int)) {
	workers := min(procs, n/64+1)
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	per := (n + workers - 1) / workers
	for w := 0; w < workers; w++ {
		lo, hi := w*per, min((w+1)*per, n)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := lo; i < hi; i++ {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// findKeys returns, for each key held by a stored record of the kind, the
// smallest such ID: in one call when the store is a driver.KeyFinder, else
// with one List per key.
func findKeys(ctx context.Context, st driver.Store, kind string, keys []string) (map[string]string, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	if kf, ok := st.(driver.KeyFinder); ok {
		return kf.FindKeys(ctx, kind, keys)
	}
	out := map[string]string{}
	for _, k := range keys {
		recs, err := st.List(ctx, driver.Query{Kind: kind, Key: k, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(recs) > 0 {
			out[k] = recs[0].ID
		}
	}
	return out, nil
}

// jsonTypeName says in a reader's words what a JSON field of type t holds,
// for "is not a valid …" messages.
func jsonTypeName(t reflect.Type) string {
	switch t {
	case reflect.TypeFor[decimal.Decimal]():
		return `amount (a number, e.g. "1200000.00")`
	case reflect.TypeFor[time.Time]():
		return "date and time (RFC 3339)"
	}
	switch t.Kind() {
	case reflect.String:
		return "text"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.String {
			return "list of texts"
		}
		return "list"
	}
	return "object"
}
