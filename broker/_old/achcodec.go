package broker

import (
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// A hand-written JSON encoder for Achievement, the record written most
// often (a bulk import encodes one per row). It produces exactly the bytes
// encoding/json produces for the same value: same field order, the same
// omitempty/omitzero rules, the same string escaping (text that needs any
// goes through appendCaseString in casecodec.go) and what the nested types'
// MarshalJSON methods write for time.Time and decimal.Decimal, without
// their allocations. achcodec_internal_test.go checks that on random values
// and on every rune, and fails when a struct it covers gains or loses a
// field, so the encoder and encoding/json cannot drift apart silently.

// achCodecFields returns, for each struct type of this package that
// appendAchievement writes field by field, the number of fields it knows.
// When a field is added to one of these types, write it in appendAchievement
// (or its helpers below) and update the count here;
// TestAchievementCodecKnowsEveryField fails until both agree with the type.
func achCodecFields() map[string]int {
	return map[string]int{
		"Achievement": 15, // Meta (embedded) and 14 own fields
		"Meta":        8,
		"Provenance":  5,
		"Inventor":    3,
		"IPRight":     7,
		"Readiness":   5,
	}
}

// encodeAchievement returns a's JSON encoding, as json.Marshal(a) does, in a
// buffer sized for it.
func encodeAchievement(a *Achievement) ([]byte, error) {
	return appendAchievement(make([]byte, 0, achievementSizeHint(a)), a)
}

// achievementSizeHint estimates the length of a's encoding from above for
// most records: its text plus room for keys, quotes, numbers and times.
// Escaped text can make the encoding longer; append then grows the buffer.
func achievementSizeHint(a *Achievement) int {
	p := &a.Provenance
	n := 400 + len(a.ID) + len(a.Broker) + len(a.Region) + len(p.AddedBy) + len(p.Society) + len(p.Batch) + len(p.Broker) + len(p.Source) +
		len(a.Title) + len(a.Summary) + len(a.Abstract) + len(a.Owner) + len(a.OwnerID) + len(a.Readiness.Assessor)
	for _, ss := range [...][]string{a.Keywords, a.Disciplines, a.IndustryCodes, a.Readiness.Evidence} {
		for _, s := range ss {
			n += len(s) + 3
		}
	}
	for i := range a.Inventors {
		n += 64 + len(a.Inventors[i].Name) + len(a.Inventors[i].ExpertID)
	}
	for i := range a.IPRights {
		ip := &a.IPRights[i]
		n += 160 + len(ip.Type) + len(ip.Number) + len(ip.Status) + len(ip.Territory) + 24*len(ip.Shares)
		for _, s := range ip.Owners {
			n += len(s) + 3
		}
	}
	for _, m := range a.TransferModes {
		n += len(m) + 3
	}
	return n
}

// appendAchievement appends a's JSON encoding, byte for byte what
// json.Marshal(a) produces, to b. It fails where json.Marshal fails: on a
// time outside the years 0–9999 or with an offset of 24 hours or more.
func appendAchievement(b []byte, a *Achievement) ([]byte, error) {
	var err error
	if b, err = appendAchMeta(b, &a.Meta); err != nil {
		return nil, err
	}
	b = append(b, `,"title":`...)
	b = appendAchString(b, a.Title)
	b = appendAchOpt(b, `,"summary":`, a.Summary)
	b = appendAchOpt(b, `,"abstract":`, a.Abstract)
	if len(a.Keywords) > 0 {
		b = append(b, `,"keywords":`...)
		b = appendAchStrings(b, a.Keywords)
	}
	if len(a.Disciplines) > 0 {
		b = append(b, `,"disciplines":`...)
		b = appendAchStrings(b, a.Disciplines)
	}
	if len(a.IndustryCodes) > 0 {
		b = append(b, `,"industry_codes":`...)
		b = appendAchStrings(b, a.IndustryCodes)
	}
	b = appendAchOpt(b, `,"owner":`, a.Owner)
	b = appendAchOpt(b, `,"owner_id":`, a.OwnerID)
	if len(a.Inventors) > 0 {
		b = append(b, `,"inventors":[`...)
		for i := range a.Inventors {
			if i > 0 {
				b = append(b, ',')
			}
			v := &a.Inventors[i]
			b = append(b, `{"name":`...)
			b = appendAchString(b, v.Name)
			b = appendAchOpt(b, `,"expert_id":`, v.ExpertID)
			b = append(b, `,"share":`...)
			b = appendAchDecimal(b, v.Share)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if len(a.IPRights) > 0 {
		b = append(b, `,"ip_rights":[`...)
		for i := range a.IPRights {
			if i > 0 {
				b = append(b, ',')
			}
			if b, err = appendAchIPRight(b, &a.IPRights[i]); err != nil {
				return nil, err
			}
		}
		b = append(b, ']')
	}
	b = append(b, `,"readiness":`...)
	if b, err = appendAchReadiness(b, &a.Readiness); err != nil {
		return nil, err
	}
	if len(a.TransferModes) > 0 {
		b = append(b, `,"transfer_modes":[`...)
		for i, m := range a.TransferModes {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAchString(b, string(m))
		}
		b = append(b, ']')
	}
	b = append(b, `,"asking_price":`...)
	b = appendAchDecimal(b, a.AskingPrice)
	b = appendAchOpt(b, `,"pricing":`, string(a.Pricing))
	return append(b, '}'), nil
}

// appendAchMeta writes the opening brace and the embedded Meta's fields,
// which encoding/json puts first, and leaves the object open.
func appendAchMeta(b []byte, m *Meta) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	b = appendAchString(b, m.ID)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, m.Version, 10)
	b = append(b, `,"created":`...)
	if b, err = appendAchTime(b, m.Created); err != nil {
		return nil, err
	}
	b = append(b, `,"updated":`...)
	if b, err = appendAchTime(b, m.Updated); err != nil {
		return nil, err
	}
	b = appendAchOpt(b, `,"broker":`, m.Broker)
	b = appendAchOpt(b, `,"visibility":`, string(m.Visibility))
	b = appendAchOpt(b, `,"region":`, m.Region)
	p := &m.Provenance
	b = append(b, `,"provenance":{`...)
	n := len(b)
	b = appendAchOpt(b, `,"added_by":`, p.AddedBy)
	b = appendAchOpt(b, `,"society":`, p.Society)
	b = appendAchOpt(b, `,"batch":`, p.Batch)
	b = appendAchOpt(b, `,"broker":`, p.Broker)
	b = appendAchOpt(b, `,"source":`, p.Source)
	b = dropCaseComma(b, n)
	return append(b, '}'), nil
}

func appendAchIPRight(b []byte, ip *IPRight) ([]byte, error) {
	b = append(b, `{"type":`...)
	b = appendAchString(b, string(ip.Type))
	b = appendAchOpt(b, `,"number":`, ip.Number)
	b = appendAchOpt(b, `,"status":`, string(ip.Status))
	b = appendAchOpt(b, `,"territory":`, ip.Territory)
	if len(ip.Owners) > 0 {
		b = append(b, `,"owners":`...)
		b = appendAchStrings(b, ip.Owners)
	}
	if len(ip.Shares) > 0 {
		b = append(b, `,"shares":[`...)
		for i, d := range ip.Shares {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendAchDecimal(b, d)
		}
		b = append(b, ']')
	}
	if !ip.Expires.IsZero() {
		var err error
		b = append(b, `,"expires":`...)
		if b, err = appendAchTime(b, ip.Expires); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendAchReadiness(b []byte, r *Readiness) ([]byte, error) {
	b = append(b, '{')
	n := len(b)
	b = appendAchOpt(b, `,"scale":`, string(r.Scale))
	if r.Level != 0 {
		b = append(b, `,"level":`...)
		b = strconv.AppendInt(b, int64(r.Level), 10)
	}
	if len(r.Evidence) > 0 {
		b = append(b, `,"evidence":`...)
		b = appendAchStrings(b, r.Evidence)
	}
	b = appendAchOpt(b, `,"assessor":`, r.Assessor)
	if !r.Date.IsZero() {
		var err error
		b = append(b, `,"date":`...)
		if b, err = appendAchTime(b, r.Date); err != nil {
			return nil, err
		}
	}
	b = dropCaseComma(b, n)
	return append(b, '}'), nil
}

// appendAchString quotes s as appendCaseString does. Text that needs no
// escaping — valid UTF-8 without control characters, quotes, backslashes,
// <, >, &, U+2028 or U+2029, as most text is — is checked in one quick pass
// (three-byte sequences such as CJK characters skip the general decoder)
// and copied in one piece; anything else goes through appendCaseString.
func appendAchString(b []byte, s string) []byte {
	if !achPlainString(s) {
		return appendCaseString(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

// achPlainString reports whether encoding/json writes s between quotes
// unchanged.
func achPlainString(s string) bool {
	// Bit c is set for the bytes c < 64 that need escaping.
	const escLow = 1<<0x20 - 1 | 1<<'"' | 1<<'&' | 1<<'<' | 1<<'>'
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 64 && escLow>>c&1 != 0 || c == '\\' {
				return false
			}
			i++
			continue
		}
		// Lead bytes E3–EC, EE, EF and any two continuation bytes are a
		// valid rune from U+3000 (not a surrogate, not U+2028/2029).
		if c >= 0xE3 && c <= 0xEF && c != 0xED && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 {
			i += 3
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size
	}
	return true
}

// appendAchOpt writes key and s unless s is empty (omitempty).
func appendAchOpt(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, key...)
	return appendAchString(b, s)
}

func appendAchStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendAchString(b, s)
	}
	return append(b, ']')
}

// appendAchTime writes t as time.Time.MarshalJSON does (a quoted RFC 3339
// time with nanoseconds), without its allocation: MarshalJSON is '"' +
// AppendText + '"', and both fail on the same times.
func appendAchTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	b, err := t.AppendText(b)
	if err != nil {
		return nil, err
	}
	return append(b, '"'), nil
}

// appendAchDecimal writes d as decimal.Decimal.MarshalJSON does: its
// String(), quoted. With the package's formatting knobs at their defaults
// (they are read here, never changed) and a coefficient of at most 18
// digits it formats the digits itself, as Decimal.String does, without
// allocating; otherwise it calls MarshalJSON.
func appendAchDecimal(b []byte, d decimal.Decimal) []byte {
	if decimal.MarshalJSONWithoutQuotes || !decimal.TrimTrailingZeros || decimal.UseScientificNotation || d.NumDigits() > 18 {
		j, _ := d.MarshalJSON() // never fails
		return append(b, j...)
	}
	c, exp := d.CoefficientInt64(), int(d.Exponent())
	b = append(b, '"')
	if c < 0 {
		b = append(b, '-')
	}
	u := uint64(c)
	if c < 0 {
		u = -u
	}
	switch {
	case exp == 0 || c == 0:
		b = strconv.AppendUint(b, u, 10)
	case exp > 0: // the integer c·10^exp
		b = strconv.AppendUint(b, u, 10)
		for range exp {
			b = append(b, '0')
		}
	default: // c·10^exp with the fraction's trailing zeros trimmed
		n := len(b)
		b = strconv.AppendUint(b, u, 10)
		digits := len(b) - n
		frac := -exp
		for frac > 0 && b[len(b)-1] == '0' { // trailing zeros of the fraction
			b = b[:len(b)-1]
			frac--
		}
		if frac > 0 {
			if digits > -exp { // an integer part: insert the point
				p := n + digits + exp
				b = append(b, 0)
				copy(b[p+1:], b[p:])
				b[p] = '.'
			} else { // 0.000ddd: insert "0." and the leading zeros
				lead := -exp - digits
				m := len(b) - n
				b = append(b, make([]byte, 2+lead)...)
				copy(b[n+2+lead:], b[n:n+m])
				b[n], b[n+1] = '0', '.'
				for i := range lead {
					b[n+2+i] = '0'
				}
			}
		} // else only zeros followed the point, and they are gone
	}
	return append(b, '"')
}
