package broker

import (
	"fmt"
	"slices"
	"strings"
	"sync"
)

// The access policy: who may do what to which record. It is one table of
// role × action × class × visibility tier (Rules), consulted by every read,
// every write, every List before its page is cut, and by every operation of
// the System and its feature packages, which name the action they perform
// (Via). Nothing else in the library decides access.

// Role is what a principal acts as.
type Role string

// Roles.
const (
	RoleAnonymous     Role = ""               // not signed in
	RolePlatformAdmin Role = "platform_admin" // runs the platform: sees and changes everything
	RoleBrokerStaff   Role = "broker_staff"   // staff of one industry broker (Principal.Broker)
	RoleSocietyAdmin  Role = "society_admin"  // admin of one academic society (Principal.Org)
	RoleExpert        Role = "expert"         // an expert (Principal.ID is their expert record ID)
	RoleEnterprise    Role = "enterprise"     // acts for one enterprise (Principal.Org)
	RoleInstitution   Role = "institution"    // acts for one university, hospital or institute (Principal.Org)
	RoleInvestor      Role = "investor"       // acts for one investor: a fund, an angel (Principal.Org: its organization ID)
	// RoleOversight is the science association (科协) and the government
	// overseeing the platform: it reads every record and trades nothing.
	RoleOversight Role = "oversight"
	// RoleExchangeOperator runs the technology exchange (上海技术交易所,
	// Principal.Org): it reads the exchange's records and confirms what the
	// exchange attests (ActConfirm).
	RoleExchangeOperator Role = "exchange_operator"
)

// Roles returns every role, anonymous first.
func Roles() []Role {
	return []Role{RoleAnonymous, RolePlatformAdmin, RoleBrokerStaff, RoleSocietyAdmin, RoleExpert, RoleEnterprise, RoleInstitution,
		RoleInvestor, RoleOversight, RoleExchangeOperator}
}

// Principal is who is acting. It is an explicit argument of every System
// call, never a context value. The zero Principal is anonymous: it reads
// public records only and writes nothing.
type Principal struct {
	ID     string // the acting person or service account
	Role   Role
	Broker string // industry broker ID, for RoleBrokerStaff
	Org    string // enterprise, institution or society the principal acts for
}

// Overseer returns a principal of the overseeing science association or
// government body (RoleOversight); ExchangeOperator one of the exchange's
// staff; InvestorUser one acting for an investor's organization.
func Overseer(id, body string) Principal { return Principal{ID: id, Role: RoleOversight, Org: body} }

// ExchangeOperator: see Overseer.
func ExchangeOperator(id, exchange string) Principal {
	return Principal{ID: id, Role: RoleExchangeOperator, Org: exchange}
}

// InvestorUser: see Overseer.
func InvestorUser(id, org string) Principal { return Principal{ID: id, Role: RoleInvestor, Org: org} }

// Anonymous returns the anonymous principal.
func Anonymous() Principal { return Principal{} }

// PlatformAdmin returns a platform admin principal.
func PlatformAdmin(id string) Principal { return Principal{ID: id, Role: RolePlatformAdmin} }

// BrokerStaff returns a principal on the staff of one industry broker.
func BrokerStaff(id, broker string) Principal {
	return Principal{ID: id, Role: RoleBrokerStaff, Broker: broker}
}

// SocietyAdmin returns the admin of a society.
func SocietyAdmin(id, society string) Principal {
	return Principal{ID: id, Role: RoleSocietyAdmin, Org: society}
}

// ExpertUser returns the principal of the expert with that record ID.
func ExpertUser(expertID string) Principal { return Principal{ID: expertID, Role: RoleExpert} }

// EnterpriseUser returns a principal acting for an enterprise (its name or
// organization ID as used in Demand.Enterprise / EnterpriseID).
func EnterpriseUser(id, enterprise string) Principal {
	return Principal{ID: id, Role: RoleEnterprise, Org: enterprise}
}

