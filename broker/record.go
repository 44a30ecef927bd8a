package broker

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/internal/textnorm"
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

// Record is what every stored record type implements: a struct that embeds
// Meta (which provides RecordMeta) and names its kind with a method on the
// value. That is all a type needs to be stored, read, listed and audited
// through a Library or a transaction:
//
//	type Listing struct {
//		broker.Meta
//		Title string `json:"title" validate:"required,max=300"`
//	}
//
//	func (Listing) RecordKind() broker.Kind { return "listing" }
//
// The record is stored as its JSON encoding; its struct tags are checked by
// the System's validator on every write. Optional behaviour comes through
// the optional interfaces below (Normalizer, Validator, Redactor, Owned,
// Assigned, Keyed, Staged, Classed, Tiered, Guarded); the org struct tag marks fields
// that name organizations (see OrgRef).
type Record interface {
	RecordKind() Kind
	RecordMeta() Meta
}

// Normalizer is implemented by records with a stored form: Normalized
// returns the record with its text folded, lists de-duplicated and defaults
// set. It runs before validation on every write and must be idempotent.
type Normalizer[T any] interface{ Normalized() T }

// Validator is implemented by records with checks beyond their struct
// tags; Validate adds every bad field to c.
type Validator interface{ Validate(c *Check) }

// Redactor is implemented by records with a private part (contact data, a
// listing's confidential part): Redacted returns the record without it. It
// is applied to every record returned to a principal whom the access policy
// does not let see it (ActSeePrivate). Unredacted returns the record with
// the private part of stored: an update by such a principal keeps the
// stored private part rather than clearing it.
type Redactor[T any] interface {
	Redacted() T
	Unredacted(stored T) T
}

// Owned is implemented by records owned by organizations: OwnerOrgs lists
// their names or IDs. Principals acting for one of them own the record in
// the sense of the access policy.
type Owned interface{ OwnerOrgs() []string }

// Assigned is implemented by records assigned to people for work (a review
// panel to its seated experts, a score sheet to its author): Assignees
// lists their principal IDs. The policy's Assignee grant lets them through.
type Assigned interface{ Assignees() []string }

// Keyed is implemented by records with a de-duplication key (a hash of the
// normalized title and owner, the open case of a subject at a broker): the
// store indexes it (ListOptions.Key) and imports find duplicates by it.
type Keyed interface{ DedupKey() string }

// Staged is implemented by records with a status or stage, which the store
// indexes (ListOptions.Stage).
type Staged interface{ RecordStage() string }

// Classed is implemented by records to name the row of the access policy
// that governs them; a record without it is ClassProcess.
type Classed interface{ AccessClass() Class }

// Tiered is implemented by records whose visibility tier depends on their
// state (a draft listing is confidential whatever its Visibility). The
// policy applies Tier instead of Meta.Visibility.
type Tiered interface{ Tier() Visibility }

// Guarded is implemented by records with fields that a plain write may not
// set, because an operation owns them (a demand's status moves only through
// MoveDemand). GuardUpdate compares the record about to be written with the
// stored one — the zero value for a new record — and names each such field
// that differs. Writes by an operation (Via) are not guarded.
type Guarded[T any] interface{ GuardUpdate(stored T) []FieldError }

// RecordRef points at a stored record.
type RecordRef struct {
	Kind Kind   `json:"kind"`
	ID   string `json:"id"`
}

func (r RecordRef) String() string { return string(r.Kind) + ":" + r.ID }

// Ref returns the reference to a record.
func Ref(v Record) RecordRef { return RecordRef{Kind: v.RecordKind(), ID: v.RecordMeta().ID} }

func refOf[T Record](v *T) RecordRef { return RecordRef{Kind: (*v).RecordKind(), ID: metaOf(v).ID} }

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

// RecordMeta returns the record's Meta; every type embedding Meta has it.
func (m Meta) RecordMeta() Meta { return m }

// meta gives the System the embedded Meta to stamp (IDs, versions, times).
func (m *Meta) meta() *Meta { return m }

func (m *Meta) copy() Meta { return *m }

// normalize folds Meta's text fields and defaults Visibility to Public; the
// System calls it on every write, after the record's own Normalized.
func (m *Meta) normalize() {
	m.ID = textnorm.Text(m.ID)
	m.Broker = textnorm.Text(m.Broker)
	m.Region = textnorm.Text(m.Region)
	if m.Visibility == "" {
		m.Visibility = Public
	}
	p := &m.Provenance
	p.AddedBy, p.Society, p.Batch = textnorm.Text(p.AddedBy), textnorm.Text(p.Society), textnorm.Text(p.Batch)
	p.Broker, p.Source = textnorm.Text(p.Broker), textnorm.Text(p.Source)
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

func (r Readiness) check(c *Check, field string) {
	if r.Scale == "" && r.Level == 0 {
		return
	}
	max := r.Scale.Levels()
	if max == 0 {
		c.Add(field+".scale", "oneof", "nasa-trl eu-trl gbt-37264", string(r.Scale))
		return
	}
	if r.Level < 1 || r.Level > max {
		c.Add(field+".level", "level_range", string(r.Scale)+" 1–9", itoa(r.Level))
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
