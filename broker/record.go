package broker

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/shopspring/decimal"
)

// Kind names a kind of record, as stored.
type Kind string

// The record kinds of the three libraries and the industry brokers.
const (
	KindAchievement Kind = "achievement"
	KindDemand      Kind = "demand"
	KindExpert      Kind = "expert"
	KindBroker      Kind = "broker"
)

// Visibility is a record's visibility tier.
type Visibility string

// Visibility tiers. The zero value is treated as Public.
const (
	// Public records are seen by anyone, including anonymous callers.
	Public Visibility = "public"
	// Members records are seen by any signed-in principal of the platform.
	Members Visibility = "members"
	// Confidential records are seen only by their owner, the staff of the
	// handling industry broker and platform admins.
	Confidential Visibility = "confidential"
)

// Meta holds what every stored record carries. The System sets ID (when
// empty), Version, Created and Updated; callers set the rest.
type Meta struct {
	ID      string    `json:"id" validate:"omitempty,max=64,printascii"`
	Version int64     `json:"version"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`

	// Broker is the ID of the industry broker (样板间) handling the record;
	// empty until it is routed.
	Broker     string     `json:"broker,omitempty" validate:"max=64"`
	Visibility Visibility `json:"visibility,omitempty" validate:"omitempty,oneof=public members confidential"`
	// Region is an administrative region, e.g. "上海市杨浦区" or a GB/T 2260 code.
	Region     string     `json:"region,omitempty" validate:"max=64"`
	Provenance Provenance `json:"provenance"`
}

// Provenance records where a record came from.
type Provenance struct {
	AddedBy string `json:"added_by,omitempty" validate:"max=64"` // principal ID that created it
	Society string `json:"society,omitempty" validate:"max=64"`  // contributing academic society (学会)
	Batch   string `json:"batch,omitempty" validate:"max=64"`    // import batch ID
	Broker  string `json:"broker,omitempty" validate:"max=64"`   // industry broker that collected it
	Source  string `json:"source,omitempty" validate:"max=200"`  // free text: file name, URL, channel
}

func (m *Meta) normalize() {
	m.Broker = normText(m.Broker)
	m.Region = normText(m.Region)
	if m.Visibility == "" {
		m.Visibility = Public
	}
	p := &m.Provenance
	p.AddedBy, p.Society, p.Batch = normText(p.AddedBy), normText(p.Society), normText(p.Batch)
	p.Broker, p.Source = normText(p.Broker), normText(p.Source)
}

// Readiness is an assessed technology readiness: a level on a named scale,
// with the evidence behind it. Level 0 means "not assessed".
type Readiness struct {
	Scale    ReadinessScale `json:"scale,omitempty"`
	Level    int            `json:"level,omitempty"`
	Evidence []string       `json:"evidence,omitempty" validate:"max=50,dive,max=500"`
	Assessor string         `json:"assessor,omitempty" validate:"max=64"`
	Date     time.Time      `json:"date,omitzero"`
}

// ReadinessScale names a readiness scale. Package evaluation holds the
// scales' level descriptions and the assessment from evidence; here the scale
// only bounds the level.
type ReadinessScale string

// Known readiness scales.
const (
	// NASATRL is NASA's TRL 1–9 (NPR 7120.8).
	NASATRL ReadinessScale = "nasa-trl"
	// EUTRL is the EU Horizon TRL 1–9.
	EUTRL ReadinessScale = "eu-trl"
	// GBT37264 is GB/T 37264-2018 (new materials): 9 levels in 3 stages
	// (实验室 1–4, 工程化 5–7, 产业化 8–9).
	GBT37264 ReadinessScale = "gbt-37264"
)

// Levels returns the scale's highest level, or 0 for an unknown scale.
func (s ReadinessScale) Levels() int {
	switch s {
	case NASATRL, EUTRL, GBT37264:
		return 9
	}
	return 0
}

func (r Readiness) normalizedCopy() Readiness {
	r.Scale = ReadinessScale(normEnum(string(r.Scale)))
	r.Evidence = normList(r.Evidence)
	r.Assessor = normText(r.Assessor)
	if !r.Date.IsZero() {
		r.Date = r.Date.UTC().Truncate(time.Microsecond)
	}
	return r
}

func (r Readiness) check(c *checker, field string) {
	if r.Scale == "" && r.Level == 0 {
		return
	}
	max := r.Scale.Levels()
	if max == 0 {
		c.add(field+".scale", "oneof", "nasa-trl eu-trl gbt-37264", string(r.Scale))
		return
	}
	if r.Level < 1 || r.Level > max {
		c.add(field+".level", "level_range", string(r.Scale)+" 1–9", itoa(r.Level))
	}
}

// TransferMode is a way a result changes hands (Shanghai trading rules).
type TransferMode string

// Transfer modes.
const (
	ModeTransfer    TransferMode = "transfer"    // 技术转让
	ModeLicense     TransferMode = "license"     // 技术许可
	ModeInvestment  TransferMode = "investment"  // 作价投资
	ModeDevelopment TransferMode = "development" // 技术开发
	ModeService     TransferMode = "service"     // 技术服务
	ModeConsulting  TransferMode = "consulting"  // 技术咨询
)

// Range is a money range in CNY. A zero bound is "unset" only where the
// field's documentation says so.
type Range struct {
	Min decimal.Decimal `json:"min"`
	Max decimal.Decimal `json:"max"`
}

func lowerASCII(s string) string {
	i := 0
	for i < len(s) && (s[i] < 'A' || s[i] > 'Z') {
		i++
	}
	if i == len(s) {
		return s // nothing to lower: no copy
	}
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// dedupKey is the de-duplication key of a record: its normalized, case-folded
// title and owner, hashed to a fixed length.
func dedupKey(title, owner string) string {
	if title == "" {
		return ""
	}
	h := sha256.Sum256([]byte(foldKey(title) + "\x1f" + foldKey(owner)))
	return hex.EncodeToString(h[:16])
}

func orgList(name, id string) []string {
	switch {
	case name == "" && id == "":
		return nil
	case id == "":
		return []string{name}
	case name == "":
		return []string{id}
	}
	return []string{name, id}
}
