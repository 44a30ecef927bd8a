package broker

import (
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// A hand-written JSON encoder for the case hot path (a stage move encodes
// the case and its event). It produces exactly the bytes encoding/json
// produces for the same values; casecodec_internal_test.go checks that on
// random values, so the two cannot drift apart silently.

func appendCase(b []byte, c *Case) ([]byte, error) {
	var err error
	m := &c.Meta
	b = append(b, `{"id":`...)
	b = appendCaseString(b, m.ID)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, m.Version, 10)
	b = append(b, `,"created":`...)
	if b, err = appendCaseTime(b, m.Created); err != nil {
		return nil, err
	}
	b = append(b, `,"updated":`...)
	if b, err = appendCaseTime(b, m.Updated); err != nil {
		return nil, err
	}
	b = appendCaseOpt(b, `,"broker":`, m.Broker)
	b = appendCaseOpt(b, `,"visibility":`, string(m.Visibility))
	b = appendCaseOpt(b, `,"region":`, m.Region)
	p := &m.Provenance
	b = append(b, `,"provenance":{`...)
	n := len(b)
	b = appendCaseOpt(b, `,"added_by":`, p.AddedBy)
	b = appendCaseOpt(b, `,"society":`, p.Society)
	b = appendCaseOpt(b, `,"batch":`, p.Batch)
	b = appendCaseOpt(b, `,"broker":`, p.Broker)
	b = appendCaseOpt(b, `,"source":`, p.Source)
	b = dropCaseComma(b, n)
	b = append(b, `},"subject":{"kind":`...)
	b = appendCaseString(b, string(c.Subject.Kind))
	b = append(b, `,"id":`...)
	b = appendCaseString(b, c.Subject.ID)
	b = append(b, '}')
	b = appendCaseOpt(b, `,"title":`, c.Title)
	if len(c.Owners) > 0 {
		b = append(b, `,"owners":`...)
		b = appendCaseStrings(b, c.Owners)
	}
	b = append(b, `,"stage":`...)
	b = appendCaseString(b, string(c.Stage))
	b = append(b, `,"stage_since":`...)
	if b, err = appendCaseTime(b, c.StageSince); err != nil {
		return nil, err
	}
	if c.Screening != nil {
		b = append(b, `,"screening":`...)
		if b, err = appendVerdict(b, c.Screening); err != nil {
			return nil, err
		}
	}
	b = appendCaseOpt(b, `,"listing_ref":`, c.ListingRef)
	b = appendCaseOpt(b, `,"deal_ref":`, c.DealRef)
	b = appendCaseOpt(b, `,"reason":`, c.Reason)
	if len(c.Services) > 0 {
		b = append(b, `,"services":[`...)
		for i := range c.Services {
			if i > 0 {
				b = append(b, ',')
			}
			s := &c.Services[i]
			b = append(b, `{"code":`...)
			b = appendCaseString(b, s.Code)
			b = append(b, `,"name":`...)
			b = appendCaseString(b, s.Name)
			b = append(b, `,"fee":`...)
			fee, err := s.Fee.MarshalJSON()
			if err != nil {
				return nil, err
			}
			b = append(b, fee...)
			b = append(b, `,"at":`...)
			if b, err = appendCaseTime(b, s.At); err != nil {
				return nil, err
			}
			b = append(b, `,"by":`...)
			b = appendCaseString(b, s.By)
			b = appendCaseOpt(b, `,"note":`, s.Note)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if c.Source != (CaseSource{}) {
		b = append(b, `,"source":{`...)
		n := len(b)
		b = appendCaseOpt(b, `,"activity":`, c.Source.Activity)
		b = appendCaseOpt(b, `,"lead":`, c.Source.Lead)
		b = dropCaseComma(b, n)
		b = append(b, '}')
	}
	return append(b, '}'), nil
}

func appendStageEvent(b []byte, e *StageEvent) ([]byte, error) {
	b = append(b, '{')
	n := len(b)
	b = appendCaseOpt(b, `,"from":`, string(e.From))
	b = append(b, `,"to":`...)
	b = appendCaseString(b, string(e.To))
	b = appendCaseOpt(b, `,"reason":`, e.Reason)
	if len(e.Evidence) > 0 {
		b = append(b, `,"evidence":`...)
		b = appendCaseStrings(b, e.Evidence)
	}
	if e.Verdict != nil {
		var err error
		b = append(b, `,"verdict":`...)
		if b, err = appendVerdict(b, e.Verdict); err != nil {
			return nil, err
		}
	}
	b = appendCaseOpt(b, `,"listing_ref":`, e.ListingRef)
	b = appendCaseOpt(b, `,"deal_ref":`, e.DealRef)
	b = dropCaseComma(b, n)
	return append(b, '}'), nil
}

func appendVerdict(b []byte, v *ScreeningVerdict) ([]byte, error) {
	b = append(b, `{"passed":`...)
	b = strconv.AppendBool(b, v.Passed)
	if len(v.Panel) > 0 {
		b = append(b, `,"panel":`...)
		b = appendCaseStrings(b, v.Panel)
	}
	b = appendCaseOpt(b, `,"society":`, v.Society)
	if v.Score != 0 {
		if math.IsNaN(v.Score) || math.IsInf(v.Score, 0) {
			return nil, &ValidationError{Kind: KindCase, Fields: []FieldError{{Field: "verdict.score", Code: "malformed", Param: "number", Value: strconv.FormatFloat(v.Score, 'g', -1, 64)}}}
		}
		b = append(b, `,"score":`...)
		b = appendCaseFloat(b, v.Score)
	}
	b = appendCaseOpt(b, `,"summary":`, v.Summary)
	b = append(b, `,"ref":`...)
	b = appendCaseString(b, v.Ref)
	if !v.Date.IsZero() {
		var err error
		b = append(b, `,"date":`...)
		if b, err = appendCaseTime(b, v.Date); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// dropCaseComma removes the comma written at b[n] by the first of a run of
// optional fields, if any was written.
func dropCaseComma(b []byte, n int) []byte {
	if len(b) > n && b[n] == ',' {
		copy(b[n:], b[n+1:])
		b = b[:len(b)-1]
	}
	return b
}

func appendCaseOpt(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, key...)
	return appendCaseString(b, s)
}

func appendCaseStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendCaseString(b, s)
	}
	return append(b, ']')
}

func appendCaseTime(b []byte, t time.Time) ([]byte, error) {
	j, err := t.MarshalJSON()
	if err != nil {
		return nil, err
	}
	return append(b, j...), nil
}

// appendCaseFloat formats like encoding/json's float64 encoder.
func appendCaseFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9
		n := len(b)
		if n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

// appendCaseString quotes s as encoding/json does with HTML escaping on:
// invalid UTF-8 becomes U+FFFD; <, >, &, U+2028 and U+2029 are escaped.
func appendCaseString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