// InstitutionUser returns a principal acting for an institution (as used in
// Achievement.Owner / OwnerID).
func InstitutionUser(id, institution string) Principal {
	return Principal{ID: id, Role: RoleInstitution, Org: institution}
}

// Action is what a principal does to a record.
type Action string

// Actions.
const (
	ActRead       Action = "read"        // see the record
	ActSeePrivate Action = "see_private" // see its private part: contact data, a listing's confidential part
	ActCreate     Action = "create"      // create it as a plain record
	ActUpdate     Action = "update"      // change it as a plain record
	ActDelete     Action = "delete"      // delete it
	// ActOperate runs the record's process: open and move a case, publish
	// or close a listing, schedule an activity's meetings, confirm a
	// deposit, record a decline on a party's behalf.
	ActOperate Action = "operate"
	// ActTakePart takes part as a party: register for an activity, request
	// a meeting, bid, express interest, record one's own decline.
	ActTakePart Action = "take_part"
	// ActWithdraw takes one's own subject back (withdraws its case).
	ActWithdraw Action = "withdraw"
	// ActConfirm attests as the exchange: a bidder's deposit received, an
	// agreement price's public notice (公示) posted.
	ActConfirm Action = "confirm"
)

// Actions returns every action.
func Actions() []Action {
	return []Action{ActRead, ActSeePrivate, ActCreate, ActUpdate, ActDelete, ActOperate, ActTakePart, ActWithdraw, ActConfirm}
}

// Class names a row group of the policy; each record type belongs to one
// (Classed), by who keeps it.
type Class string

// Classes.
const (
	// ClassAchievement: achievements, kept by their owning institution and
	// by the society that contributed them.
	ClassAchievement Class = "achievement"
	// ClassDemand: demands, kept by their enterprise.
	ClassDemand Class = "demand"
	// ClassPerson: a person's own record (experts).
	ClassPerson Class = "person"
	// ClassBroker: an industry broker's own record.
	ClassBroker Class = "broker"
	// ClassSociety: an academic society's record.
	ClassSociety Class = "society"
	// ClassDesk: records an industry broker's staff keep (activities,
	// service packages, listings, staff).
	ClassDesk Class = "desk"
	// ClassRegistry: organizations and investors, kept by the organization.
	ClassRegistry Class = "registry"
	// ClassProcess: records written only by the System's operations (cases,
	// registrations, feedback, panels…); as plain records only platform
	// admins write them.
	ClassProcess Class = "process"
	// ClassExchange: the exchange's records (listings, books, deposits,
	// bids, deals), run by a desk's operations and attested by the
	// exchange operator; as plain records only platform admins write them.
	ClassExchange Class = "exchange"
)

// Classes returns every class.
func Classes() []Class {
	return []Class{ClassAchievement, ClassDemand, ClassPerson, ClassBroker, ClassSociety, ClassDesk, ClassRegistry, ClassProcess, ClassExchange}
}

// Grant says which principals of a role a rule lets through.
type Grant uint8

// Grants.
const (
	Never  Grant = iota
	Always       // every principal of the role
	// Owner: the principal owns the record: it added it (Provenance.AddedBy),
	// acts for one of its owning organizations (Owned), is the society
	// that contributed it, or is the expert whose record it is.
	Owner
	// Desk: the principal is on the staff of the record's industry broker
	// (Meta.Broker; for a broker's own record, its ID).
	Desk
	// DeskOrUnrouted: Desk, or the record is not routed to any broker yet.
	DeskOrUnrouted
	// Assignee: the principal is one of the people the record is assigned
	// to (Assigned): an expert seated on a review panel, the author of a
	// score sheet, the evaluator of a valuation report.
	Assignee
)

func (g Grant) String() string {
	return [...]string{"-", "all", "owner", "desk", "desk/unrouted", "assignee"}[g]
}

