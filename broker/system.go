package broker

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/kexie/techbroker/broker/driver"
)

// Options configure a System. A nil *Options means defaults.
type Options struct {
	// Clock returns the current time; default time.Now. Times are stored in
	// UTC at microsecond precision.
	Clock func() time.Time
	// NewID returns a fresh record ID for a kind. The default makes
	// time-ordered IDs such as "ach-0641f2c3a9b8e0-000001"; see SequentialIDs
	// for deterministic ones.
	NewID func(kind Kind) string
	// Disciplines, if not nil, is the list of accepted discipline codes; a
	// record with any other code is invalid. Nil accepts any code.
	Disciplines []string
	// IndustryCodes, if not nil, is the list of accepted industry codes.
	IndustryCodes []string
}

// System is the portable service users call: it holds the three libraries
// (Achievements, Demands, Experts) and the industry brokers over one store.
// It validates and normalizes every write, assigns IDs and times, checks
// access, writes an audit event with every change and wraps errors once.
// A System is safe for concurrent use.
type System struct {
	// Achievements is the achievement library (成果库).
	Achievements *Library[Achievement]
	// Demands is the demand library (需求库).
	Demands *Library[Demand]
	// Experts is the expert library (专家库).
	Experts *Library[Expert]
	// Brokers holds the industry brokers (样板间).
	Brokers *Library[IndustryBroker]
	// Societies holds the academic societies of the society docking
	// platform (学会资源对接平台).
	Societies *Library[Society]
	// ServicePackages holds each broker's standard service package
	// (标准服务产品包), keyed by broker ID.
	ServicePackages *Library[ServicePackage]
	// Activities holds the activities of the activity platform
	// (科创中国活动平台); registrations, meetings and leads go through the
	// System's methods.
	Activities *Library[Activity]
	// Organizations is the registry of institutions (universities,
	// hospitals, enterprises, incubators, funds, firms, societies) that
	// records point to; see Organization and MergeOrganizations.
	Organizations *Library[Organization]
	// Investors holds investor profiles (资本); see MatchInvestors.
	Investors *Library[Investor]

	store       driver.Store
	exchange    exchangeCache // the exchange's decoded books (bid.go)
	validate    *validator.Validate
	clock       func() time.Time
	newID       func(Kind) string
	disciplines map[string]bool
	industries  map[string]bool
	cases       caseCache // decoded case bodies (casecache.go)
}

// New returns a System over store. The System does not own the store's
// lifetime beyond Close, which closes it.
func New(store driver.Store, opts *Options) *System {
	if opts == nil {
		opts = &Options{}
	}
	s := &System{store: store, validate: newValidate(), clock: opts.Clock, newID: opts.NewID}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.newID == nil {
		s.newID = timeIDs(s.clock)
	}
	s.disciplines = codeSet(opts.Disciplines)
	s.industries = codeSet(opts.IndustryCodes)
	s.Achievements = &Library[Achievement]{s: s}
	s.Demands = &Library[Demand]{s: s}
	s.Experts = &Library[Expert]{s: s}
	s.Brokers = &Library[IndustryBroker]{s: s}
	s.Societies = &Library[Society]{s: s}
	s.ServicePackages = &Library[ServicePackage]{s: s}
	s.Activities = &Library[Activity]{s: s}
	s.Organizations = &Library[Organization]{s: s}
	s.Investors = &Library[Investor]{s: s}
	return s
}

// Close closes the underlying store.
func (s *System) Close() error { return s.store.Close() }

// Store returns the underlying driver store, for adapters' tests and for
// packages that add record kinds of their own.
func (s *System) Store() driver.Store { return s.store }

func (s *System) now() time.Time { return s.clock().UTC().Truncate(time.Microsecond) }

func codeSet(codes []string) map[string]bool {
	if codes == nil {
		return nil
	}
	m := make(map[string]bool, len(codes))
	for _, c := range codes {
		m[normCode(c)] = true
	}
	return m
}

func (s *System) checkCodes(c *checker, field, what string, codes []string, known map[string]bool) {
	if known == nil {
		return
	}
	for i, code := range codes {
		if !known[code] {
			c.add(fmt.Sprintf("%s[%d]", field, i), "code", what, code)
		}
	}
}

// Events returns the audit events about one record, oldest first. The
// principal must be able to read the record.
func (s *System) Events(ctx context.Context, p Principal, kind Kind, id string) ([]driver.Event, error) {
	rec, err := s.store.Get(ctx, string(kind), id)
	if err != nil && err != driver.ErrNotFound {
		return nil, wrap("events", kind, id, err)
	}
	if err == nil {
		var m struct{ Meta }
		if err := decode(rec.Body, &m); err != nil {
			return nil, wrap("events", kind, id, err)
		}
		if !p.canRead(m.Meta, nil) && p.Role != RolePlatformAdmin {
			return nil, forbidden("events", kind, id, "record not visible to principal")
		}
	} else if p.Role != RolePlatformAdmin {
		// A deleted record's history is for platform admins only.
		return nil, wrap("events", kind, id, ErrNotFound)
	}
	evs, err := s.store.Events(ctx, driver.EventQuery{Kind: string(kind), RecordID: id})
	return evs, wrap("events", kind, id, err)
}

// timeIDs returns the default ID source: kind prefix, the clock's
// microseconds in hex and a process-wide counter, so IDs sort by creation.
func timeIDs(clock func() time.Time) func(Kind) string {
	var n atomic.Uint64
	return func(k Kind) string {
		return timeID(prefix(k), clock().UnixMicro(), n.Add(1)&0xffffff)
	}
}

// timeID is fmt.Sprintf("%s-%014x-%06x", prefix, micros, n) without fmt
// (an import makes one per row).
func timeID(prefix string, micros int64, n uint64) string {
	if micros < 0 {
		return fmt.Sprintf("%s-%014x-%06x", prefix, micros, n)
	}
	var buf [48]byte
	b := append(buf[:0], prefix...)
	b = append(b, '-')
	b = appendHex(b, uint64(micros), 14)
	b = append(b, '-')
	b = appendHex(b, n, 6)
	return string(b)
}

// appendHex appends v in lower-case hex, zero-padded to width digits.
func appendHex(b []byte, v uint64, width int) []byte {
	var d [16]byte
	i := len(d)
	for v > 0 || i > len(d)-width {
		i--
		d[i] = "0123456789abcdef"[v&0xf]
		v >>= 4
	}
	return append(b, d[i:]...)
}

// SequentialIDs returns a deterministic ID source for tests and examples:
// "ach-000001", "ach-000002", "dem-000001", ... with one counter per kind.
func SequentialIDs() func(Kind) string {
	var mu sync.Mutex
	next := map[Kind]int{}
	return func(k Kind) string {
		mu.Lock()
		defer mu.Unlock()
		next[k]++
		return fmt.Sprintf("%s-%06d", prefix(k), next[k])
	}
}

func prefix(k Kind) string {
	switch k {
	case KindAchievement:
		return "ach"
	case KindDemand:
		return "dem"
	case KindExpert:
		return "exp"
	case KindBroker:
		return "brk"
	case KindOrganization:
		return "org"
	case KindInvestor:
		return "inv"
	case KindStaff:
		return "stf"
	case KindIncubation:
		return "inc"
	case KindIntent:
		return "int"
	case KindProfile:
		return "prof"
	case KindInterest:
		return "eoi" // expression of interest
	}
	if len(k) > 4 {
		return string(k[:4])
	}
	return string(k)
}

// Store is the storage a System runs on; adapters such as broker/memstore
// implement it (see package broker/driver).
type Store = driver.Store
