package broker

import (
	"context"
	"errors"
	"slices"
	"time"
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

func (Society) RecordKind() Kind       { return KindSociety }
func (Society) AccessClass() Class     { return ClassSociety }
func (so Society) OwnerOrgs() []string { return []string{so.ID} }
func (so Society) DedupKey() string    { return dedupKey(so.Name, "") }
func (Society) columns() map[string]setter[Society] {
	return withColumns(metaColumns(func(so *Society) *Meta { return &so.Meta }), map[string]setter[Society]{
		"name":        func(so *Society, s string, c *Check) { so.Name = s },
		"name_en":     func(so *Society, s string, c *Check) { so.NameEN = s },
		"disciplines": func(so *Society, s string, c *Check) { so.Disciplines = splitList(s) },
		"experts":     func(so *Society, s string, c *Check) { so.Experts = splitList(s) },
	})
}

func (so Society) Normalized() Society {
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

func (so Society) Validate(c *Check) {
	c.Disciplines("disciplines", so.Disciplines)
	if so.ID == "" {
		c.Add("id", "required", "", "")
	}
}

// kindQualification is the kind of a society's evaluation qualification
// record; its ID is the society's.
const kindQualification Kind = "society_qualification"

// Qualification is a society's technology evaluation qualification
// (科技评估资质), granted by a platform admin. Its ID is the society's.
type Qualification struct {
	Meta
	Society string    `json:"society"`
	Ref     string    `json:"ref" validate:"required,max=200"` // the certificate or notice
	Until   time.Time `json:"until,omitzero"`                  // when it lapses; zero means no end
	Granted time.Time `json:"granted"`                         // set by the System
	By      string    `json:"by"`                              // the granting admin, set by the System
}

// RecordKind: qualifications are process records that only platform admins
// write.
func (Qualification) RecordKind() Kind { return kindQualification }

// Normalized folds the text and the time.
func (q Qualification) Normalized() Qualification {
	q.Society, q.Ref = normText(q.Society), normText(q.Ref)
	q.ID = q.Society
	if !q.Until.IsZero() {
		q.Until = q.Until.UTC().Truncate(time.Microsecond)
	}
	return q
}

// Valid reports whether the qualification holds at time at.
func (q Qualification) Valid(at time.Time) bool {
	return q.Ref != "" && (q.Until.IsZero() || at.Before(q.Until))
}

// GrantQualification records (or renews) a society's evaluation
// qualification. Platform admins only; ErrInvalid without a reference or
// for a society that does not exist.
func (s *System) GrantQualification(ctx context.Context, p Principal, q Qualification) (Qualification, error) {
	q = q.Normalized()
	err := s.update(ctx, "grant qualification", KindSociety, q.Society, func(tx *Tx) error {
		if _, err := societyTx(tx, q.Society); err != nil {
			return err
		}
		q.Granted, q.By = tx.Now(), p.ID
		cur, err := Read[Qualification](tx, q.Society)
		switch {
		case errors.Is(err, ErrNotFound):
			q, err = Create(tx, p, q, Logged("granted", nil))
		case err == nil:
			q.Version = cur.Version
			q, err = Replace(tx, p, q, Logged("granted", nil))
		}
		return err
	})
	return q, err
}

// RevokeQualification removes a society's evaluation qualification.
// Platform admins only; ErrNotFound if it has none.
func (s *System) RevokeQualification(ctx context.Context, p Principal, society string) error {
	return s.update(ctx, "revoke qualification", KindSociety, society, func(tx *Tx) error {
		cur, err := Read[Qualification](tx, society)
		if err != nil {
			return err
		}
		return Delete[Qualification](tx, p, society, cur.Version, Logged("revoked", nil))
	})
}

// qualifications returns the stored qualifications by society ID.
func (s *System) qualifications(ctx context.Context) (map[string]Qualification, error) {
	all, err := NewLibrary[Qualification](s).Find(ctx, PlatformAdmin("system"), ListOptions{})
	if err != nil {
		return nil, err
	}
	out := make(map[string]Qualification, len(all))
	for _, q := range all {
		out[q.ID] = q
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
	err := s.update(ctx, "contribute", KindExpert, e.ID, func(tx *Tx) error {
		so, err := societyTx(tx, societyID)
		if err != nil {
			return err
		}
		if !CanDo(p, ActOperate, so) {
			return forbidden("contribute", KindExpert, e.ID, "only platform admins and the society's admin contribute for a society")
		}
		if e, err = Create(tx, p, e, Logged("contributed", nil)); err != nil {
			return err
		}
		so.Experts = append(so.Experts, e.ID)
		_, err = Replace(tx, p, so, Via(ActOperate, TargetOf(so)), Logged("member_added", nil))
		return err
	})
	return e, err
}

// ContributeAchievement adds an achievement on behalf of a society, with
// Provenance.Society set, in one transaction with an event on the society.
// The principal must be a platform admin or the society's admin.
func (s *System) ContributeAchievement(ctx context.Context, p Principal, societyID string, a Achievement) (Achievement, error) {
	a.Provenance.Society = societyID
	err := s.update(ctx, "contribute", KindAchievement, a.ID, func(tx *Tx) error {
		so, err := societyTx(tx, societyID)
		if err != nil {
			return err
		}
		if !CanDo(p, ActOperate, so) {
			return forbidden("contribute", KindAchievement, a.ID, "only platform admins and the society's admin contribute for a society")
		}
		a, err = Create(tx, p, a, Logged("contributed", nil))
		return err
	})
	return a, err
}

// societyTx reads a society that a request names (ErrInvalid if missing).
func societyTx(tx *Tx, id string) (Society, error) {
	so, err := Read[Society](tx, id)
	if errors.Is(err, ErrNotFound) {
		return Society{}, invalid(KindSociety, FieldError{Field: "society", Code: "ref", Value: id})
	}
	return so, err
}

// allSocieties reads every society p may read (tens, not millions).
func (s *System) allSocieties(ctx context.Context, p Principal) ([]Society, error) {
	return s.Societies.Find(ctx, p, ListOptions{})
}

// QualifiedSocieties returns the societies whose evaluation qualification
// is valid now, ordered by ID.
func (s *System) QualifiedSocieties(ctx context.Context, p Principal) ([]Society, error) {
	out, err := s.qualifiedSocieties(ctx, p)
	return out, wrap("qualified societies", KindSociety, "", err)
}

func (s *System) qualifiedSocieties(ctx context.Context, p Principal) ([]Society, error) {
	all, err := s.allSocieties(ctx, p)
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
		if q, ok := qs[so.ID]; ok && q.Valid(now) {
			out = append(out, so)
		}
	}
	return out, nil
}

// PanelEligible reports whether an expert may sit on a screening panel:
// whether they belong to a society with a valid evaluation qualification.
// It returns the IDs of those societies (empty when not eligible). The
// principal must be able to read the expert.
func (s *System) PanelEligible(ctx context.Context, p Principal, expertID string) ([]string, error) {
	e, err := s.Experts.Get(ctx, p, expertID)
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
	all, err := s.allSocieties(ctx, p)
	if err != nil {
		return nil, wrap("teams", KindSociety, "", err)
	}
	var out []TeamAssignment
	for _, so := range all {
		for _, t := range so.Teams {
			if t.Serves(region) {
				out = append(out, TeamAssignment{Society: so.ID, Team: t})
			}
		}
	}
	return out, nil
}