// Rule is one row of the policy: it grants its Grant to its Roles for its
// Actions on records of its Classes in its Tiers. A nil list means every
// value. Rules add up: a principal may act when any rule lets it.
type Rule struct {
	Roles   []Role
	Actions []Action
	Classes []Class
	Tiers   []Visibility
	Grant   Grant
}

var (
	signedIn = []Role{RolePlatformAdmin, RoleBrokerStaff, RoleSocietyAdmin, RoleExpert, RoleEnterprise, RoleInstitution, RoleInvestor}
	writes   = []Action{ActCreate, ActUpdate, ActDelete}
)

func roles(r ...Role) []Role             { return r }
func actions(a ...Action) []Action       { return a }
func classes(c ...Class) []Class         { return c }
func tiers(t ...Visibility) []Visibility { return t }

// Rules returns the access policy, row by row.
func Rules() []Rule {
	return []Rule{
		// Platform admins do everything.
		{Roles: roles(RolePlatformAdmin), Grant: Always},

		// Reading follows the tiers.
		{Actions: actions(ActRead), Tiers: tiers(Public), Grant: Always},
		{Roles: signedIn, Actions: actions(ActRead), Tiers: tiers(Members), Grant: Always},
		{Roles: signedIn, Actions: actions(ActRead), Tiers: tiers(Confidential), Grant: Owner},
		{Roles: roles(RoleBrokerStaff), Actions: actions(ActRead), Tiers: tiers(Confidential), Grant: Desk},

		// Private parts: their owner; the desk for what it handles, but not
		// a person's or an organization's contact data.
		{Roles: signedIn, Actions: actions(ActSeePrivate), Grant: Owner},
		{Roles: roles(RoleBrokerStaff), Actions: actions(ActSeePrivate),
			Classes: classes(ClassAchievement, ClassDemand, ClassDesk, ClassProcess, ClassExchange), Grant: Desk},

		// Plain writes, by class.
		{Roles: roles(RoleInstitution, RoleSocietyAdmin), Actions: writes, Classes: classes(ClassAchievement), Grant: Owner},
		{Roles: roles(RoleEnterprise), Actions: writes, Classes: classes(ClassDemand), Grant: Owner},
		{Roles: roles(RoleExpert, RoleSocietyAdmin), Actions: writes, Classes: classes(ClassPerson), Grant: Owner},
		{Roles: roles(RoleBrokerStaff), Actions: writes, Classes: classes(ClassAchievement, ClassDemand, ClassPerson), Grant: DeskOrUnrouted},
		{Roles: roles(RoleBrokerStaff), Actions: writes, Classes: classes(ClassBroker, ClassDesk), Grant: Desk},
		{Roles: roles(RoleSocietyAdmin), Actions: writes, Classes: classes(ClassSociety), Grant: Owner},
		{Roles: roles(RoleEnterprise, RoleInstitution, RoleSocietyAdmin, RoleInvestor), Actions: writes, Classes: classes(ClassRegistry), Grant: Owner},

		// Operations.
		{Roles: roles(RoleBrokerStaff), Actions: actions(ActOperate),
			Classes: classes(ClassAchievement, ClassDemand), Grant: DeskOrUnrouted},
		{Roles: roles(RoleBrokerStaff), Actions: actions(ActOperate),
			Classes: classes(ClassBroker, ClassDesk, ClassProcess, ClassExchange), Grant: Desk},
		{Roles: roles(RoleSocietyAdmin), Actions: actions(ActOperate), Classes: classes(ClassSociety), Grant: Owner},
		{Roles: signedIn, Actions: actions(ActTakePart), Tiers: tiers(Public, Members), Grant: Always},
		{Roles: signedIn, Actions: actions(ActTakePart), Tiers: tiers(Confidential), Grant: Owner},
		{Roles: roles(RoleBrokerStaff), Actions: actions(ActTakePart), Tiers: tiers(Confidential), Grant: Desk},
		{Roles: roles(RoleEnterprise, RoleInstitution), Actions: actions(ActWithdraw), Classes: classes(ClassProcess), Grant: Owner},

		// Assigned work: an expert reads and takes part in the process
		// records assigned to them (a review panel they sit on, their score
		// sheet and, once the panel locks, its other sheets).
		{Roles: roles(RoleExpert), Actions: actions(ActRead, ActTakePart), Classes: classes(ClassProcess), Grant: Assignee},

		// Oversight (科协, government) reads every record, trades nothing.
		{Roles: roles(RoleOversight), Actions: actions(ActRead), Grant: Always},
		// The exchange operator reads members' records and the exchange's,
		// and confirms deposits and public notices; broker staff do not.
		{Roles: roles(RoleExchangeOperator), Actions: actions(ActRead), Tiers: tiers(Members), Grant: Always},
		{Roles: roles(RoleExchangeOperator), Actions: actions(ActRead, ActConfirm), Classes: classes(ClassExchange), Grant: Always},
	}
}

