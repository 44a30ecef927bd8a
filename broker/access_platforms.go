package broker

// platformWriteRule decides Principal.canWrite for the record kinds of the
// three platforms; decided is false for the other kinds, which the general
// rules in access.go cover.
//
//   - Society: platform admins, and the society's own admin
//     (Principal.Org == the society's ID).
//   - ServicePackage, Activity: platform admins, and the staff of the broker
//     named in Meta.Broker.
//   - Case, Registration, Meeting, Lead, Feedback, the seat counters and
//     societies' qualifications change only through the System's guarded operations, which check
//     access themselves; as plain records only platform admins may write
//     them.
func (p Principal) platformWriteRule(kind Kind, m Meta) (allowed, decided bool) {
	switch kind {
	case KindSociety:
		return p.Role == RolePlatformAdmin || (p.Role == RoleSocietyAdmin && p.Org != "" && m.ID == p.Org), true
	case KindServicePackage, KindActivity:
		return p.Role == RolePlatformAdmin || (p.Role == RoleBrokerStaff && p.Broker != "" && m.Broker == p.Broker), true
	case KindCase, KindRegistration, KindMeeting, KindLead, KindFeedback, kindSeats, kindQualification:
		return p.Role == RolePlatformAdmin, true
	}
	return false, false
}
