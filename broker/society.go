package broker

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/kexie/techbroker/broker/driver"
)

// Society is an academic society (学会) docked onto the platform through
// the society docking platform (学会资源对接平台). It contributes experts
// and achievements (their Provenance.Society names it) and runs service
// teams (科技服务团) for named regions. A society with evaluation
// qualification (有科技评估资质) can run screening panels: only its member
// experts may sit on them (see QualifiedPanelists).
//
// Its ID is chosen by the caller (e.g. "csme" for 中国机械工程学会); a
// society admin's Principal.Org is that ID. The society's admin edits the
// society; its evaluation qualification is a separate record that only
// platform admins grant (GrantQualification), so a society cannot qualify
// itself.
type Society struct {
	Meta
	Name        string   `json:"name" validate:"required,max=200"`
	NameEN      string   `json:"name_en,omitempty" validate:"max=200"`
	Disciplines []string `json:"disciplines,omitempty" validate:"max=50,dive,max=32"`
	// Experts are the IDs of member experts in the expert library.
	Experts []string      `json:"experts,omitempty" validate:"max=100000,dive,max=64"`
	Teams   []ServiceTeam `json:"teams,omitempty" validate:"max=200,dive"`
}

// ServiceTeam is a society's science and technology service team
// (科技服务团) serving named regions.
type ServiceTeam struct {
	Name    string   `json:"name" validate:"required,max=200"`
	Regions []string `json:"regions" validate:"min=1,max=50,dive,max=64"`
	Experts []string `json:"experts,omitempty" validate:"max=500,dive,max=64"`
	Lead    string   `json:"lead,omitempty" validate:"max=64"` // expert ID
}

func (Society) kind() Kind                     { return KindSociety }
func (so Society) getMeta() Meta               { return so.Meta }
func (so Society) withMeta(m Meta) Society     { so.Meta = m; return so }
func (so Society) stage() string               { return "" }
func (so Society) dedupKey() string            { return dedupKey(so.Name, "") }
func (so Society) ownerOrgs() []string         { return nil }
func (so Society) redactFor(Principal) Society { return so }
func (Society) columns() map[string]setter[Society] {
	return withColumns(metaColumns(func(so *Society) *Meta { return &so.Meta }), map[string]setter[Society]{
		"name":        func(so *Society, s string, c *checker) { so.Name = s },
		"name_en":     func(so *Society, s string, c *checker) { so.NameEN = s },
		"disciplines": func(so *Society, s string, c *checker) { so.Disciplines = splitList(s) },
		"experts":     func(so *Society, s string, c *checker) { so.Experts = splitList(s) },
	})
}

func (so Society) normalized() Society {
	so.Meta.normalize()
	so.Name, so.NameEN = normText(so.Name), normText(so.NameEN)
	so.Disciplines = normCodes(so.Disciplines)
	so.Experts = normList(so.Experts)
	if so.Teams != nil {
		ts := make([]ServiceTeam, len(so.Teams))
		for i, t := range so.Teams {
			ts[i] = ServiceTeam{Name: normText(t.Name), Regions: normList(t.Regions), Experts: normList(t.Experts), Lead: normText(t.Lead)}
		}
		so.Teams = ts
	}
	return so
}

func (so Society) check(c *checker, s *System) {
	s.checkCodes(c, "disciplines", "discipline", so.Disciplines, s.disciplines)
	if so.ID == "" {
		c.add("id", "required", "", "")
	}
}

// kindQualification is the kind of a society's evaluation qualification
// record; its ID is the society's.
const kindQualification Kind = "society_qualification"

// Qualification is a society's technology evaluation qualification
// (科技评估资质), granted by a platform admin.
type Qualification struct {
	Society string    `json:"society"`
	Ref     string    `json:"ref"`            // the certificate or notice; required
	Until   time.Time `json:"until,omitzero"` // when it lapses; zero means no end
	Granted time.Time `json:"granted"`        // set by the System
	By      string    `json:"by"`             // the granting admin, set by the System
	Version int64     `json:"version,omitempty"`
}