// Target is what the policy needs to know of a record: see TargetOf.
type Target struct {
	Kind   Kind
	Class  Class
	Tier   Visibility
	Meta   Meta
	Owners []string // names or IDs of the owning organizations
	// Assignees are the principal IDs the record is assigned to (Assigned).
	Assignees []string
}

// TargetOf describes a record to the policy: its class (Classed, else
// ClassProcess), its tier (Tiered, else Meta.Visibility, Public if empty),
// its owners (Owned) and its assignees (Assigned).
func TargetOf(v Record) Target { return targetFrom(v, v.RecordKind(), v.RecordMeta()) }

// targetOf is TargetOf without copying the record into an interface.
func targetOf[T Record](v *T) Target { return targetFrom(v, (*v).RecordKind(), metaOf(v).copy()) }

// targetFrom describes the record v (a value or a pointer to one) whose
// kind and Meta are given.
func targetFrom(v any, kind Kind, m Meta) Target {
	t := Target{Kind: kind, Class: ClassProcess, Meta: m}
	if c, ok := v.(Classed); ok {
		t.Class = c.AccessClass()
	}
	t.Tier = t.Meta.Visibility
	if tv, ok := v.(Tiered); ok {
		t.Tier = tv.Tier()
	}
	if t.Tier == "" {
		t.Tier = Public
	}
	if o, ok := v.(Owned); ok {
		t.Owners = o.OwnerOrgs()
	}
	if a, ok := v.(Assigned); ok {
		t.Assignees = a.Assignees()
	}
	return t
}

// DeskTarget is the target of an operation on an industry broker's desk as
// a whole (its stale cases, its figures, its roster): a confidential desk
// record of that broker.
func DeskTarget(broker string) Target {
	return Target{Class: ClassDesk, Tier: Confidential, Meta: Meta{Broker: broker}}
}

// Can reports whether the policy lets p do a to the target.
func Can(p Principal, a Action, t Target) bool {
	g := compiledPolicy()
	ri, ok1 := g.roles[p.Role]
	ai, ok2 := g.actions[a]
	ci, ok3 := g.classes[t.Class]
	ti, ok4 := g.tiers[t.Tier]
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return false
	}
	for _, grant := range g.cells[ri][ai][ci][ti] {
		if grant.admits(p, t) {
			return true
		}
	}
	return false
}

// CanDo reports whether the policy lets p do a to the record v.
func CanDo(p Principal, a Action, v Record) bool { return Can(p, a, TargetOf(v)) }

var tierList = []Visibility{Public, Members, Confidential}

// policyTable is Rules indexed by role, action, class and tier; each cell
// holds the grants that apply.
type policyTable struct {
	cells   [][][][][]Grant
	roles   map[Role]int
	actions map[Action]int
	classes map[Class]int
	tiers   map[Visibility]int
}

