package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/kexie/techbroker/matching/assign"
)

// RowError is a bad row of an input file: the file, the 1-based row (the
// header is row 1), the field and the value at fault.
type RowError struct {
	File  string
	Row   int
	Field string // column name, "" when the row as a whole is wrong
	Value string
	Msg   string
}

func (e *RowError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: row %d", e.File, e.Row)
	if e.Field != "" {
		fmt.Fprintf(&b, ": %s %q", e.Field, e.Value)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	return b.String()
}

// pool is the explicit set of experts and items, with per-row loads and
// coverage. A nil *pool means the pool is whoever appears in the scores.
type pool struct {
	experts, items []string
	expertRow      map[string]int
	itemRow        map[string]int
	load           map[string][2]int // expert → min, max (both resolved)
	cover          map[string]int
	expertFile     string
	itemFile       string
}

// header reads and checks a CSV header: the first column is one of
// names[0] (alternatives separated by "|"), the others must follow in
// order and may be left out from the right. It returns the number of
// columns present.
func header(cr *csv.Reader, file string, names []string) (int, error) {
	rec, err := cr.Read()
	want := strings.Join(firstNames(names), ",")
	if err == io.EOF {
		return 0, &RowError{File: file, Row: 1, Msg: "empty file: want header " + want}
	}
	if err != nil {
		return 0, fmt.Errorf("%s: %w", file, err)
	}
	if len(rec) > len(names) {
		return 0, &RowError{File: file, Row: 1, Msg: fmt.Sprintf("header has %d columns, want at most %d (%s)", len(rec), len(names), want)}
	}
	for i, got := range rec {
		got = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(got, "\ufeff")))
		ok := false
		for _, n := range strings.Split(names[i], "|") {
			ok = ok || got == n
		}
		if !ok {
			alts := strings.Split(names[i], "|")
			for j, a := range alts {
				alts[j] = strconv.Quote(a)
			}
			return 0, &RowError{File: file, Row: 1, Field: fmt.Sprintf("column %d", i+1), Value: rec[i],
				Msg: fmt.Sprintf("want %s (header %s)", strings.Join(alts, " or "), want)}
		}
	}
	return len(rec), nil
}

func firstNames(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i], _, _ = strings.Cut(n, "|")
	}
	return out
}

// records reads the rows after the header; each has at most cols fields,
// missing trailing fields read as empty. row numbers count the header.
func records(cr *csv.Reader, file string, cols int, fn func(row int, rec []string) error) error {
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w", file, err) // csv.ParseError names the line
		}
		row, _ := cr.FieldPos(0)
		if len(rec) > cols {
			return &RowError{File: file, Row: row, Msg: fmt.Sprintf("%d fields, want at most %d", len(rec), cols)}
		}
		for len(rec) < cols {
			rec = append(rec, "")
		}
		for i := range rec {
			rec[i] = strings.TrimSpace(rec[i])
		}
		if err := fn(row, rec); err != nil {
			return err
		}
	}
}

func newReader(r io.Reader) *csv.Reader {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	return cr
}

// count parses an optional non-negative integer field; ok is false when
// the field is empty.
func count(file string, row int, field, raw string) (n int, ok bool, err error) {
	if raw == "" {
		return 0, false, nil
	}
	v, perr := strconv.Atoi(raw)
	if perr != nil || v < 0 || v > math.MaxInt32 {
		return 0, false, &RowError{File: file, Row: row, Field: field, Value: raw, Msg: "not a non-negative integer"}
	}
	return v, true, nil
}

