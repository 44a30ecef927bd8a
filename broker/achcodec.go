package broker

import (
	"strconv"

	"github.com/kexie/techbroker/internal/jsonenc"
)

// A hand-written JSON encoder for Achievement, the record written most
// often (a bulk import encodes one per row). It produces exactly the bytes
// encoding/json produces for the same value: same field order, the same
// omitempty/omitzero rules, the same string escaping (package internal/jsonenc) and what the nested types'
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

// encodeJSON returns a's JSON encoding, as json.Marshal(a) does, in a
// buffer sized for it.
func (a *Achievement) encodeJSON() ([]byte, error) {
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
	b = jsonenc.AppendString(b, a.Title)
	b = appendAchOpt(b, `,"summary":`, a.Summary)
	b = appendAchOpt(b, `,"abstract":`, a.Abstract)
	if len(a.Keywords) > 0 {
		b = append(b, `,"keywords":`...)
		b = jsonenc.AppendStrings(b, a.Keywords)
	}
	if len(a.Disciplines) > 0 {
		b = append(b, `,"disciplines":`...)
		b = jsonenc.AppendStrings(b, a.Disciplines)
	}
	if len(a.IndustryCodes) > 0 {
		b = append(b, `,"industry_codes":`...)
		b = jsonenc.AppendStrings(b, a.IndustryCodes)
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
			b = jsonenc.AppendString(b, v.Name)
			b = appendAchOpt(b, `,"expert_id":`, v.ExpertID)
			b = append(b, `,"share":`...)
			b = jsonenc.AppendDecimal(b, v.Share)
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
			b = jsonenc.AppendString(b, string(m))
		}
		b = append(b, ']')
	}
	b = append(b, `,"asking_price":`...)
	b = jsonenc.AppendDecimal(b, a.AskingPrice)
	b = appendAchOpt(b, `,"pricing":`, string(a.Pricing))
	return append(b, '}'), nil
}

// appendAchMeta writes the opening brace and the embedded Meta's fields,
// which encoding/json puts first, and leaves the object open.
func appendAchMeta(b []byte, m *Meta) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	b = jsonenc.AppendString(b, m.ID)
	b = append(b, `,"version":`...)
	b = strconv.AppendInt(b, m.Version, 10)
	b = append(b, `,"created":`...)
	if b, err = jsonenc.AppendTime(b, m.Created); err != nil {
		return nil, err
	}
	b = append(b, `,"updated":`...)
	if b, err = jsonenc.AppendTime(b, m.Updated); err != nil {
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
	b = dropComma(b, n)
	return append(b, '}'), nil
}

func appendAchIPRight(b []byte, ip *IPRight) ([]byte, error) {
	b = append(b, `{"type":`...)
	b = jsonenc.AppendString(b, string(ip.Type))
	b = appendAchOpt(b, `,"number":`, ip.Number)
	b = appendAchOpt(b, `,"status":`, string(ip.Status))
	b = appendAchOpt(b, `,"territory":`, ip.Territory)
	if len(ip.Owners) > 0 {
		b = append(b, `,"owners":`...)
		b = jsonenc.AppendStrings(b, ip.Owners)
	}
	if len(ip.Shares) > 0 {
		b = append(b, `,"shares":[`...)
		for i, d := range ip.Shares {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsonenc.AppendDecimal(b, d)
		}
		b = append(b, ']')
	}
	if !ip.Expires.IsZero() {
		var err error
		b = append(b, `,"expires":`...)
		if b, err = jsonenc.AppendTime(b, ip.Expires); err != nil {
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
		b = jsonenc.AppendStrings(b, r.Evidence)
	}
	b = appendAchOpt(b, `,"assessor":`, r.Assessor)
	if !r.Date.IsZero() {
		var err error
		b = append(b, `,"date":`...)
		if b, err = jsonenc.AppendTime(b, r.Date); err != nil {
			return nil, err
		}
	}
	b = dropComma(b, n)
	return append(b, '}'), nil
}

// appendAchOpt writes key and s unless s is empty (omitempty).
func appendAchOpt(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	b = append(b, key...)
	return jsonenc.AppendString(b, s)
}

// dropComma removes the comma at b[n], where an object's first member
// began with one.
func dropComma(b []byte, n int) []byte {
	if len(b) > n && b[n] == ',' {
		copy(b[n:], b[n+1:])
		b = b[:len(b)-1]
	}
	return b
}
