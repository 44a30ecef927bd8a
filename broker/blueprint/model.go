package blueprint

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/policy"
)

// Model is the whole replicable model (可复制推广的样板间模式) as one
// declarative document: the system's name, region and code lists, its
// rooms (by sector or by place) with their standard service packages, the
// partners and their roles, the societies with their evaluation
// qualification and service teams, the staff roles, the scorecard scheme
// and the policy rules. Build creates all of it in a System; it
// round-trips through JSON (Parse, json.Marshal); Validate lists every
// error.
type Model struct {
	Name   string `json:"name"`
	NameEN string `json:"name_en,omitempty"`
	// Region is the district or city, RegionCode its GB/T 2260 code (the
	// federation's region code).
	Region     string `json:"region"`
	RegionCode string `json:"region_code"`
	// Exchange is the technology exchange the rooms list on; Oversight the
	// science association (科协) that oversees the model. Both are
	// partners too.
	Exchange  string `json:"exchange"`
	Oversight string `json:"oversight"`
	// Disciplines and IndustryCodes are the code lists the System accepts,
	// if given.
	Disciplines   []broker.Code `json:"disciplines,omitempty"`
	IndustryCodes []broker.Code `json:"industry_codes,omitempty"`
	Rooms         []Room        `json:"rooms"`
	Partners      []Partner     `json:"partners"`
	Societies     []Society     `json:"societies,omitempty"`
	StaffRoles    []StaffRole   `json:"staff_roles"`
	// Scorecard is the broker assessment scheme (技术券商考核体系).
	Scorecard *assessment.Scheme `json:"scorecard"`
	// Policies are the policy rules the platform applies to deals and
	// enterprises (subsidies, tax relief, rewards), if any.
	Policies *policy.RuleSet `json:"policies,omitempty"`
}

// Room is one model room (样板间): an industry broker desk defined by a
// sector (disciplines, industry codes, keywords) or by a place (Sector.Place
// and Sector.Streets: the 700米科创街区 on 大学路), its member units, when it
// opened, and its standard service package (标准服务产品包).
type Room struct {
	ID          string              `json:"id"`
	Name        string              `json:"name"`
	NameEN      string              `json:"name_en,omitempty"`
	Description string              `json:"description,omitempty"`
	Region      string              `json:"region,omitempty"`
	Sector      broker.Sector       `json:"sector"`
	Members     []broker.MemberUnit `json:"members,omitempty"`
	// Opened is when the room opened (共建); the zero date means with the
	// model.
	Opened  Date    `json:"opened,omitzero"`
	Package Package `json:"package"`
}

// Package is a room's standard service package: the services of the chain
// from collection to incubation, each with its fee.
type Package struct {
	Name     string               `json:"name"`
	Services []broker.ServiceItem `json:"services"`
}

// Partner roles in the model.
const (
	PartnerOversight       = "oversight"        // 区科协: leads and oversees the model
	PartnerExchange        = "exchange"         // 上海技术交易所: lists and trades, confirms deposits, posts 公示
	PartnerTransferCenter  = "transfer_center"  // 国家技术转移东部中心: co-builds rooms, trains brokers
	PartnerSciencePark     = "science_park"     // 大学科技园: incubates spin-offs
	PartnerParkAssociation = "park_association" // 园区科协: the parks' science associations
	PartnerOperator        = "operator"         // runs a room for the model, e.g. 上海创派 for the street block
	PartnerAlliance        = "alliance"         // an alliance of a room's members, e.g. 科创街区共创联盟
	PartnerDepartment      = "department"       // a department of a national body, e.g. 中国科协学会学术部

	partnerRoles = "oversight exchange transfer_center science_park park_association operator alliance department"
)

// Partner is an organization that takes part in the model, its role and
// what it does, the organization roles it holds in the registry, and the
// access role its people act as (Principal: oversight for the 科协,
// exchange_operator for the exchange; empty for those that act through
// others). Rooms, if given, are the rooms it serves.
type Partner struct {
	Name      string           `json:"name"`
	NameEN    string           `json:"name_en,omitempty"`
	Role      string           `json:"role"`
	OrgRoles  []broker.OrgRole `json:"org_roles,omitempty"`
	Principal broker.Role      `json:"principal,omitempty"`
	Duties    []string         `json:"duties,omitempty"`
	Rooms     []string         `json:"rooms,omitempty"`
}

