package broker

import "slices"

// Role is what a principal acts as.
type Role string

// Roles.
const (
	RolePlatformAdmin Role = "platform_admin" // runs the platform: sees and changes everything
	RoleBrokerStaff   Role = "broker_staff"   // staff of one industry broker (Principal.Broker)
	RoleSocietyAdmin  Role = "society_admin"  // admin of one academic society (Principal.Org)
	RoleExpert        Role = "expert"         // an expert (Principal.ID is their expert record ID)
	RoleEnterprise    Role = "enterprise"     // acts for one enterprise (Principal.Org)
	RoleInstitution   Role = "institution"    // acts for one university, hospital or institute (Principal.Org)
)

// Principal is who is acting. It is an explicit argument of every System
// call, never a context value. The zero Principal is anonymous: it reads
// public records only and writes nothing.
type Principal struct {
	ID     string // the acting person or service account
	Role   Role
	Broker string // industry broker ID, for RoleBrokerStaff
	Org    string // enterprise, institution or society the principal acts for
}

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

func (p Principal) anonymous() bool { return p.Role == "" }

// owns reports whether the principal owns a record: it created it, or acts
// for one of the organizations that own it.
func (p Principal) owns(m Meta, orgs []string) bool {
	if p.anonymous() {
		return false
	}
	if p.ID != "" && m.Provenance.AddedBy == p.ID {
		return true
	}
	switch p.Role {
	case RoleEnterprise, RoleInstitution:
		return p.Org != "" && slices.Contains(orgs, p.Org)
	case RoleSocietyAdmin:
		return p.Org != "" && m.Provenance.Society == p.Org
	case RoleExpert:
		return p.ID != "" && m.ID == p.ID
	}
	return false
}

// canRead applies the visibility tiers.
func (p Principal) canRead(m Meta, orgs []string) bool {
	switch m.Visibility {
	case Public, "":
		return true
	case Members:
		return !p.anonymous()
	}
	switch {
	case p.Role == RolePlatformAdmin:
		return true
	case p.Role == RoleBrokerStaff && p.Broker != "" && m.Broker == p.Broker:
		return true
	}
	return p.owns(m, orgs)
}

// canWrite reports whether the principal may create, change or delete a
// record in the state m (checked on the stored and on the new state).
func (p Principal) canWrite(kind Kind, m Meta, orgs []string) bool {
	if ok, decided := p.platformWriteRule(kind, m); decided {
		return ok
	}
	if ok, decided := p.peopleWriteRule(kind, m, orgs); decided {
		return ok
	}
	switch p.Role {
	case RolePlatformAdmin:
		return true
	case RoleBrokerStaff:
		if kind == KindBroker {
			return m.ID == p.Broker && p.Broker != ""
		}
		return p.Broker != "" && (m.Broker == p.Broker || m.Broker == "")
	case RoleSocietyAdmin:
		return (kind == KindExpert || kind == KindAchievement) && p.owns(m, orgs)
	case RoleEnterprise:
		return kind == KindDemand && p.owns(m, orgs)
	case RoleInstitution:
		return kind == KindAchievement && p.owns(m, orgs)
	case RoleExpert:
		return kind == KindExpert && p.ID != "" && m.ID == p.ID
	}
	return false
}

// canSeeContact reports whether the principal may see an expert's personal
// contact data: the expert themself and platform admins only.
func (p Principal) canSeeContact(e Expert) bool {
	return p.Role == RolePlatformAdmin || (p.Role == RoleExpert && p.ID != "" && p.ID == e.ID)
}
