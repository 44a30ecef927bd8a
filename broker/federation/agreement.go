package federation

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/internal/textnorm"
)

// Kinds of agreement.
const (
	// AgreementStrategic is a strategic cooperation agreement (战略合作协议),
	// e.g. the Shanghai Technology Exchange with the Academic Department of
	// the China Association for Science and Technology (2020), or with
	// Tongling's science association (2023-04).
	AgreementStrategic = "strategic"
	// AgreementIntent is an intent cooperation agreement (意向合作协议) to
	// cultivate industry model rooms (样板间) in another city, e.g. Yangpu
	// and the exchange with Wuxi, Tongling and Jiaxing (2021-04). It is
	// fulfilled when the city builds its rooms from a blueprint (Fulfil).
	AgreementIntent = "intent"
	// AgreementWorkstation sets up a workstation (工作站) in another region.
	AgreementWorkstation = "workstation"
	// AgreementCooperation is any other cooperation between regions.
	AgreementCooperation = "cooperation"

	agreementKinds = "strategic intent workstation cooperation"
)

func validKind(k string) bool { return slices.Contains(strings.Fields(agreementKinds), k) }

// Agreement is an agreement between organizations (协议): its kind, the
// signing organizations (Parties: registry names or IDs) and, when it joins
// two regions, their codes (A, B), for which profiles and interests flow
// between the regions' nodes while it is in force (ActiveAt), possibly
// limited to some industry brokers (Brokers). An intent agreement records
// how it was fulfilled (Fulfilled, FulfilledBy).
//
// Agreements given in Options configure a node; those signed through
// Cooperation are records: process records, written only by its
// operations, public unless their Visibility says otherwise, and read in
// any case by their parties.
type Agreement struct {
	broker.Meta
	Kind    string   `json:"kind,omitempty" validate:"omitempty,oneof=strategic intent workstation cooperation"`
	Title   string   `json:"title,omitempty" validate:"max=300"`
	Parties []string `json:"parties,omitempty" validate:"max=20,dive,max=200" org:"list"`
	// A and B are the region codes the agreement joins, if it joins two
	// regions.
	A       string    `json:"a,omitempty" validate:"max=32"`
	B       string    `json:"b,omitempty" validate:"max=32"`
	Signed  time.Time `json:"signed"`
	Expires time.Time `json:"expires,omitzero"` // zero: open-ended
	Brokers []string  `json:"brokers,omitempty" validate:"max=50,dive,max=64"`
	Purpose string    `json:"purpose,omitempty" validate:"max=2000"`
	// Fulfilled is when an intent agreement was fulfilled; FulfilledBy
	// says by what.
	Fulfilled   time.Time   `json:"fulfilled,omitzero"`
	FulfilledBy *Fulfilment `json:"fulfilled_by,omitempty"`
}

// Fulfilment is how an intent agreement was fulfilled: the region built
// rooms by replicating a blueprint.
type Fulfilment struct {
	Blueprint string   `json:"blueprint" validate:"required,max=200"` // the blueprint's name
	Region    string   `json:"region" validate:"required,max=64"`     // where it was built (a region code or name)
	Rooms     []string `json:"rooms" validate:"min=1,max=200,dive,max=100"`
	Note      string   `json:"note,omitempty" validate:"max=2000"`
}

// Joins reports whether the agreement is between regions x and y.
func (a Agreement) Joins(x, y string) bool {
	return a.A != "" && a.B != "" && ((a.A == x && a.B == y) || (a.A == y && a.B == x))
}

// ActiveAt reports whether the agreement is in force at t.
func (a Agreement) ActiveAt(t time.Time) bool {
	return !a.Signed.IsZero() && !t.Before(a.Signed) && (a.Expires.IsZero() || t.Before(a.Expires))
}

// RecordKind is KindAgreement.
func (Agreement) RecordKind() broker.Kind { return KindAgreement }

// RecordStage indexes the kind (ListOptions.Stage).
func (a Agreement) RecordStage() string { return a.Kind }

// OwnerOrgs are the parties: they read the agreement whatever its tier.
func (a Agreement) OwnerOrgs() []string { return a.Parties }

// Normalized folds the text and the times.
func (a Agreement) Normalized() Agreement {
	a.Kind, a.Title, a.Purpose = textnorm.Enum(a.Kind), textnorm.Text(a.Title), textnorm.Multiline(a.Purpose)
	a.A, a.B = textnorm.Text(a.A), textnorm.Text(a.B)
	a.Parties, a.Brokers = textnorm.List(a.Parties), textnorm.List(a.Brokers)
	a.Signed, a.Expires, a.Fulfilled = utc(a.Signed), utc(a.Expires), utc(a.Fulfilled)
	if f := a.FulfilledBy; f != nil {
		n := Fulfilment{Blueprint: textnorm.Text(f.Blueprint), Region: textnorm.Text(f.Region), Rooms: textnorm.List(f.Rooms), Note: textnorm.Multiline(f.Note)}
		a.FulfilledBy = &n
	}
	return a
}