// Society is an academic society docked onto the platform: its evaluation
// qualification (评估资质), if it has one, which lets its members sit on
// screening panels; its science and technology service teams (科技服务团);
// and the rooms it serves.
type Society struct {
	ID            string               `json:"id"`
	Name          string               `json:"name"`
	NameEN        string               `json:"name_en,omitempty"`
	Disciplines   []string             `json:"disciplines,omitempty"`
	Qualification *Qualification       `json:"qualification,omitempty"`
	Teams         []broker.ServiceTeam `json:"teams,omitempty"`
	Rooms         []string             `json:"rooms,omitempty"`
}

// Qualification is a society's evaluation qualification: the certificate
// or notice, and when it lapses.
type Qualification struct {
	Ref   string `json:"ref"`
	Until Date   `json:"until,omitzero"`
}

// StaffRole is a role people hold in the model: the name (技术经理人,
// 样板间负责人…), the access role they act as, the lowest technology
// manager grade it asks for (T/CASTEM 1007-2022), how many each room
// staffs, and the duties.
type StaffRole struct {
	ID        string       `json:"id"`
	Name      string       `json:"name"`
	NameEN    string       `json:"name_en,omitempty"`
	Principal broker.Role  `json:"principal"`
	Grade     broker.Grade `json:"grade,omitempty"`
	PerRoom   int          `json:"per_room,omitempty"`
	Duties    []string     `json:"duties,omitempty"`
}

// Date is a calendar date, written YYYY-MM-DD in JSON.
type Date struct{ time.Time }

// MakeDate returns the date y-m-d (UTC).
func MakeDate(y int, m time.Month, d int) Date { return Date{time.Date(y, m, d, 0, 0, 0, 0, time.UTC)} }

// MarshalJSON writes the date as "YYYY-MM-DD".
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.Format(time.DateOnly)) }

// UnmarshalJSON reads "YYYY-MM-DD".
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return fmt.Errorf("date %q: want YYYY-MM-DD", s)
	}
	d.Time = t
	return nil
}

// Kind names the model in validation errors.
const Kind broker.Kind = "blueprint_model"

//go:embed yangpu.json
var yangpuJSON []byte

// Yangpu returns the Yangpu model: the seven sector rooms of 2020–2021 and
// the place-based 700米科创街区 room on 大学路, the Shanghai Technology
// Exchange, the National Technology Transfer Center East, the university
// science park and the parks' science associations, the societies with
// evaluation qualification and their service teams, the staff roles, the
// 技术券商考核体系 (the default scorecard) and the policy rules. Each call
// returns a new copy.
func Yangpu() *Model {
	m, err := Parse(bytes.NewReader(yangpuJSON))
	if err != nil {
		panic("blueprint: embedded Yangpu model is invalid: " + err.Error()) // a build defect, caught by tests
	}
	return m
}

// Parse reads a model from JSON and validates it. Unknown fields are
// errors. A bad model returns a *broker.ValidationError (matching
// broker.ErrInvalid) listing every bad field.
func Parse(r io.Reader) (*Model, error) {
	dec := json.NewDecoder(io.LimitReader(r, 16<<20))
	dec.DisallowUnknownFields()
	var m Model
	if err := dec.Decode(&m); err != nil {
		field := ""
		var ute *json.UnmarshalTypeError
		if errors.As(err, &ute) {
			field = ute.Field
		}
		return nil, broker.Wrap("parse", Kind, "", &broker.ValidationError{Kind: Kind, Fields: []broker.FieldError{{Field: field, Code: "malformed", Param: "JSON", Value: err.Error()}}})
	}
	if dec.More() {
		return nil, broker.Wrap("parse", Kind, "", &broker.ValidationError{Kind: Kind, Fields: []broker.FieldError{{Code: "malformed", Param: "JSON", Value: "trailing data after the document"}}})
	}
	if err := m.Validate(); err != nil {
		return nil, broker.Wrap("parse", Kind, "", err)
	}
	return &m, nil
}

