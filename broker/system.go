package broker

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/kexie/techbroker/broker/driver"
	"github.com/kexie/techbroker/internal/orgtag"
	"github.com/kexie/techbroker/internal/tagplan"
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

// System is the portable service users call. It holds the three
// libraries (Achievements, Demands, Experts), the industry brokers and the
// platform's registries over one store, and the exported transaction
// (Update) that every write of the System and its feature packages goes
// through: it validates and normalizes every record, assigns IDs and
// times, asks the access policy, writes an audit event with every change
// and wraps errors once. A System starts no goroutine and is safe for
// concurrent use.
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
	// Organizations is the registry of institutions (universities,
	// hospitals, enterprises, incubators, funds, firms, societies) that
	// records point to; see Organization and MergeOrganizations.
	Organizations *Library[Organization]

	store       driver.Store
	validate    *validator.Validate
	clock       func() time.Time
	newID       func(Kind) string
	disciplines map[string]bool
	industries  map[string]bool
	kinds       sync.Map      // Kind → reflect.Type of every record kind in use
	orgIDTypes  sync.Map      // reflect.Type → whether it can hold org:"id" fields
	plans       tagplan.Cache // each type's validate tags, compiled
	orgTags     orgtag.Cache  // each type's org tags, compiled
}

// New returns a System over store. The System does not own the store's
// lifetime beyond Close, which closes it.
func New(store driver.Store, opts *Options) *System {
	if opts == nil {
		opts = &Options{}
	}
	s := &System{store: store, validate: tagplan.NewValidator(), clock: opts.Clock, newID: opts.NewID}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.newID == nil {
		s.newID = timeIDs(s.clock)
	}
	s.disciplines = codeSet(opts.Disciplines)
	s.industries = codeSet(opts.IndustryCodes)
	s.Achievements = NewLibrary[Achievement](s)
	s.Demands = NewLibrary[Demand](s)
	s.Experts = NewLibrary[Expert](s)
	s.Brokers = NewLibrary[IndustryBroker](s)
	s.Societies = NewLibrary[Society](s)
	s.ServicePackages = NewLibrary[ServicePackage](s)
	s.Organizations = NewLibrary[Organization](s)
	for _, k := range []struct {
		kind Kind
		typ  reflect.Type
	}{{KindCase, typeOf[Case]()}, {kindCaseSlot, typeOf[caseSlot]()}, {KindFeedback, typeOf[Feedback]()}, {KindStaff, typeOf[Staff]()}, {kindQualification, typeOf[Qualification]()}} {
		s.register(k.kind, k.typ)
	}
	return s
}

// Close closes the underlying store.
func (s *System) Close() error { return s.store.Close() }

// As is the escape hatch to the store beneath the System, as gocloud.dev's
// docstore has it: if target is a *driver.Store, As sets it to the store
// and returns true. Users do not need it; tests of adapters and tools that
// read the store directly do. Writing through the store bypasses every
// rule of the System.
func (s *System) As(target any) bool {
	if p, ok := target.(*driver.Store); ok {
		*p = s.store
		return true
	}
	return false
}

// Now returns the System's clock in UTC at microsecond precision, the
// resolution at which records and events store times.
func (s *System) Now() time.Time { return s.now() }

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

// Event is one entry of the audit log: something that happened to a
// record, in commit order.
type Event struct {
	Seq    int64     // strictly increasing in commit order
	Kind   Kind      // the record's kind
	Record string    // the record's ID
	Type   string    // what happened: "created", "updated", "deleted", "stage", …
	Actor  string    // the principal ID that did it
	Time   time.Time // when, UTC
	Body   []byte    // the event's JSON detail, if any
}

func eventOf(e driver.Event) Event {
	return Event{Seq: e.Seq, Kind: Kind(e.Kind), Record: e.RecordID, Type: e.Type, Actor: e.Actor, Time: e.Time, Body: e.Body}
}

// Events returns the audit events about one record, oldest first. The
// principal must be able to read the record; the history of a deleted
// record is for platform admins only.
func (s *System) Events(ctx context.Context, p Principal, kind Kind, id string) ([]Event, error) {
	typ, known := s.kinds.Load(kind)
	rec, err := s.store.Get(ctx, string(kind), id)
	switch {
	case errors.Is(err, ErrNotFound):
		if p.Role != RolePlatformAdmin {
			return nil, wrap("events", kind, id, ErrNotFound)
		}
	case err != nil:
		return nil, wrap("events", kind, id, err)
	case !known:
		if p.Role != RolePlatformAdmin {
			return nil, forbidden("events", kind, id, "unknown record kind")
		}
	default:
		v, err := decodeAny(rec, typ.(reflect.Type))
		if err != nil {
			return nil, wrap("events", kind, id, err)
		}
		r := v.Elem().Interface().(Record)
		if !Can(p, ActRead, TargetOf(r)) {
			return nil, forbidden("events", kind, id, "the record is not visible to the principal")
		}
	}
	evs, err := s.store.Events(ctx, driver.EventQuery{Kind: string(kind), RecordID: id})
	if err != nil {
		return nil, wrap("events", kind, id, err)
	}
	out := make([]Event, len(evs))
	for i, e := range evs {
		out[i] = eventOf(e)
	}
	return out, nil
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

// prefix is the ID prefix of a kind: a short form for the libraries and
// the registry; else the kind's first four letters, or for a kind of
// several words ("fed_interest") the initials of all but the last and the
// last's first three letters ("fint").
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
	case KindStaff:
		return "stf"
	}
	words := strings.Split(string(k), "_")
	if len(words) > 1 {
		var b strings.Builder
		for _, w := range words[:len(words)-1] {
			if w != "" {
				b.WriteByte(w[0])
			}
		}
		last := words[len(words)-1]
		b.WriteString(last[:min(3, len(last))])
		return b.String()
	}
	if len(k) > 4 {
		return string(k[:4])
	}
	return string(k)
}

// Store is the storage a System runs on; adapters such as broker/memstore
// implement it (see package broker/driver).
type Store = driver.Store
