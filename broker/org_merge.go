package broker

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/kexie/techbroker/broker/driver"
)

// OrgRef is one reference to an organization: a record's field holding
// the organization's ID.
type OrgRef struct {
	Record RecordRef `json:"record"`
	Field  string    `json:"field"` // e.g. "owner_id", "members[2].org_id"
	OrgID  string    `json:"org_id"`
}

// orgReferrer knows one record kind's references to organizations: how to
// list them and how to rewrite them from one organization to another.
type orgReferrer struct {
	kind Kind
	// refs lists the references of a stored record.
	refs func(s *System, rec driver.Record) ([]OrgRef, error)
	// rewrite points every reference to from at to; changed is false when
	// the record has none. Names equal to from's name become to's name.
	rewrite func(s *System, rec driver.Record, from, to Organization, now time.Time) (out driver.Record, changed bool, err error)
}

// referrer builds an orgReferrer for a Library kind from two functions over
// its values.
func referrer[T entity[T]](kind Kind, refs func(T) []OrgRef, rw func(v *T, from, to Organization) bool) orgReferrer {
	return orgReferrer{
		kind: kind,
		refs: func(s *System, rec driver.Record) ([]OrgRef, error) {
			v, err := (&Library[T]{s: s}).decodeRecord(rec)
			if err != nil {
				return nil, err
			}
			rs := refs(v)
			for i := range rs {
				rs[i].Record = RecordRef{Kind: kind, ID: rec.ID}
			}
			return rs, nil
		},
		rewrite: func(s *System, rec driver.Record, from, to Organization, now time.Time) (driver.Record, bool, error) {
			lib := &Library[T]{s: s}
			v, err := lib.decodeRecord(rec)
			if err != nil || !rw(&v, from, to) {
				return rec, false, err
			}
			m := v.getMeta()
			m.Updated = now
			out, err := lib.record(v.withMeta(m))
			return out, true, err
		},
	}
}

// swapID rewrites *id from from.ID to to.ID, and *name (if given) from
// from's name to to's name when it was from's; it reports whether it
// changed anything.
func swapID(id, name *string, from, to Organization) bool {
	if *id != from.ID {
		return false
	}
	*id = to.ID
	if name != nil && (*name == from.Name || *name == "") {
		*name = to.Name
	}
	return true
}

func ref(field, id string) []OrgRef {
	if id == "" {
		return nil
	}
	return []OrgRef{{Field: field, OrgID: id}}
}

// orgReferrers lists every kind that points to organizations. A kind added
// to the package that holds organization IDs belongs here, so that merging
// keeps its references intact.
func orgReferrers() []orgReferrer {
	rs := []orgReferrer{
		referrer(KindAchievement, func(a Achievement) []OrgRef { return ref("owner_id", a.OwnerID) },
			func(a *Achievement, from, to Organization) bool { return swapID(&a.OwnerID, &a.Owner, from, to) }),
		referrer(KindDemand, func(d Demand) []OrgRef { return ref("enterprise_id", d.EnterpriseID) },
			func(d *Demand, from, to Organization) bool { return swapID(&d.EnterpriseID, &d.Enterprise, from, to) }),
		referrer(KindExpert, func(e Expert) []OrgRef { return ref("institution_id", e.InstitutionID) },
			func(e *Expert, from, to Organization) bool { return swapID(&e.InstitutionID, &e.Institution, from, to) }),
		referrer(KindBroker, func(b IndustryBroker) []OrgRef {
			var out []OrgRef
			for i, m := range b.Members {
				out = append(out, ref(fmt.Sprintf("members[%d].org_id", i), m.OrgID)...)
			}
			return out
		}, func(b *IndustryBroker, from, to Organization) bool {
			changed := false
			for i := range b.Members {
				changed = swapID(&b.Members[i].OrgID, &b.Members[i].Name, from, to) || changed
			}
			return changed
		}),
		referrer(KindInvestor, func(v Investor) []OrgRef { return ref("org_id", v.OrgID) },
			func(v *Investor, from, to Organization) bool { return swapID(&v.OrgID, nil, from, to) }),
		referrer(KindIncubation, func(n Incubation) []OrgRef {
			return append(ref("incubator", n.Incubator), ref("spin_off", n.SpinOff)...)
		}, func(n *Incubation, from, to Organization) bool {
			a := swapID(&n.Incubator, nil, from, to)
			b := swapID(&n.SpinOff, nil, from, to)
			return a || b
		}),
		// A case copies its subject's owners (names and IDs) when opened.
		referrer(KindCase, func(c Case) []OrgRef { return nil }, func(c *Case, from, to Organization) bool {
			if !slices.Contains(c.Owners, from.ID) {
				return false
			}
			owners := make([]string, 0, len(c.Owners))
			for _, o := range c.Owners {
				switch o {
				case from.ID:
					o = to.ID
				case from.Name:
					o = to.Name
				}
				if !slices.Contains(owners, o) {
					owners = append(owners, o)
				}
			}
			c.Owners = owners
			return true
		}),
	}
	return append(rs, exchangeOrgReferrers()...)
}