// Valid reports whether the qualification holds at time at.
func (q Qualification) Valid(at time.Time) bool {
	return q.Ref != "" && (q.Until.IsZero() || at.Before(q.Until))
}

// GrantQualification records (or renews) a society's evaluation
// qualification. Platform admins only; ErrInvalid without a reference or
// for a society that does not exist.
func (s *System) GrantQualification(ctx context.Context, p Principal, q Qualification) (Qualification, error) {
	q.Society, q.Ref = normText(q.Society), normText(q.Ref)
	if p.Role != RolePlatformAdmin {
		return Qualification{}, forbidden("grant qualification", KindSociety, q.Society, "platform admins only")
	}
	ch := &checker{}
	if q.Ref == "" {
		ch.add("ref", "required", "", "")
	}
	checkText(ch, "ref", q.Ref, 200)
	if err := ch.err(KindSociety); err != nil {
		return Qualification{}, wrap("grant qualification", KindSociety, q.Society, err)
	}
	if !q.Until.IsZero() {
		q.Until = q.Until.UTC().Truncate(time.Microsecond)
	}
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		if _, _, err := s.societyTx(ctx, tx, q.Society); err != nil {
			return err
		}
		now := s.now()
		q.Granted, q.By = now, p.ID
		m := Meta{ID: q.Society, Created: now, Updated: now}
		cur, err := tx.Get(ctx, string(kindQualification), q.Society)
		create := errors.Is(err, ErrNotFound)
		if err != nil && !create {
			return err
		}
		if !create {
			m.Version, m.Created = cur.Version, cur.Created
		}
		if err := s.putTx(ctx, tx, p, kindQualification, &m, "", "granted", q, create); err != nil {
			return err
		}
		q.Version = m.Version
		return nil
	})
	if err != nil {
		return Qualification{}, wrap("grant qualification", KindSociety, q.Society, err)
	}
	return q, nil
}

// RevokeQualification removes a society's evaluation qualification.
// Platform admins only; ErrNotFound if it has none.
func (s *System) RevokeQualification(ctx context.Context, p Principal, society string) error {
	if p.Role != RolePlatformAdmin {
		return forbidden("revoke qualification", KindSociety, society, "platform admins only")
	}
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		cur, err := tx.Get(ctx, string(kindQualification), society)
		if err != nil {
			return err
		}
		if err := tx.Delete(ctx, string(kindQualification), society, cur.Version); err != nil {
			return err
		}
		return tx.Append(ctx, driver.Event{Kind: string(kindQualification), RecordID: society, Type: "revoked", Actor: p.ID, Time: s.now()})
	})
	return wrap("revoke qualification", KindSociety, society, err)
}

// qualifications returns the stored qualifications by society ID.
func (s *System) qualifications(ctx context.Context) (map[string]Qualification, error) {
	recs, err := s.store.List(ctx, driver.Query{Kind: string(kindQualification)})
	if err != nil {
		return nil, err
	}
	out := make(map[string]Qualification, len(recs))
	for _, r := range recs {
		var q Qualification
		if err := decode(r.Body, &q); err != nil {
			return nil, err
		}
		q.Version = r.Version
		out[r.ID] = q
	}
	return out, nil
}

// HasMember reports whether the expert belongs to the society: listed in
// its Experts, or naming the society's ID or name among Expert.Societies.
func (so Society) HasMember(e Expert) bool {
	if e.ID != "" && slices.Contains(so.Experts, e.ID) {
		return true
	}
	return slices.Contains(e.Societies, so.ID) || (so.Name != "" && slices.Contains(e.Societies, so.Name))
}

// Serves reports whether a team serves the region.
func (t ServiceTeam) Serves(region string) bool {
	return slices.Contains(t.Regions, normText(region))
}

