package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
)

// Record kinds of the federation.
const (
	KindProfile  broker.Kind = "fed_profile"  // a profile received from another region
	KindInterest broker.Kind = "fed_interest" // an expression of interest, sent or received
	// KindCursor is a node's position in its feed, with the node's region
	// code as its ID.
	KindCursor broker.Kind = "fed_cursor"
	// KindAgreement is an agreement between organizations (协议).
	KindAgreement broker.Kind = "fed_agreement"
	// KindWorkstation is a workstation (工作站) in another region.
	KindWorkstation broker.Kind = "fed_workstation"
)

// Region is a member region of a federation, e.g. {Code: "310110", Name:
// "上海市杨浦区"}. Codes are short ASCII identifiers (GB/T 2260 codes or
// slugs) and name the region's feed.
type Region struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Options configure a node. Region and Transport are required.
type Options struct {
	Region       Region
	Agreements   []Agreement
	Workstations []Workstation
	Transport    Transport
	// Service is the principal the node acts as when it stores what it
	// receives; default broker.PlatformAdmin("federation:<region code>").
	// The policy must let it write the federation's records.
	Service broker.Principal
}

// Federation is one System's node in a federation (跨区域协同): it shares
// the exchange's listings as anonymous profiles, stores the profiles other
// regions share, and carries expressions of interest between the two
// sides. It starts no goroutine: Sync processes the node's feed when the
// caller asks. A Federation is safe for concurrent use; several nodes of
// one region may run over the same store.
type Federation struct {
	sys       *broker.System
	x         *exchange.Exchange
	o         Options
	svc       broker.Principal
	profiles  *broker.Library[SharedProfile]
	interests *broker.Library[Interest]
	cursors   *broker.Library[cursor]
	coop      *Cooperation
}

var (
	regionCode = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)
	remoteID   = regexp.MustCompile(`^[A-Za-z0-9._~-]{1,31}$`)
)

// configKind names the node's configuration in its validation errors.
const configKind broker.Kind = "federation"

// New returns the node of System sys, sharing the listings of exchange x
// (nil: exchange.New(sys)). It makes the federation's record kinds known
// to sys, and checks the configuration: the region code, agreements naming
// this region and joining two regions, workstations under existing
// agreements joining their host and home regions, a transport, and a
// service principal the policy lets write the federation's records. A bad
// configuration is a *broker.ValidationError naming every bad field.
func New(sys *broker.System, x *exchange.Exchange, o *Options) (*Federation, error) {
	c := &broker.Check{}
	if sys == nil {
		c.Add("system", "required", "", "")
		return nil, broker.Wrap("federation", configKind, "", c.Err(configKind))
	}
	if x == nil {
		x = exchange.New(sys)
	} else if x.System() != sys {
		c.Add("exchange", "invalid", "", "the exchange runs on another System")
	}
	var opts Options
	if o != nil {
		opts = *o
	}
	opts.Agreements = slices.Clone(opts.Agreements)
	opts.Workstations = slices.Clone(opts.Workstations)
	if !regionCode.MatchString(opts.Region.Code) {
		c.Add("region.code", "malformed", "region code (ASCII letters, digits, - and _)", opts.Region.Code)
	}
	if opts.Transport == nil {
		c.Add("transport", "required", "", "")
	}
	ids := map[string]Agreement{}
	for i, a := range opts.Agreements {
		f := "agreements[" + strconv.Itoa(i) + "]"
		if a.ID == "" {
			c.Add(f+".id", "required", "", "")
		}
		if a.Kind != "" && !validKind(a.Kind) {
			c.Add(f+".kind", "oneof", agreementKinds, a.Kind)
		}
		if !regionCode.MatchString(a.A) || !regionCode.MatchString(a.B) || a.A == a.B {
			c.Add(f, "invalid", "", "an agreement joins two different regions: "+a.A+" – "+a.B)
		}
		if a.A != opts.Region.Code && a.B != opts.Region.Code {
			c.Add(f, "invalid", "", "agreement "+a.ID+" does not involve this region "+opts.Region.Code)
		}
		if a.Signed.IsZero() {
			c.Add(f+".signed", "required", "", "")
		}
		ids[a.ID] = a
	}
	for i, w := range opts.Workstations {
		f := "workstations[" + strconv.Itoa(i) + "]"
		a, ok := ids[w.Agreement]
		switch {
		case w.ID == "" || w.Name == "":
			c.Add(f, "required", "", "id and name")
		case !ok:
			c.Add(f+".agreement", "ref", "", w.Agreement)
		case !a.Joins(w.Host, w.Home):
			c.Add(f+".agreement", "invalid", "", "agreement "+a.ID+" does not join "+w.Host+" and "+w.Home)
		}
	}
	svc := opts.Service
	if svc == broker.Anonymous() {
		svc = broker.PlatformAdmin("federation:" + opts.Region.Code)
	}
	for _, k := range []broker.Kind{KindProfile, KindInterest, KindCursor} {
		if !broker.Can(svc, broker.ActCreate, broker.Target{Kind: k, Class: broker.ClassProcess, Tier: broker.Confidential}) {
			c.Add("service", "invalid", "", "the policy does not let "+svc.ID+" write "+string(k)+" records")
			break
		}
	}
	if err := c.Err(configKind); err != nil {
		return nil, broker.Wrap("federation", configKind, "", err)
	}
	return &Federation{
		sys: sys, x: x, o: opts, svc: svc,
		profiles:  broker.NewLibrary[SharedProfile](sys),
		interests: broker.NewLibrary[Interest](sys),
		cursors:   broker.NewLibrary[cursor](sys),
		coop:      NewCooperation(sys),
	}, nil
}