// readExperts reads an experts file (header expert,min_load,max_load;
// "reviewer" is accepted for "expert"; the load columns, or the values of
// a row, may be left out, and then minLoad and maxLoad apply; a row giving
// only max_load gets min(minLoad, max_load) as its minimum).
func readExperts(r io.Reader, file string, minLoad, maxLoad int, p *pool) error {
	cr := newReader(r)
	cols, err := header(cr, file, []string{"expert|reviewer", "min_load", "max_load"})
	if err != nil {
		return err
	}
	p.expertFile = file
	p.expertRow = map[string]int{}
	p.load = map[string][2]int{}
	return records(cr, file, cols, func(row int, rec []string) error {
		id := rec[0]
		if id == "" {
			return &RowError{File: file, Row: row, Field: "expert", Value: id, Msg: "empty ID"}
		}
		if prev, ok := p.expertRow[id]; ok {
			return &RowError{File: file, Row: row, Field: "expert", Value: id, Msg: fmt.Sprintf("already listed in row %d", prev)}
		}
		p.expertRow[id] = row
		p.experts = append(p.experts, id)
		var lo, hi int
		var hasLo, hasHi bool
		if cols > 1 {
			if lo, hasLo, err = count(file, row, "min_load", rec[1]); err != nil {
				return err
			}
		}
		if cols > 2 {
			if hi, hasHi, err = count(file, row, "max_load", rec[2]); err != nil {
				return err
			}
		}
		switch {
		case !hasLo && !hasHi:
			return nil // the defaults
		case !hasHi:
			hi = maxLoad
			if lo > hi {
				return &RowError{File: file, Row: row, Field: "min_load", Value: rec[1],
					Msg: fmt.Sprintf("exceeds the default maximum load %d (-max-load)", maxLoad)}
			}
		case !hasLo:
			lo = min(minLoad, hi)
		case lo > hi:
			return &RowError{File: file, Row: row, Field: "min_load", Value: rec[1], Msg: fmt.Sprintf("exceeds max_load %d", hi)}
		}
		p.load[id] = [2]int{lo, hi}
		return nil
	})
}

// readItems reads an items file (header item,cover; "paper" is accepted
// for "item"; an empty or missing cover means the -cover default).
func readItems(r io.Reader, file string, p *pool) error {
	cr := newReader(r)
	cols, err := header(cr, file, []string{"item|paper", "cover"})
	if err != nil {
		return err
	}
	p.itemFile = file
	p.itemRow = map[string]int{}
	p.cover = map[string]int{}
	return records(cr, file, cols, func(row int, rec []string) error {
		id := rec[0]
		if id == "" {
			return &RowError{File: file, Row: row, Field: "item", Value: id, Msg: "empty ID"}
		}
		if prev, ok := p.itemRow[id]; ok {
			return &RowError{File: file, Row: row, Field: "item", Value: id, Msg: fmt.Sprintf("already listed in row %d", prev)}
		}
		p.itemRow[id] = row
		p.items = append(p.items, id)
		if cols > 1 {
			k, ok, err := count(file, row, "cover", rec[1])
			if err != nil {
				return err
			}
			if ok {
				p.cover[id] = k
			}
		}
		return nil
	})
}

// readScores parses the long-format scores CSV (header
// reviewer,paper,score or expert,item,score) into b. With a pool, every
// expert and item named must be in it. Errors name the file, row, field
// and value.
func readScores(r io.Reader, file string, b *assign.Builder, p *pool) error {
	cr := newReader(r)
	cols, err := header(cr, file, []string{"reviewer|expert", "paper|item", "score"})
	if err != nil {
		return err
	}
	if cols < 3 {
		return &RowError{File: file, Row: 1, Msg: "header has " + strconv.Itoa(cols) + " columns, want reviewer,paper,score or expert,item,score"}
	}
	seen := map[[2]string]int{}
	return records(cr, file, 3, func(row int, rec []string) error {
		expert, item, raw := rec[0], rec[1], rec[2]
		if expert == "" {
			return &RowError{File: file, Row: row, Field: "expert", Value: expert, Msg: "empty ID"}
		}
		if item == "" {
			return &RowError{File: file, Row: row, Field: "item", Value: item, Msg: "empty ID"}
		}
		if p != nil && p.expertRow != nil {
			if _, ok := p.expertRow[expert]; !ok {
				return &RowError{File: file, Row: row, Field: "expert", Value: expert, Msg: "not listed in " + p.expertFile}
			}
		}
		if p != nil && p.itemRow != nil {
			if _, ok := p.itemRow[item]; !ok {
				return &RowError{File: file, Row: row, Field: "item", Value: item, Msg: "not listed in " + p.itemFile}
			}
		}
		key := [2]string{expert, item}
		if prev, ok := seen[key]; ok {
			return &RowError{File: file, Row: row, Msg: fmt.Sprintf("pair (%s, %s) already given in row %d", expert, item, prev)}
		}
		seen[key] = row
		if low := strings.ToLower(raw); low == "conflict" || low == "-inf" {
			b.Forbid(expert, item, fmt.Sprintf("conflict (row %d)", row))
			return nil
		}
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return &RowError{File: file, Row: row, Field: "score", Value: raw, Msg: "not a finite number, -inf or conflict"}
		}
		b.SetAffinity(expert, item, v)
		return nil
	})
}