// ContributeExpert adds an expert to the expert library on behalf of a
// society: the expert's Provenance.Society is the society, the society is
// added to Expert.Societies, and the society's Experts list gains the new
// ID — in one transaction. The principal must be a platform admin or the
// society's admin.
func (s *System) ContributeExpert(ctx context.Context, p Principal, societyID string, e Expert) (Expert, error) {
	e.Provenance.Society = societyID
	if !slices.Contains(e.Societies, societyID) {
		e.Societies = append(slices.Clone(e.Societies), societyID)
	}
	lib := s.Experts
	e, err := lib.prepare(e)
	if err != nil {
		return Expert{}, wrap("contribute", KindExpert, e.ID, err)
	}
	if !p.canWrite(KindExpert, e.Meta, nil) || !p.canWrite(KindSociety, Meta{ID: societyID}, nil) {
		return Expert{}, forbidden("contribute", KindExpert, e.ID, "only platform admins and the society's admin contribute for a society")
	}
	e = lib.stamp(p, e, s.now())
	err = driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		so, ver, err := s.societyTx(ctx, tx, societyID)
		if err != nil {
			return err
		}
		if err := lib.createTx(ctx, tx, p, e, "contributed"); err != nil {
			return err
		}
		so.Experts = append(so.Experts, e.ID)
		so.Version = ver
		_, err = s.Societies.replaceTx(ctx, tx, p, so, "member_added")
		return err
	})
	if err != nil {
		return Expert{}, wrap("contribute", KindExpert, e.ID, err)
	}
	e.Version = 1
	return e.redactFor(p), nil
}

// ContributeAchievement adds an achievement on behalf of a society, with
// Provenance.Society set, in one transaction with an event on the society.
// The principal must be a platform admin or the society's admin.
func (s *System) ContributeAchievement(ctx context.Context, p Principal, societyID string, a Achievement) (Achievement, error) {
	a.Provenance.Society = societyID
	lib := s.Achievements
	a, err := lib.prepare(a)
	if err != nil {
		return Achievement{}, wrap("contribute", KindAchievement, a.ID, err)
	}
	if !p.canWrite(KindAchievement, a.Meta, a.ownerOrgs()) || !p.canWrite(KindSociety, Meta{ID: societyID}, nil) {
		return Achievement{}, forbidden("contribute", KindAchievement, a.ID, "only platform admins and the society's admin contribute for a society")
	}
	a = lib.stamp(p, a, s.now())
	err = driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		if _, _, err := s.societyTx(ctx, tx, societyID); err != nil {
			return err
		}
		return lib.createTx(ctx, tx, p, a, "contributed")
	})
	if err != nil {
		return Achievement{}, wrap("contribute", KindAchievement, a.ID, err)
	}
	a.Version = 1
	return a.redactFor(p), nil
}

func (s *System) societyTx(ctx context.Context, tx driver.Tx, id string) (Society, int64, error) {
	rec, err := tx.Get(ctx, string(KindSociety), id)
	if errors.Is(err, ErrNotFound) {
		return Society{}, 0, &ValidationError{Kind: KindSociety, Fields: []FieldError{{Field: "society", Code: "ref", Value: id}}}
	}
	if err != nil {
		return Society{}, 0, err
	}
	so, err := s.Societies.decodeRecord(rec)
	return so, rec.Version, err
}

// allSocieties reads every society (the list is small: tens, not millions).
func (s *System) allSocieties(ctx context.Context) ([]Society, error) {
	recs, err := s.store.List(ctx, driver.Query{Kind: string(KindSociety)})
	if err != nil {
		return nil, err
	}
	out := make([]Society, 0, len(recs))
	for _, r := range recs {
		so, err := s.Societies.decodeRecord(r)
		if err != nil {
			return nil, err
		}
		out = append(out, so)
	}
	return out, nil
}

// QualifiedSocieties returns the societies whose evaluation qualification
// is valid now, ordered by ID.
func (s *System) QualifiedSocieties(ctx context.Context, p Principal) ([]Society, error) {
	out, err := s.qualifiedSocieties(ctx, p)
	return out, wrap("qualified societies", KindSociety, "", err)
}

func (s *System) qualifiedSocieties(ctx context.Context, p Principal) ([]Society, error) {
	all, err := s.allSocieties(ctx)
	if err != nil {
		return nil, err
	}
	qs, err := s.qualifications(ctx)
	if err != nil {
		return nil, err
	}
	now := s.now()
	var out []Society
	for _, so := range all {
		if q, ok := qs[so.ID]; ok && q.Valid(now) && p.canRead(so.Meta, nil) {
			out = append(out, so)
		}
	}
	return out, nil
}

