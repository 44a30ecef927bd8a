package capital

import (
	"errors"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/exchange"
)

// Record kinds of the capital service, as stored.
const (
	KindInvestor   broker.Kind = "investor"          // an Investor profile (投资机构)
	KindIntent     broker.Kind = "investment_intent" // an InvestmentIntent (投资意向) on a case
	KindIncubation broker.Kind = "incubation"        // the Incubation (孵化) of a traded case
)

// Service is the capital side of a broker System: investor profiles,
// matching investors with the achievements on offer, investment intents
// and the incubation that follows a deal. Its Libraries give the plain
// record operations (get, list, and the writes the access policy allows);
// its methods are the operations, each one transaction of the System
// (broker.System.Update). A Service holds no state of its own beyond the
// System and the Libraries and is safe for concurrent use.
type Service struct {
	// Investors holds the investor profiles. Platform admins and the
	// principals acting for an investor's organization (OrgID) write them;
	// anyone who may see one reads it, its Contact only when the policy
	// lets them see its private part.
	Investors *broker.Library[Investor]
	// Intents holds the investment intents, written only by
	// RecordInvestmentIntent; ListOptions.Key selects one case's
	// ("intent:" + case ID).
	Intents *broker.Library[InvestmentIntent]
	// Incubations holds the incubations, written only by StartIncubation,
	// SetMilestone, AddFundingRound and CloseIncubation (platform admins
	// may correct milestones and rounds with a plain write);
	// ListOptions.Stage filters by Status.
	Incubations *broker.Library[Incubation]

	sys   *broker.System
	cases *broker.Library[broker.Case] // the core's cases, read for offers and incubations
	x     *exchange.Exchange
	acts  *activity.Platform
}

// New returns the capital service over sys. Offers to investors come from
// the exchange's listings (x) and the activity platform's roadshows and
// investment salons (acts); both must be the ones over sys. New makes the
// package's record kinds known to sys, so that organization merges and
// audits cover them.
func New(sys *broker.System, x *exchange.Exchange, acts *activity.Platform) *Service {
	return &Service{
		Investors:   broker.NewLibrary[Investor](sys),
		Intents:     broker.NewLibrary[InvestmentIntent](sys),
		Incubations: broker.NewLibrary[Incubation](sys),
		sys:         sys,
		cases:       broker.NewLibrary[broker.Case](sys),
		x:           x,
		acts:        acts,
	}
}

// System is the System the service runs on.
func (s *Service) System() *broker.System { return s.sys }

// keeper reads the records the service's own rules need whatever the
// caller may see (the cases and listings that put an achievement on offer,
// every incubation of a desk). What a call returns is filtered by the
// caller's principal through the policy.
var keeper = broker.PlatformAdmin("capital")

// invalid is the validation error of one bad field, its value shortened as
// broker.Check shortens it.
func invalid(kind broker.Kind, field, code, param, value string) error {
	c := &broker.Check{}
	c.Add(field, code, param, value)
	return c.Err(kind)
}

// notFound reports whether err is the System's not found.
func notFound(err error) bool { return errors.Is(err, broker.ErrNotFound) }