func positions[T comparable](list []T) map[T]int {
	m := make(map[T]int, len(list))
	for i, x := range list {
		m[x] = i
	}
	return m
}

var compiledPolicy = sync.OnceValue(func() *policyTable {
	rs, as, cs := Roles(), Actions(), Classes()
	out := make([][][][][]Grant, len(rs))
	for ri, r := range rs {
		out[ri] = make([][][][]Grant, len(as))
		for ai, a := range as {
			out[ri][ai] = make([][][]Grant, len(cs))
			for ci, c := range cs {
				out[ri][ai][ci] = make([][]Grant, len(tierList))
				for ti, tier := range tierList {
					var cell []Grant
					for _, rule := range Rules() {
						if in(rule.Roles, r) && in(rule.Actions, a) && in(rule.Classes, c) && in(rule.Tiers, tier) &&
							rule.Grant != Never && !slices.Contains(cell, rule.Grant) {
							cell = append(cell, rule.Grant)
						}
					}
					if slices.Contains(cell, Always) {
						cell = []Grant{Always} // it admits everyone the others would
					}
					out[ri][ai][ci][ti] = cell
				}
			}
		}
	}
	return &policyTable{cells: out, roles: positions(rs), actions: positions(as), classes: positions(cs), tiers: positions(tierList)}
})

func in[T comparable](list []T, x T) bool { return list == nil || slices.Contains(list, x) }

func (g Grant) admits(p Principal, t Target) bool {
	switch g {
	case Always:
		return true
	case Owner:
		return p.owns(t)
	case Desk:
		return p.Role == RoleBrokerStaff && p.Broker != "" && p.Broker == t.desk()
	case DeskOrUnrouted:
		return p.Role == RoleBrokerStaff && p.Broker != "" && (t.desk() == "" || p.Broker == t.desk())
	case Assignee:
		return p.ID != "" && slices.Contains(t.Assignees, p.ID)
	}
	return false
}

// desk is the industry broker that handles the target.
func (t Target) desk() string {
	if t.Class == ClassBroker {
		return t.Meta.ID
	}
	return t.Meta.Broker
}

// owns reports whether the principal owns the target.
func (p Principal) owns(t Target) bool {
	if p.Role == RoleAnonymous {
		return false
	}
	m := t.Meta
	if p.ID != "" && m.Provenance.AddedBy == p.ID {
		return true
	}
	switch p.Role {
	case RoleEnterprise, RoleInstitution, RoleInvestor:
		return p.Org != "" && slices.Contains(t.Owners, p.Org)
	case RoleSocietyAdmin:
		return p.Org != "" && (m.Provenance.Society == p.Org || slices.Contains(t.Owners, p.Org))
	case RoleExpert:
		return p.ID != "" && t.Class == ClassPerson && m.ID == p.ID
	}
	return false
}

// PolicyMatrix writes the whole policy as one table per class: a row per
// role and action, a column per tier, each cell the grants that apply.
func PolicyMatrix() string {
	var b strings.Builder
	g := compiledPolicy().cells
	for ci, c := range Classes() {
		fmt.Fprintf(&b, "class %s\n%-17s %-12s %-14s %-14s %-14s\n", c, "role", "action", "public", "members", "confidential")
		for ri, r := range Roles() {
			name := string(r)
			if r == RoleAnonymous {
				name = "anonymous"
			}
			for ai, a := range Actions() {
				fmt.Fprintf(&b, "%-17s %-12s", name, a)
				for ti := range tierList {
					cell := "-"
					if gs := g[ri][ai][ci][ti]; len(gs) > 0 {
						names := make([]string, len(gs))
						for i, x := range gs {
							names[i] = x.String()
						}
						cell = strings.Join(names, "|")
					}
					fmt.Fprintf(&b, " %-14s", cell)
				}
				b.WriteString("\n")
			}
		}
		b.WriteString("\n")
	}
	return b.String()
}