// PanelEligible reports whether an expert may sit on a screening panel:
// whether they belong to a society with a valid evaluation qualification.
// It returns the IDs of those societies (empty when not eligible).
func (s *System) PanelEligible(ctx context.Context, expertID string) ([]string, error) {
	rec, err := s.store.Get(ctx, string(KindExpert), expertID)
	if err != nil {
		return nil, wrap("panel eligible", KindExpert, expertID, err)
	}
	e, err := s.Experts.decodeRecord(rec)
	if err != nil {
		return nil, wrap("panel eligible", KindExpert, expertID, err)
	}
	socs, err := s.qualifiedSocieties(ctx, PlatformAdmin("system"))
	if err != nil {
		return nil, wrap("panel eligible", KindExpert, expertID, err)
	}
	var ids []string
	for _, so := range socs {
		if so.HasMember(e) {
			ids = append(ids, so.ID)
		}
	}
	return ids, nil
}

// PanelQuery narrows QualifiedPanelists.
type PanelQuery struct {
	// Society, if set, keeps only members of that (qualified) society.
	Society string
	// Disciplines, if set, keeps experts sharing at least one discipline
	// code with it (a code matches when one is a prefix of the other).
	Disciplines []string
	// Exclude lists expert IDs to leave out (e.g. declared conflicts).
	Exclude []string
}

// Panelist is an expert who may sit on a screening panel, with the
// qualified societies that make them eligible.
type Panelist struct {
	Expert    Expert
	Societies []string
}

// QualifiedPanelists returns the experts who may sit on screening panels:
// members of a society whose evaluation qualification is valid now,
// filtered by q, ordered by expert ID. Experts come redacted for p (an
// expert principal sees no one's contact data but their own).
func (s *System) QualifiedPanelists(ctx context.Context, p Principal, q PanelQuery) ([]Panelist, error) {
	socs, err := s.QualifiedSocieties(ctx, p)
	if err != nil {
		return nil, err
	}
	if q.Society != "" {
		socs = slices.DeleteFunc(socs, func(so Society) bool { return so.ID != q.Society })
	}
	if len(socs) == 0 {
		return nil, nil
	}
	disc := normCodes(q.Disciplines)
	var out []Panelist
	after := ""
	for {
		page, err := s.Experts.List(ctx, p, ListOptions{Cursor: after, Limit: 10000})
		if err != nil {
			return nil, err
		}
		for _, e := range page.Items {
			if slices.Contains(q.Exclude, e.ID) {
				continue
			}
			if len(disc) > 0 && !sharesCode(disc, e.Disciplines) {
				continue
			}
			var ids []string
			for _, so := range socs {
				if so.HasMember(e) {
					ids = append(ids, so.ID)
				}
			}
			if len(ids) > 0 {
				out = append(out, Panelist{Expert: e, Societies: ids})
			}
		}
		if page.Next == "" {
			return out, nil
		}
		after = page.Next
	}
}

func sharesCode(want, have []string) bool {
	for _, h := range have {
		if prefixMatch(want, h) {
			return true
		}
	}
	return false
}

// TeamAssignment is a service team and its society.
type TeamAssignment struct {
	Society string
	Team    ServiceTeam
}

// TeamsServing returns the service teams (科技服务团) serving a region,
// ordered by society ID then team order.
func (s *System) TeamsServing(ctx context.Context, p Principal, region string) ([]TeamAssignment, error) {
	all, err := s.allSocieties(ctx)
	if err != nil {
		return nil, wrap("teams", KindSociety, "", err)
	}
	var out []TeamAssignment
	for _, so := range all {
		if !p.canRead(so.Meta, nil) {
			continue
		}
		for _, t := range so.Teams {
			if t.Serves(region) {
				out = append(out, TeamAssignment{Society: so.ID, Team: t})
			}
		}
	}
	return out, nil
}