func utc(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// Validate checks the dates, the regions and the parties.
func (a Agreement) Validate(c *broker.Check) {
	if a.Signed.IsZero() {
		c.Add("signed", "required", "", "")
	}
	if !a.Expires.IsZero() && !a.Expires.After(a.Signed) {
		c.Add("expires", "date_order", "signed", a.Expires.Format(time.DateOnly))
	}
	switch {
	case (a.A == "") != (a.B == ""):
		c.Add("b", "required", "", "an agreement between regions names both")
	case a.A != "" && (!regionCode.MatchString(a.A) || !regionCode.MatchString(a.B) || a.A == a.B):
		c.Add("a", "invalid", "", "an agreement joins two different regions: "+a.A+" – "+a.B)
	}
	if len(a.Parties) == 0 && a.A == "" {
		c.Add("parties", "required", "", "")
	}
	if (a.FulfilledBy != nil) != !a.Fulfilled.IsZero() {
		c.Add("fulfilled", "invalid", "", "the date and the fulfilment go together")
	}
	if a.FulfilledBy != nil && a.Kind != AgreementIntent {
		c.Add("fulfilled_by", "invalid", "", "only an intent agreement is fulfilled")
	}
}

// GuardUpdate: only Fulfil records a fulfilment, and a signed agreement's
// parties, kind and regions do not change.
func (a Agreement) GuardUpdate(stored Agreement) []broker.FieldError {
	var out []broker.FieldError
	guard := func(field string, changed bool) {
		if changed {
			out = append(out, broker.FieldError{Field: field, Code: "guarded", Param: "Cooperation"})
		}
	}
	guard("fulfilled", !a.Fulfilled.Equal(stored.Fulfilled) || (a.FulfilledBy == nil) != (stored.FulfilledBy == nil))
	if stored.ID != "" {
		guard("kind", a.Kind != stored.Kind)
		guard("parties", !slices.Equal(a.Parties, stored.Parties))
		guard("a", a.A != stored.A || a.B != stored.B)
	}
	return out
}

// Workstation (工作站) is a platform's presence in another region, e.g. the
// Taizhou workstation of the marine technology trading platform (上海国际海洋
// 技术交易服务平台台州工作站, 2020-12): it runs in region Host for the
// platform of region Home, at the host's desk (Meta.Broker, whose staff run
// it), under an agreement between the two. At the host's node an interest in a profile of Home's
// Broker expressed by an organization itself is routed to the
// workstation's desk; and the workstation collects its region's offers and
// requests — the listings and demands of its desk — and forwards them home
// under the agreement (Federation.Forward), remembering what it forwarded.
type Workstation struct {
	broker.Meta
	Name      string    `json:"name" validate:"required,max=200"`
	Host      string    `json:"host" validate:"required,max=32"` // region code where it sits
	Home      string    `json:"home" validate:"required,max=32"` // region code of the platform it serves
	Agreement string    `json:"agreement" validate:"required,max=64"`
	Opened    time.Time `json:"opened"`
	// Forwarded are the listings and demands it forwarded home
	// ("listing:ID", "demand:ID"), in the order forwarded.
	Forwarded []string  `json:"forwarded,omitempty" validate:"max=100000,dive,max=100"`
	LastRun   time.Time `json:"last_run,omitzero"`
}

// RecordKind is KindWorkstation.
func (Workstation) RecordKind() broker.Kind { return KindWorkstation }

// Normalized folds the text and the times.
func (w Workstation) Normalized() Workstation {
	w.Name, w.Host, w.Home = textnorm.Text(w.Name), textnorm.Text(w.Host), textnorm.Text(w.Home)
	w.Agreement = textnorm.Text(w.Agreement)
	w.Opened, w.LastRun = utc(w.Opened), utc(w.LastRun)
	return w
}

// Validate checks the regions.
func (w Workstation) Validate(c *broker.Check) {
	if !regionCode.MatchString(w.Host) || !regionCode.MatchString(w.Home) || w.Host == w.Home {
		c.Add("host", "invalid", "", "a workstation sits in one region for another: "+w.Host+" – "+w.Home)
	}
	if w.Opened.IsZero() {
		c.Add("opened", "required", "", "")
	}
}

// GuardUpdate: what it forwarded is written by Forward only.
func (w Workstation) GuardUpdate(stored Workstation) []broker.FieldError {
	if !slices.Equal(w.Forwarded, stored.Forwarded) || !w.LastRun.Equal(stored.LastRun) {
		return []broker.FieldError{{Field: "forwarded", Code: "guarded", Param: "Federation.Forward"}}
	}
	return nil
}

// Cooperation keeps a System's agreements and workstations as records:
// what was signed, with whom and when, what an intent agreement led to,
// and where the platform has workstations. Its writes are operations of
// the System's process records (platform admins, by the access policy);
// every signed-in principal reads the public ones, and the parties theirs.
type Cooperation struct {
	sys *broker.System
	// Agreements and Workstations give the plain reads, filtered by the
	// access policy.
	Agreements   *broker.Library[Agreement]
	Workstations *broker.Library[Workstation]
}

// NewCooperation returns the agreement and workstation records of sys,
// making their kinds known to it.
func NewCooperation(sys *broker.System) *Cooperation {
	return &Cooperation{sys: sys, Agreements: broker.NewLibrary[Agreement](sys), Workstations: broker.NewLibrary[Workstation](sys)}
}

// Sign records a signed agreement. Its kind is required; an agreement
// between regions names both codes, any other its parties; a fulfilment
// cannot be recorded at signing (Fulfil does it). The principal must be
// allowed to write process records (platform admins).
func (c *Cooperation) Sign(ctx context.Context, p broker.Principal, a Agreement) (Agreement, error) {
	if a.Kind == "" {
		return Agreement{}, broker.Wrap("sign", KindAgreement, a.ID, &broker.ValidationError{Kind: KindAgreement,
			Fields: []broker.FieldError{{Field: "kind", Code: "required"}}})
	}
	a.Fulfilled, a.FulfilledBy = time.Time{}, nil
	var out Agreement
	err := c.sys.Update(ctx, func(tx *broker.Tx) error {
		var err error
		out, err = broker.Create(tx, p, a, broker.Logged("signed", nil))
		return err
	})
	return out, broker.Wrap("sign", KindAgreement, a.ID, err)
}

// ErrFulfilled: the intent agreement is fulfilled already.
var ErrFulfilled = errors.New("federation: the agreement is fulfilled already")

// Fulfil records that an intent agreement (意向合作协议) was fulfilled: the
// city built its model rooms by replicating a blueprint (package
// broker/blueprint does it and calls Fulfil). Only an intent agreement in
// force at the time is fulfilled, once (ErrFulfilled, matching
// broker.ErrConflict, the second time). The principal must operate the
// agreement (platform admins).
func (c *Cooperation) Fulfil(ctx context.Context, p broker.Principal, id string, f Fulfilment) (Agreement, error) {
	var out Agreement
	err := c.sys.Update(ctx, func(tx *broker.Tx) error {
		a, err := broker.Read[Agreement](tx, id)
		if err != nil {
			return err
		}
		if !broker.CanDo(p, broker.ActOperate, a) {
			return broker.Forbidden("fulfil", KindAgreement, id, "platform admins record what an agreement led to")
		}
		now := tx.Now()
		switch {
		case a.Kind != AgreementIntent:
			return broker.Refused("fulfil", KindAgreement, id, "only an intent agreement (意向合作协议) is fulfilled, not a "+a.Kind+" one")
		case a.FulfilledBy != nil:
			return &broker.Error{Op: "fulfil", Kind: KindAgreement, ID: id, Code: broker.ErrConflict, Err: ErrFulfilled}
		case !a.ActiveAt(now):
			return broker.Refused("fulfil", KindAgreement, id, "the agreement is not in force")
		}
		a.Fulfilled, a.FulfilledBy = now, &f
		out, err = broker.Replace(tx, p, a, broker.Via(broker.ActOperate, broker.TargetOf(a)), broker.Logged("fulfilled", nil))
		return err
	})
	return out, broker.Wrap("fulfil", KindAgreement, id, err)
}

// Open records a workstation under a stored agreement that joins its host
// and home regions and is in force when it opens. The principal must be
// allowed to write process records (platform admins).
func (c *Cooperation) Open(ctx context.Context, p broker.Principal, w Workstation) (Workstation, error) {
	w.Forwarded, w.LastRun = nil, time.Time{}
	var out Workstation
	err := c.sys.Update(ctx, func(tx *broker.Tx) error {
		a, err := broker.Read[Agreement](tx, w.Agreement)
		if errors.Is(err, broker.ErrNotFound) {
			return &broker.ValidationError{Kind: KindWorkstation, Fields: []broker.FieldError{{Field: "agreement", Code: "ref", Value: w.Agreement}}}
		} else if err != nil {
			return err
		}
		if !a.Joins(w.Host, w.Home) || !a.ActiveAt(w.Opened) {
			return &broker.ValidationError{Kind: KindWorkstation, Fields: []broker.FieldError{{Field: "agreement", Code: "invalid",
				Value: "agreement " + a.ID + " does not join " + w.Host + " and " + w.Home + " when the workstation opens"}}}
		}
		out, err = broker.Create(tx, p, w, broker.Logged("opened", nil))
		return err
	})
	return out, broker.Wrap("open", KindWorkstation, w.ID, err)
}

// reader reads the stored agreements and workstations a node's rules need,
// whoever asks.
var reader = broker.PlatformAdmin("federation")

func storedAgreements(tx *broker.Tx) ([]Agreement, error) {
	return broker.Find[Agreement](tx, reader, broker.ListOptions{})
}

func storedWorkstations(tx *broker.Tx) ([]Workstation, error) {
	return broker.Find[Workstation](tx, reader, broker.ListOptions{})
}

// ForwardReport says what a workstation forwarded.
type ForwardReport struct {
	// Listings and Demands are the IDs forwarded by this call.
	Listings, Demands []string
	// Skipped are the ones that could not be shared (a leak of private
	// data, an agreement not covering them), each with its error; they
	// are tried again at the next call.
	Skipped []error
}

// Forward runs a workstation of this node: it collects the offers and
// requests of its region — the open (or noticed) listings and the open,
// not confidential demands of its desk (Meta.Broker) that it has not
// forwarded yet — and forwards them to its home region under its agreement
// (Share, ShareDemand: the same anonymous profiles and leak rule), then
// records what it forwarded on the workstation, so nothing goes twice. The
// principal must operate the workstation (its desk's staff, platform
// admins); the workstation must sit in this node's region.
func (f *Federation) Forward(ctx context.Context, p broker.Principal, workstationID string) (ForwardReport, error) {
	const op = "forward"
	var rep ForwardReport
	var w Workstation
	var listings []string
	var demands []string
	err := f.sys.Update(ctx, func(tx *broker.Tx) error {
		listings, demands = nil, nil
		var err error
		if w, err = broker.Read[Workstation](tx, workstationID); err != nil {
			return err
		}
		if !broker.CanDo(p, broker.ActOperate, w) {
			return broker.Forbidden(op, KindWorkstation, workstationID, "the workstation's desk and platform admins run it")
		}
		if w.Host != f.o.Region.Code {
			return broker.Refused(op, KindWorkstation, workstationID, "the workstation sits in region "+w.Host+", not in this node's "+f.o.Region.Code)
		}
		done := map[string]bool{}
		for _, x := range w.Forwarded {
			done[x] = true
		}
		now := tx.Now()
		ls, err := broker.Find[exchange.Listing](tx, reader, broker.ListOptions{Broker: w.Broker})
		if err != nil {
			return err
		}
		for _, l := range ls {
			if st := l.StatusAt(now); (st == exchange.ListingOpen || st == exchange.ListingNotice) && !done["listing:"+l.ID] {
				listings = append(listings, l.ID)
			}
		}
		ds, err := broker.Find[broker.Demand](tx, reader, broker.ListOptions{Broker: w.Broker})
		if err != nil {
			return err
		}
		for _, d := range ds {
			switch d.Status {
			case "", broker.DemandReceived, broker.DemandDiagnosed, broker.DemandMatching:
				if d.Visibility != broker.Confidential && !done["demand:"+d.ID] {
					demands = append(demands, d.ID)
				}
			}
		}
		return nil
	})
	if err != nil {
		return rep, broker.Wrap(op, KindWorkstation, workstationID, err)
	}
	var sent []string
	for _, id := range listings {
		if _, err := f.Share(ctx, p, id, w.Home); err != nil {
			if !refusal(err) {
				return rep, err
			}
			rep.Skipped = append(rep.Skipped, err)
			continue
		}
		rep.Listings = append(rep.Listings, id)
		sent = append(sent, "listing:"+id)
	}
	for _, id := range demands {
		if _, err := f.ShareDemand(ctx, p, id, w.Home); err != nil {
			if !refusal(err) {
				return rep, err
			}
			rep.Skipped = append(rep.Skipped, err)
			continue
		}
		rep.Demands = append(rep.Demands, id)
		sent = append(sent, "demand:"+id)
	}
	err = f.sys.Update(ctx, func(tx *broker.Tx) error {
		cur, err := broker.Read[Workstation](tx, workstationID)
		if err != nil {
			return err
		}
		cur.Forwarded = append(slices.Clone(cur.Forwarded), sent...)
		cur.LastRun = tx.Now()
		_, err = broker.Replace(tx, p, cur, broker.Via(broker.ActOperate, broker.TargetOf(cur)), broker.Logged("forwarded", nil))
		return err
	})
	return rep, broker.Wrap(op, KindWorkstation, workstationID, err)
}

// refusal reports whether err refuses one record (bad data, a missing
// agreement, a state that does not allow sharing) rather than failing the
// store or the transport.
func refusal(err error) bool {
	return errors.Is(err, broker.ErrInvalid) || errors.Is(err, broker.ErrForbidden) || errors.Is(err, broker.ErrConflict)
}
