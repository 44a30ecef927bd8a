package broker

import (
	"time"
)

// Demand is a record of the demand library (需求库): an enterprise's
// technology need, in its own words and, after diagnosis, as a technical
// specification. Its Status follows the closed loop 谋题 → 破题 → 解题:
// received → diagnosed → matching → resolved or unresolvable.
type Demand struct {
	Meta
	Enterprise   string `json:"enterprise" validate:"required,max=200" org:"name"`
	EnterpriseID string `json:"enterprise_id,omitempty" validate:"max=64" org:"id"`
	Title        string `json:"title" validate:"required,max=300"`
	// Problem is the need as the enterprise wrote it.
	Problem string `json:"problem" validate:"required,max=20000"`
	// Spec is the need rewritten as a technical specification by a broker.
	Spec          string   `json:"spec,omitempty" validate:"max=20000"`
	Keywords      []string `json:"keywords,omitempty" validate:"max=50,dive,max=100"`
	Disciplines   []string `json:"disciplines,omitempty" validate:"max=20,dive,max=32"`
	IndustryCodes []string `json:"industry_codes,omitempty" validate:"max=20,dive,max=32"`
	// MinReadiness is the lowest readiness the enterprise can take up.
	MinReadiness Readiness `json:"min_readiness"`
	// Budget in yuan; a zero Max means no upper limit.
	Budget   Range     `json:"budget"`
	Deadline time.Time `json:"deadline,omitzero"`

	Status       DemandStatus `json:"status,omitempty" validate:"omitempty,oneof=received diagnosed matching resolved unresolvable"`
	StatusReason string       `json:"status_reason,omitempty" validate:"max=2000"`
	ReceivedAt   time.Time    `json:"received_at,omitzero"`
	RespondedAt  time.Time    `json:"responded_at,omitzero"` // first response by a broker
	DiagnosedAt  time.Time    `json:"diagnosed_at,omitzero"`
	ResolvedAt   time.Time    `json:"resolved_at,omitzero"` // resolved or declared unresolvable
}

// DemandStatus is a demand's place in the closed loop.
type DemandStatus string

// Demand statuses.
const (
	DemandReceived     DemandStatus = "received"     // 谋题: collected
	DemandDiagnosed    DemandStatus = "diagnosed"    // 破题: rewritten as a technical spec
	DemandMatching     DemandStatus = "matching"     // being matched with achievements and experts
	DemandResolved     DemandStatus = "resolved"     // 解题
	DemandUnresolvable DemandStatus = "unresolvable" // closed without a solution, with a reason
)

func (Demand) RecordKind() Kind      { return KindDemand }
func (d Demand) RecordStage() string { return string(d.Status) }
func (Demand) AccessClass() Class    { return ClassDemand }
func (d Demand) DedupKey() string    { return dedupKey(d.Title, d.Enterprise) }
func (d Demand) OwnerOrgs() []string { return orgList(d.Enterprise, d.EnterpriseID) }

func (d Demand) Normalized() Demand {
	d.Meta.normalize()
	d.Enterprise = normText(d.Enterprise)
	d.EnterpriseID = normText(d.EnterpriseID)
	d.Title = normText(d.Title)
	d.Problem = normMultiline(d.Problem)
	d.Spec = normMultiline(d.Spec)
	d.Keywords = normList(d.Keywords)
	d.Disciplines = normCodes(d.Disciplines)
	d.IndustryCodes = normCodes(d.IndustryCodes)
	d.MinReadiness = d.MinReadiness.normalizedCopy()
	d.Status = DemandStatus(normEnum(string(d.Status)))
	if d.Status == "" {
		d.Status = DemandReceived
	}
	d.StatusReason = normMultiline(d.StatusReason)
	for _, t := range []*time.Time{&d.Deadline, &d.ReceivedAt, &d.RespondedAt, &d.DiagnosedAt, &d.ResolvedAt} {
		if !t.IsZero() {
			*t = t.UTC().Truncate(time.Microsecond)
		}
	}
	return d
}

func (d Demand) Validate(c *Check) {
	c.Disciplines("disciplines", d.Disciplines)
	c.Industries("industry_codes", d.IndustryCodes)
	d.MinReadiness.check(c, "min_readiness")
	n := len(c.errs)
	checkMoney(c, "budget.min", d.Budget.Min)
	checkMoney(c, "budget.max", d.Budget.Max)
	if len(c.errs) == n && !d.Budget.Max.IsZero() && d.Budget.Max.LessThan(d.Budget.Min) {
		c.Add("budget.max", "range_order", "budget.min "+d.Budget.Min.String(), d.Budget.Max.String())
	}
	if d.Status == DemandUnresolvable && d.StatusReason == "" {
		c.Add("status_reason", "required", "", "")
	}
}

// guardUpdate keeps the closed-loop fields out of plain updates: they change
// only through RespondDemand and MoveDemand, which guard and audit them.
// GuardUpdate keeps the closed loop's fields for MoveDemand: a new demand
// is received (an empty status means that), and a plain update changes
// neither its status, its status reason nor its timestamps.
func (d Demand) GuardUpdate(stored Demand) []FieldError {
	var out []FieldError
	if stored.Status == "" { // a new demand
		stored.Status = DemandReceived
	}
	if d.Status != stored.Status {
		out = append(out, FieldError{Field: "status", Code: "guarded", Param: "MoveDemand", Value: string(d.Status)})
	}
	if d.StatusReason != stored.StatusReason {
		out = append(out, FieldError{Field: "status_reason", Code: "guarded", Param: "MoveDemand"})
	}
	for _, f := range []struct {
		name     string
		old, new time.Time
	}{
		{"received_at", stored.ReceivedAt, d.ReceivedAt}, {"responded_at", stored.RespondedAt, d.RespondedAt},
		{"diagnosed_at", stored.DiagnosedAt, d.DiagnosedAt}, {"resolved_at", stored.ResolvedAt, d.ResolvedAt},
	} {
		if !f.old.Equal(f.new) {
			out = append(out, FieldError{Field: f.name, Code: "guarded", Param: "MoveDemand"})
		}
	}
	return out
}
