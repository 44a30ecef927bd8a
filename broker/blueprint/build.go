package blueprint

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/federation"
)

// KindModel is the kind of the stored model: one record per System, with
// ModelID as its ID, so that the System keeps its scorecard scheme, policy
// rules and staff roles with the rest.
const KindModel broker.Kind = "blueprint"

// ModelID is the stored model's record ID.
const ModelID = "model"

// stored is the model as a record.
type stored struct {
	broker.Meta
	Model Model `json:"model"`
}

func (stored) RecordKind() broker.Kind { return KindModel }

// Build returns a System over store with the whole model created in it:
// the rooms as industry brokers (broker.Build, with the model's code lists),
// the partners as organizations of the registry with their roles, each
// room's standard service package, the societies with their service teams
// and evaluation qualifications, and the model itself as a record (Stored
// reads it back: the scorecard, the policy rules, the staff roles). What
// already exists is kept as it is, so Build on a persistent store is
// idempotent. p must be a platform admin. A model that fails Validate is
// refused before anything is written.
func Build(ctx context.Context, store broker.Store, m *Model, p broker.Principal, opts *broker.Options) (*broker.System, error) {
	if m == nil {
		return nil, broker.Wrap("build", Kind, "", &broker.ValidationError{Kind: Kind, Fields: []broker.FieldError{{Field: "model", Code: "required"}}})
	}
	if err := m.Validate(); err != nil {
		return nil, broker.Wrap("build", Kind, "", err)
	}
	sys, err := broker.Build(ctx, store, m.Core(), p, opts)
	if err != nil {
		return nil, err
	}
	if err := create(ctx, sys, m, p); err != nil {
		return nil, broker.Wrap("build", Kind, "", err)
	}
	return sys, nil
}

// create writes the partners, packages, societies and the model record.
func create(ctx context.Context, sys *broker.System, m *Model, p broker.Principal) error {
	models := broker.NewLibrary[stored](sys)
	existing := map[string]bool{}
	orgs, err := sys.Organizations.Find(ctx, p, broker.ListOptions{})
	if err != nil {
		return err
	}
	for _, o := range orgs {
		existing[o.Name] = true
	}
	for _, pt := range m.Partners {
		if existing[pt.Name] {
			continue
		}
		if _, err := sys.Organizations.Create(ctx, p, broker.Organization{Name: pt.Name, NameEN: pt.NameEN, Roles: pt.OrgRoles}); err != nil && !errors.Is(err, broker.ErrExists) {
			return fmt.Errorf("partner %s: %w", pt.Name, err)
		}
		existing[pt.Name] = true
	}
	for _, r := range m.Rooms {
		sp := broker.ServicePackage{Meta: broker.Meta{ID: r.ID, Broker: r.ID}, Name: r.Package.Name, Services: r.Package.Services}
		if _, err := sys.ServicePackages.Get(ctx, p, r.ID); err == nil {
			continue
		} else if !errors.Is(err, broker.ErrNotFound) {
			return err
		}
		if _, err := sys.ServicePackages.Create(ctx, p, sp); err != nil && !errors.Is(err, broker.ErrExists) {
			return fmt.Errorf("service package of %s: %w", r.ID, err)
		}
	}
	for _, s := range m.Societies {
		if _, err := sys.Societies.Get(ctx, p, s.ID); errors.Is(err, broker.ErrNotFound) {
			if _, err := sys.Societies.Create(ctx, p, broker.Society{Meta: broker.Meta{ID: s.ID}, Name: s.Name, NameEN: s.NameEN,
				Disciplines: s.Disciplines, Teams: s.Teams}); err != nil && !errors.Is(err, broker.ErrExists) {
				return fmt.Errorf("society %s: %w", s.ID, err)
			}
		} else if err != nil {
			return err
		}
		if q := s.Qualification; q != nil {
			if _, err := sys.GrantQualification(ctx, p, broker.Qualification{Society: s.ID, Ref: q.Ref, Until: q.Until.Time}); err != nil {
				return fmt.Errorf("qualification of %s: %w", s.ID, err)
			}
		}
	}
	if _, err := models.Get(ctx, p, ModelID); errors.Is(err, broker.ErrNotFound) {
		if _, err := models.Create(ctx, p, stored{Meta: broker.Meta{ID: ModelID, Visibility: broker.Public, Region: m.RegionCode}, Model: *m.Clone()}); err != nil && !errors.Is(err, broker.ErrExists) {
			return fmt.Errorf("model record: %w", err)
		}
	} else if err != nil {
		return err
	}
	return nil
}

// Stored returns the model a System was built from (Build), as stored:
// the scorecard scheme, the policy rules and the staff roles with the
// rest. broker.ErrNotFound for a System not built from a model.
func Stored(ctx context.Context, sys *broker.System, p broker.Principal) (*Model, error) {
	s, err := broker.NewLibrary[stored](sys).Get(ctx, p, ModelID)
	if err != nil {
		return nil, err
	}
	m := s.Model
	return &m, nil
}

// Replicate returns the model for another city from that city's own
// blueprint (JSON, read from r): its name, region, exchange, oversight
// body, code lists, rooms, partners and societies are the city's; what
// makes the model is copied from m where the city's blueprint leaves it
// out — the staff roles, the scorecard scheme, the policy rules, and for a
// room without a package of its own, m's standard service package (that of
// its first room by sector, named for the room). The result is validated
// (every error listed, as Parse does).
func (m *Model) Replicate(r io.Reader) (*Model, error) {
	dec := json.NewDecoder(io.LimitReader(r, 16<<20))
	dec.DisallowUnknownFields()
	var city Model
	if err := dec.Decode(&city); err != nil {
		return nil, broker.Wrap("replicate", Kind, "", &broker.ValidationError{Kind: Kind, Fields: []broker.FieldError{{Code: "malformed", Param: "JSON", Value: err.Error()}}})
	}
	src := m.Clone()
	if len(city.StaffRoles) == 0 {
		city.StaffRoles = src.StaffRoles
	}
	if city.Scorecard == nil {
		city.Scorecard = src.Scorecard
	}
	if city.Policies == nil {
		city.Policies = src.Policies
	}
	var base *Package
	for _, room := range src.Rooms {
		if !room.Sector.ByPlace() {
			base = &room.Package
			break
		}
	}
	for i := range city.Rooms {
		if len(city.Rooms[i].Package.Services) == 0 && base != nil {
			city.Rooms[i].Package = Package{Name: city.Rooms[i].Name + "标准服务产品包", Services: base.Services}
		}
	}
	if err := city.Validate(); err != nil {
		return nil, broker.Wrap("replicate", Kind, "", err)
	}
	return &city, nil
}

// Fulfil records, in the System that signed it, that an intent agreement
// (意向合作协议) to cultivate model rooms was fulfilled by building model
// built in the other city: the fulfilment names the model, its region and
// the rooms it built (federation.Cooperation.Fulfil).
func Fulfil(ctx context.Context, coop *federation.Cooperation, p broker.Principal, agreementID string, built *Model) (federation.Agreement, error) {
	f := federation.Fulfilment{Blueprint: built.Name, Region: built.RegionCode}
	for _, r := range built.Rooms {
		f.Rooms = append(f.Rooms, r.ID)
	}
	return coop.Fulfil(ctx, p, agreementID, f)
}

// JSON returns the model as indented JSON.
func (m *Model) JSON() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		panic("blueprint: a model does not marshal: " + err.Error()) // cannot happen
	}
	return b.Bytes()
}