// Cooperation returns the node's records of agreements and workstations.
func (f *Federation) Cooperation() *Cooperation { return f.coop }

// Exchange returns the exchange whose listings the node shares.
func (f *Federation) Exchange() *exchange.Exchange { return f.x }

// Region returns the node's region.
func (f *Federation) Region() Region { return f.o.Region }

// Workstations returns the node's workstations.
func (f *Federation) Workstations() []Workstation { return slices.Clone(f.o.Workstations) }

// Agreements returns the node's agreements.
func (f *Federation) Agreements() []Agreement { return slices.Clone(f.o.Agreements) }

// agreementWith returns the active agreement between this region and
// region, covering broker (when the agreement is limited to brokers): one of
// the node's configured agreements, else one stored (Cooperation.Sign).
func (f *Federation) agreementWith(tx *broker.Tx, region, broker string, at time.Time) (Agreement, bool, error) {
	stored, err := storedAgreements(tx)
	if err != nil {
		return Agreement{}, false, err
	}
	for _, a := range append(slices.Clone(f.o.Agreements), stored...) {
		if !a.Joins(f.o.Region.Code, region) || !a.ActiveAt(at) {
			continue
		}
		if len(a.Brokers) > 0 && broker != "" && !slices.Contains(a.Brokers, broker) {
			continue
		}
		return a, true, nil
	}
	return Agreement{}, false, nil
}

// workstationDesk is the desk of this node's workstation serving the
// platform of region home and its broker, if there is one: configured, else
// stored (Cooperation.Open).
func (f *Federation) workstationDesk(tx *broker.Tx, home, broker string) (string, error) {
	stored, err := storedWorkstations(tx)
	if err != nil {
		return "", err
	}
	for _, w := range append(slices.Clone(f.o.Workstations), stored...) {
		if w.Host == f.o.Region.Code && w.Home == home && w.Broker != "" && w.Broker == broker {
			return w.Broker, nil
		}
	}
	return "", nil
}

// ErrNoAgreement is matched by errors about a region without an active
// agreement with this one.
var ErrNoAgreement = errors.New("no agreement with that region")

// Error is a refused federation message or request: which message, from or
// to which region, and why. It unwraps to its cause (ErrNoAgreement, a
// *broker.ValidationError, ...) and matches broker.ErrForbidden when the
// cause is a missing agreement.
type Error struct {
	Message string // message ID, if any
	Region  string // the other region
	Err     error
}

func (e *Error) Error() string {
	s := "federation"
	if e.Message != "" {
		s += " message " + e.Message
	}
	if e.Region != "" {
		s += " (region " + e.Region + ")"
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is matches broker.ErrForbidden for a missing agreement.
func (e *Error) Is(target error) bool {
	return target == broker.ErrForbidden && errors.Is(e.Err, ErrNoAgreement)
}

// Message is what crosses the boundary between two nodes, as JSON.
type Message struct {
	ID       string       `json:"id"`
	Type     MessageType  `json:"type"`
	From     string       `json:"from"`
	To       string       `json:"to"`
	Sent     time.Time    `json:"sent"`
	Profile  *Profile     `json:"profile,omitempty"`
	Interest *InterestMsg `json:"interest,omitempty"`
}

// MessageType names a federation message.
type MessageType string

// Message types.
const (
	MsgProfile   MessageType = "profile"   // an anonymous listing profile
	MsgInterest  MessageType = "interest"  // an expression of interest in a profile
	MsgAccept    MessageType = "accept"    // the owner accepts: carries the owner's contact
	MsgDecline   MessageType = "decline"   // the owner declines
	MsgIntroduce MessageType = "introduce" // after acceptance: the interested party's contact
)

// InterestMsg is the body of interest, accept, decline and introduce
// messages.
type InterestMsg struct {
	ID      string `json:"id"`      // the interest's ID at the interested side
	Profile string `json:"profile"` // the listing ID at the origin
	// Org is the interested organization's name; Note its message. They go
	// to the owner's broker with the interest, never its contact.
	Org  string `json:"org,omitempty"`
	Note string `json:"note,omitempty"`
	// Contact is set only on accept (the owner's) and introduce (the
	// interested party's) messages.
	Contact *PartyContact `json:"contact,omitempty"`
}

// PartyContact is a party's contact, revealed to the other side only after
// the owner accepts an interest. Org is the party's organization as its
// own region names it.
type PartyContact struct {
	Org    string `json:"org,omitempty" validate:"max=200" org:"-"`
	Person string `json:"person,omitempty" validate:"max=64"`
	Phone  string `json:"phone,omitempty" validate:"max=32"`
	Email  string `json:"email,omitempty" validate:"max=254"`
	WeChat string `json:"wechat,omitempty" validate:"max=64"`
}

// messageID names a message after its sender, type, subject, addressee
// and time.
func messageID(m Message, subject string) string {
	return fmt.Sprintf("%s-%s-%s-%s-%d", m.From, m.Type, subject, m.To, m.Sent.UnixMicro())
}

func (f *Federation) send(ctx context.Context, m Message) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return f.o.Transport.Send(ctx, m.To, body)
}