var regionCode = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// Validate checks the whole model and returns a *broker.ValidationError
// listing every problem, or nil: the names; the region code; the rooms
// (unique IDs, each a valid industry broker by sector or by place, its
// package with unique service codes and fees that are amounts); the
// partners (roles, organization roles, access roles, rooms that exist; one
// exchange and one oversight partner, named as the model names them); the
// societies (unique IDs, a qualification's reference, teams with regions,
// rooms that exist); the staff roles (unique IDs, access roles, grades);
// the scorecard (required, and valid: its own problems under
// "scorecard."); and the policy rules (under "policies.").
func (m *Model) Validate() error {
	c := &broker.Check{}
	required := func(field, v string) {
		if strings.TrimSpace(v) == "" {
			c.Add(field, "required", "", "")
		}
	}
	required("name", m.Name)
	required("region", m.Region)
	required("exchange", m.Exchange)
	required("oversight", m.Oversight)
	if !regionCode.MatchString(m.RegionCode) {
		c.Add("region_code", "malformed", "region code (ASCII letters, digits, - and _)", m.RegionCode)
	}
	// Rooms: the core validates each as an industry broker.
	if len(m.Rooms) == 0 {
		c.Add("rooms", "required", "", "")
	}
	if _, err := broker.LoadBlueprint(bytes.NewReader(m.coreJSON())); err != nil {
		var ve *broker.ValidationError
		if !errors.As(err, &ve) {
			c.Add("rooms", "invalid", "", err.Error())
		}
		for _, f := range fieldsOf(err) {
			if rest, ok := strings.CutPrefix(f.Field, "brokers"); ok {
				f.Field = "rooms" + rest
			}
			if f.Field == "rooms" && len(m.Rooms) == 0 {
				continue // said above
			}
			c.Add(f.Field, f.Code, f.Param, f.Value)
		}
	}
	rooms := map[string]bool{}
	for i, r := range m.Rooms {
		f := fmt.Sprintf("rooms[%d]", i)
		rooms[r.ID] = true
		if r.Sector.Place == "" && len(r.Sector.Disciplines)+len(r.Sector.IndustryCodes)+len(r.Sector.Keywords) == 0 {
			c.Add(f+".sector", "required", "", "a room is defined by a sector or by a place")
		}
		required(f+".package.name", r.Package.Name)
		if len(r.Package.Services) == 0 {
			c.Add(f+".package.services", "required", "", "")
		}
		codes := map[string]bool{}
		for j, s := range r.Package.Services {
			fs := fmt.Sprintf("%s.package.services[%d]", f, j)
			required(fs+".code", s.Code)
			required(fs+".name", s.Name)
			if codes[s.Code] {
				c.Add(fs+".code", "unique", "", s.Code)
			}
			codes[s.Code] = true
			c.Money(fs+".fee", s.Fee)
			if s.Fee.Sign() < 0 {
				c.Add(fs+".fee", "negative", "", s.Fee.String())
			}
		}
	}
	roomRefs := func(field string, ids []string) {
		for j, id := range ids {
			if !rooms[id] {
				c.Add(fmt.Sprintf("%s[%d]", field, j), "ref", "", id)
			}
		}
	}
	// Partners.
	hasRole := map[string]bool{}
	for i, p := range m.Partners {
		f := fmt.Sprintf("partners[%d]", i)
		required(f+".name", p.Name)
		if !slices.Contains(strings.Fields(partnerRoles), p.Role) {
			c.Add(f+".role", "oneof", partnerRoles, p.Role)
		}
		for j, r := range p.OrgRoles {
			if !slices.Contains(broker.OrgRoles(), r) {
				c.Add(fmt.Sprintf("%s.org_roles[%d]", f, j), "oneof", orgRoleNames(), string(r))
			}
		}
		if p.Principal != "" && (p.Principal == broker.RoleAnonymous || !slices.Contains(broker.Roles(), p.Principal)) {
			c.Add(f+".principal", "oneof", roleNames(), string(p.Principal))
		}
		roomRefs(f+".rooms", p.Rooms)
		switch p.Role {
		case PartnerExchange:
			hasRole[p.Role] = hasRole[p.Role] || p.Name == m.Exchange
		case PartnerOversight:
			hasRole[p.Role] = hasRole[p.Role] || p.Name == m.Oversight
		}
	}
	if !hasRole[PartnerExchange] && m.Exchange != "" {
		c.Add("partners", "invalid", "", "no exchange partner named "+m.Exchange)
	}
	if !hasRole[PartnerOversight] && m.Oversight != "" {
		c.Add("partners", "invalid", "", "no oversight partner named "+m.Oversight)
	}
	// Societies.
	socs := map[string]bool{}
	for i, s := range m.Societies {
		f := fmt.Sprintf("societies[%d]", i)
		required(f+".id", s.ID)
		required(f+".name", s.Name)
		if s.ID != "" && socs[s.ID] {
			c.Add(f+".id", "unique", "", s.ID)
		}
		socs[s.ID] = true
		if q := s.Qualification; q != nil {
			required(f+".qualification.ref", q.Ref)
		}
		for j, t := range s.Teams {
			ft := fmt.Sprintf("%s.teams[%d]", f, j)
			required(ft+".name", t.Name)
			if len(t.Regions) == 0 {
				c.Add(ft+".regions", "required", "", "")
			}
		}
		roomRefs(f+".rooms", s.Rooms)
	}
	// Staff roles.
	if len(m.StaffRoles) == 0 {
		c.Add("staff_roles", "required", "", "")
	}
	ids := map[string]bool{}
	for i, r := range m.StaffRoles {
		f := fmt.Sprintf("staff_roles[%d]", i)
		required(f+".id", r.ID)
		required(f+".name", r.Name)
		if r.ID != "" && ids[r.ID] {
			c.Add(f+".id", "unique", "", r.ID)
		}
		ids[r.ID] = true
		if r.Principal == broker.RoleAnonymous || !slices.Contains(broker.Roles(), r.Principal) {
			c.Add(f+".principal", "oneof", roleNames(), string(r.Principal))
		}
		if r.Grade != "" && !slices.Contains(broker.Grades(), r.Grade) {
			c.Add(f+".grade", "oneof", "junior intermediate senior", string(r.Grade))
		}
		if r.PerRoom < 0 {
			c.Add(f+".per_room", "negative", "", fmt.Sprint(r.PerRoom))
		}
	}
	// The scorecard and the policy rules, with their own problems.
	if m.Scorecard == nil {
		c.Add("scorecard", "required", "", "")
	} else if err := m.Scorecard.Validate(); err != nil {
		var ve *assessment.ValidationError
		if errors.As(err, &ve) {
			for _, p := range ve.Problems {
				c.Add("scorecard."+p.Field, "invalid", "", p.EN)
			}
		} else {
			c.Add("scorecard", "invalid", "", err.Error())
		}
	}
	if m.Policies != nil {
		if err := m.Policies.Validate(); err != nil {
			var pe policy.Errors
			if errors.As(err, &pe) {
				for _, e := range pe {
					c.Add("policies."+e.Path, "invalid", "", e.Msg)
				}
			} else {
				c.Add("policies", "invalid", "", err.Error())
			}
		}
	}
	return c.Err(Kind)
}