// MergeReport says what MergeOrganizations did.
type MergeReport struct {
	// Kept is the surviving organization, as stored after the merge.
	Kept Organization
	// Removed is the ID of the duplicate, which no longer exists.
	Removed string
	// Rewritten counts the records whose references were rewritten, by kind.
	Rewritten map[Kind]int
}

// MergeEvent is the body of the "merged" event on the kept organization,
// the "merged_into" event on the removed one and the "org_merged" event on
// every rewritten record.
type MergeEvent struct {
	Kept    string `json:"kept"`
	Removed string `json:"removed"`
}

// MergeOrganizations folds the duplicate dupID into keepID in one
// transaction: every record pointing to dupID (achievements' OwnerID,
// demands' EnterpriseID, experts' InstitutionID, brokers' member units,
// investors, incubations, cases' owners, and the exchange's listings and
// deals) is rewritten to keepID — names equal to the duplicate's name take
// the kept name — the kept organization gains the duplicate's name among
// its Aliases and the union of roles and contacts (and its credit code,
// address, website and society link where the kept one has none), and the
// duplicate is deleted. Each rewritten record gets an "org_merged" event.
// Either all of it happens or nothing does.
//
// Platform admins only. ErrNotFound if either does not exist;
// ErrInvalid if the two are the same; ErrConflict if both carry different
// credit codes (they are two legal persons, not duplicates) or are linked
// to two different Society records.
func (s *System) MergeOrganizations(ctx context.Context, p Principal, keepID, dupID string) (MergeReport, error) {
	if p.Role != RolePlatformAdmin {
		return MergeReport{}, forbidden("merge", KindOrganization, dupID, "platform admins only")
	}
	if keepID == dupID {
		return MergeReport{}, wrap("merge", KindOrganization, dupID, &ValidationError{Kind: KindOrganization,
			Fields: []FieldError{{Field: "duplicate", Code: "invalid", Value: "the same organization as the one kept"}}})
	}
	var rep MergeReport
	err := s.updateRetry(ctx, func(ctx context.Context, tx driver.Tx) error {
		rep = MergeReport{Removed: dupID, Rewritten: map[Kind]int{}}
		lib := s.Organizations
		keepRec, err := tx.Get(ctx, string(KindOrganization), keepID)
		if err != nil {
			return err
		}
		dupRec, err := tx.Get(ctx, string(KindOrganization), dupID)
		if err != nil {
			return &Error{Op: "merge", Kind: KindOrganization, ID: dupID, Code: ErrNotFound, Err: err}
		}
		keep, err := lib.decodeRecord(keepRec)
		if err != nil {
			return err
		}
		dup, err := lib.decodeRecord(dupRec)
		if err != nil {
			return err
		}
		if keep.CreditCode != "" && dup.CreditCode != "" && keep.CreditCode != dup.CreditCode {
			return &Error{Op: "merge", Kind: KindOrganization, ID: dupID, Code: ErrConflict,
				Err: fmt.Errorf("different credit codes %s and %s: two legal persons, not duplicates", keep.CreditCode, dup.CreditCode)}
		}
		if keep.Society != "" && dup.Society != "" && keep.Society != dup.Society {
			return &Error{Op: "merge", Kind: KindOrganization, ID: dupID, Code: ErrConflict,
				Err: fmt.Errorf("linked to two societies, %s and %s", keep.Society, dup.Society)}
		}
		now := s.now()
		body, err := json.Marshal(MergeEvent{Kept: keepID, Removed: dupID})
		if err != nil {
			return err
		}
		for _, r := range orgReferrers() {
			recs, err := tx.List(ctx, driver.Query{Kind: string(r.kind)})
			if err != nil {
				return err
			}
			for _, rec := range recs {
				out, changed, err := r.rewrite(s, rec, dup, keep, now)
				if err != nil {
					return err
				}
				if !changed {
					continue
				}
				out.Version, out.Created, out.Updated = rec.Version, rec.Created, now
				if _, err := tx.Replace(ctx, out); err != nil {
					return err
				}
				if err := tx.Append(ctx, driver.Event{Kind: rec.Kind, RecordID: rec.ID, Type: "org_merged", Actor: p.ID, Time: now, Body: body}); err != nil {
					return err
				}
				rep.Rewritten[r.kind]++
			}
		}
		merged := mergeOrg(keep, dup)
		merged, err = lib.prepare(merged)
		if err != nil {
			return err
		}
		merged.Updated = now
		rec, err := lib.record(merged)
		if err != nil {
			return err
		}
		rec.Version = keepRec.Version
		ver, err := tx.Replace(ctx, rec)
		if err != nil {
			return err
		}
		merged.Version = ver
		if err := tx.Delete(ctx, string(KindOrganization), dupID, dupRec.Version); err != nil {
			return err
		}
		if err := tx.Append(ctx, driver.Event{Kind: string(KindOrganization), RecordID: keepID, Type: "merged", Actor: p.ID, Time: now, Body: body}); err != nil {
			return err
		}
		if err := tx.Append(ctx, driver.Event{Kind: string(KindOrganization), RecordID: dupID, Type: "merged_into", Actor: p.ID, Time: now, Body: body}); err != nil {
			return err
		}
		rep.Kept = merged
		return nil
	})
	if err != nil {
		return MergeReport{}, wrap("merge", KindOrganization, dupID, err)
	}
	return rep, nil
}