func fieldsOf(err error) []broker.FieldError {
	var ve *broker.ValidationError
	if errors.As(err, &ve) {
		return ve.Fields
	}
	return nil
}

func roleNames() string {
	var out []string
	for _, r := range broker.Roles() {
		if r != broker.RoleAnonymous {
			out = append(out, string(r))
		}
	}
	return strings.Join(out, " ")
}

func orgRoleNames() string {
	var out []string
	for _, r := range broker.OrgRoles() {
		out = append(out, string(r))
	}
	return strings.Join(out, " ")
}

// Core returns the core's blueprint of the model: its name, region,
// exchange, code lists and rooms as industry brokers (what broker.Build
// creates).
func (m *Model) Core() *broker.Blueprint {
	bp := &broker.Blueprint{Name: m.Name, NameEN: m.NameEN, Region: m.Region, Exchange: m.Exchange,
		Disciplines: m.Disciplines, IndustryCodes: m.IndustryCodes}
	for _, r := range m.Rooms {
		bp.Brokers = append(bp.Brokers, r.Broker())
	}
	return bp
}

// coreJSON is the core blueprint as JSON, for the core's validation.
func (m *Model) coreJSON() []byte {
	b, err := json.Marshal(m.Core())
	if err != nil {
		return []byte("{}") // cannot happen: the types marshal
	}
	return b
}

// Broker returns the room as the core's industry broker record.
func (r Room) Broker() broker.IndustryBroker {
	return broker.IndustryBroker{Meta: broker.Meta{ID: r.ID, Region: r.Region}, Name: r.Name, NameEN: r.NameEN,
		Description: r.Description, Sector: r.Sector, Members: r.Members}
}

// Room returns the room with that ID.
func (m *Model) Room(id string) (Room, bool) {
	for _, r := range m.Rooms {
		if r.ID == id {
			return r, true
		}
	}
	return Room{}, false
}

// OpenAt reports whether the room is open at t (opened on or before t's
// day, or with the model).
func (r Room) OpenAt(t time.Time) bool { return r.Opened.IsZero() || !t.Before(r.Opened.Time) }

// StaffRole returns the staff role with that ID.
func (m *Model) StaffRole(id string) (StaffRole, bool) {
	for _, r := range m.StaffRoles {
		if r.ID == id {
			return r, true
		}
	}
	return StaffRole{}, false
}

// PartnerOf returns the first partner of a role.
func (m *Model) PartnerOf(role string) (Partner, bool) {
	for _, p := range m.Partners {
		if p.Role == role {
			return p, true
		}
	}
	return Partner{}, false
}

// Clone returns a deep copy of the model (through JSON).
func (m *Model) Clone() *Model {
	b, err := json.Marshal(m)
	if err != nil {
		panic("blueprint: a model does not marshal: " + err.Error()) // cannot happen
	}
	var out Model
	if err := json.Unmarshal(b, &out); err != nil {
		panic("blueprint: a model does not unmarshal: " + err.Error())
	}
	return &out
}