// mergeOrg returns keep with dup's names, roles and contacts added and its
// empty fields filled from dup.
func mergeOrg(keep, dup Organization) Organization {
	keep.Aliases = slices.Clone(keep.Aliases)
	for _, n := range append([]string{dup.Name}, dup.Aliases...) {
		if n != "" && n != keep.Name && !slices.Contains(keep.Aliases, n) {
			keep.Aliases = append(keep.Aliases, n)
		}
	}
	keep.Roles = slices.Clone(keep.Roles)
	for _, r := range dup.Roles {
		if !slices.Contains(keep.Roles, r) {
			keep.Roles = append(keep.Roles, r)
		}
	}
	keep.Contacts = slices.Clone(keep.Contacts)
	for _, c := range dup.Contacts {
		if !slices.Contains(keep.Contacts, c) {
			keep.Contacts = append(keep.Contacts, c)
		}
	}
	if keep.CreditCode == "" {
		keep.CreditCode, keep.CreditCodeLenient = dup.CreditCode, dup.CreditCodeLenient
	}
	if keep.NameEN == "" {
		keep.NameEN = dup.NameEN
	}
	if keep.Region == "" {
		keep.Region = dup.Region
	}
	if keep.Address == "" {
		keep.Address = dup.Address
	}
	if keep.Website == "" {
		keep.Website = dup.Website
	}
	if keep.Society == "" {
		keep.Society = dup.Society
	}
	return keep
}

// OrgReferences lists every reference to the organization, in kind order
// then record ID order. Platform admins and the organization's own
// principals only (the list crosses visibility tiers).
func (s *System) OrgReferences(ctx context.Context, p Principal, orgID string) ([]OrgRef, error) {
	if p.Role != RolePlatformAdmin && !p.actsFor(orgID) {
		return nil, forbidden("references", KindOrganization, orgID, "platform admins and the organization's own principals only")
	}
	var out []OrgRef
	err := s.scanOrgRefs(ctx, func(r OrgRef) {
		if r.OrgID == orgID {
			out = append(out, r)
		}
	})
	return out, wrap("references", KindOrganization, orgID, err)
}

// DanglingOrgReferences lists references to organizations that do not
// exist in the registry: an audit for data imported before its
// organizations, or written around the registry. Merging never creates
// one. Platform admins only.
func (s *System) DanglingOrgReferences(ctx context.Context, p Principal) ([]OrgRef, error) {
	if p.Role != RolePlatformAdmin {
		return nil, forbidden("dangling references", KindOrganization, "", "platform admins only")
	}
	known := map[string]bool{}
	recs, err := s.store.List(ctx, driver.Query{Kind: string(KindOrganization)})
	if err != nil {
		return nil, wrap("dangling references", KindOrganization, "", err)
	}
	for _, r := range recs {
		known[r.ID] = true
	}
	var out []OrgRef
	err = s.scanOrgRefs(ctx, func(r OrgRef) {
		if !known[r.OrgID] {
			out = append(out, r)
		}
	})
	return out, wrap("dangling references", KindOrganization, "", err)
}

func (s *System) scanOrgRefs(ctx context.Context, fn func(OrgRef)) error {
	for _, r := range orgReferrers() {
		recs, err := s.store.List(ctx, driver.Query{Kind: string(r.kind)})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			refs, err := r.refs(s, rec)
			if err != nil {
				return err
			}
			for _, x := range refs {
				fn(x)
			}
		}
	}
	return nil
}

// OrganizationByCreditCode returns the organization with that unified
// social credit code (normalized first); ErrNotFound if there is none.
func (s *System) OrganizationByCreditCode(ctx context.Context, p Principal, code string) (Organization, error) {
	o := Organization{CreditCode: code}.normalized()
	if o.CreditCode == "" {
		return Organization{}, wrap("find", KindOrganization, "", ErrNotFound)
	}
	recs, err := s.store.List(ctx, driver.Query{Kind: string(KindOrganization), Key: o.dedupKey(), Limit: 1})
	if err != nil {
		return Organization{}, wrap("find", KindOrganization, "", err)
	}
	if len(recs) == 0 {
		return Organization{}, wrap("find", KindOrganization, o.CreditCode, ErrNotFound)
	}
	return s.Organizations.Get(ctx, p, recs[0].ID)
}

// DuplicateOrganizations proposes merges: groups of two or more
// organization IDs (each group and the groups in ID order) that share a
// credit code, or a name once case, width and spacing are folded (names
// include aliases). Organizations with two different credit codes are never
// grouped by name: they are different legal persons. Platform admins only.
func (s *System) DuplicateOrganizations(ctx context.Context, p Principal) ([][]string, error) {
	if p.Role != RolePlatformAdmin {
		return nil, forbidden("duplicates", KindOrganization, "", "platform admins only")
	}
	recs, err := s.store.List(ctx, driver.Query{Kind: string(KindOrganization)})
	if err != nil {
		return nil, wrap("duplicates", KindOrganization, "", err)
	}
	orgs := make([]Organization, len(recs))
	for i, r := range recs {
		if orgs[i], err = s.Organizations.decodeRecord(r); err != nil {
			return nil, wrap("duplicates", KindOrganization, r.ID, err)
		}
	}
	// Union-find over organizations sharing a key.
	parent := make([]int, len(orgs))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	codeOf := func(i int) string { return orgs[find(i)].CreditCode }
	union := func(i, j int) {
		a, b := find(i), find(j)
		if a == b {
			return
		}
		// Keep the root with a credit code, so the check below sees it.
		if orgs[a].CreditCode == "" {
			a, b = b, a
		}
		parent[b] = a
	}
	first := map[string]int{}
	for i, o := range orgs {
		keys := []string{}
		if o.CreditCode != "" {
			keys = append(keys, "uscc:"+o.CreditCode)
		}
		for _, n := range append([]string{o.Name}, o.Aliases...) {
			if n != "" {
				keys = append(keys, "name:"+foldKey(n))
			}
		}
		for _, k := range keys {
			j, seen := first[k]
			if !seen {
				first[k] = i
				continue
			}
			ci, cj := codeOf(i), codeOf(j)
			if ci != "" && cj != "" && ci != cj {
				continue
			}
			union(i, j)
		}
	}
	groups := map[int][]string{}
	for i := range orgs {
		r := find(i)
		groups[r] = append(groups[r], orgs[i].ID)
	}
	var out [][]string
	for _, g := range groups {
		if len(g) > 1 {
			slices.Sort(g)
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	return out, nil
}
