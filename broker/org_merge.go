package broker

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/kexie/techbroker/broker/driver"
)

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
		return MergeReport{}, wrap("merge", KindOrganization, dupID, invalid(KindOrganization,
			FieldError{Field: "duplicate", Code: "invalid", Value: "the same organization as the one kept"}))
	}
	var rep MergeReport
	err := s.update(ctx, "merge", KindOrganization, dupID, func(tx *Tx) error {
		rep = MergeReport{Removed: dupID, Rewritten: map[Kind]int{}}
		keep, err := Read[Organization](tx, keepID)
		if err != nil {
			return err
		}
		dup, err := Read[Organization](tx, dupID)
		if err != nil {
			return err
		}
		if keep.CreditCode != "" && dup.CreditCode != "" && keep.CreditCode != dup.CreditCode {
			return Refused("merge", KindOrganization, dupID,
				fmt.Sprintf("different credit codes %s and %s: two legal persons, not duplicates", keep.CreditCode, dup.CreditCode))
		}
		if keep.Society != "" && dup.Society != "" && keep.Society != dup.Society {
			return Refused("merge", KindOrganization, dupID, fmt.Sprintf("linked to two societies, %s and %s", keep.Society, dup.Society))
		}
		ev := MergeEvent{Kept: keepID, Removed: dupID}
		if rep.Rewritten, err = tx.rewriteOrgRefs(p, dup, keep, ev); err != nil {
			return err
		}
		if rep.Kept, err = Replace(tx, p, mergeOrg(keep, dup), Logged("merged", ev)); err != nil {
			return err
		}
		return Delete[Organization](tx, p, dupID, dup.Version, Logged("merged_into", ev))
	})
	return rep, err
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
	if !Can(p, ActSeePrivate, Target{Class: ClassRegistry, Tier: Confidential, Meta: Meta{ID: orgID}, Owners: []string{orgID}}) {
		return nil, forbidden("references", KindOrganization, orgID, "platform admins and the organization's own principals only")
	}
	var out []OrgRef
	err := s.scanOrgRefs(ctx, func(id string) bool { return id == orgID }, func(r OrgRef) {
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
	// Names and IDs mix in org:"ref" and org:"list" fields: an entry there
	// dangles when it is the ID of an organization the registry removed.
	removed := map[string]bool{}
	evs, err := s.store.Events(ctx, driver.EventQuery{Kind: string(KindOrganization)})
	if err != nil {
		return nil, wrap("dangling references", KindOrganization, "", err)
	}
	for _, e := range evs {
		if (e.Type == "deleted" || e.Type == "merged_into") && !known[e.RecordID] {
			removed[e.RecordID] = true
		}
	}
	var out []OrgRef
	err = s.scanOrgRefs(ctx, func(id string) bool { return removed[id] }, func(r OrgRef) {
		if !known[r.OrgID] {
			out = append(out, r)
		}
	})
	return out, wrap("dangling references", KindOrganization, "", err)
}

// scanOrgRefs calls fn with every reference of every known kind's records
// (see orgRefs for isID).
func (s *System) scanOrgRefs(ctx context.Context, isID func(string) bool, fn func(OrgRef)) error {
	kinds, types := s.knownKinds()
	for _, kind := range kinds {
		recs, err := s.store.List(ctx, driver.Query{Kind: string(kind)})
		if err != nil {
			return err
		}
		for _, rec := range recs {
			refs, err := s.orgRefs(rec, types[kind], isID)
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
	o := Organization{CreditCode: code}.Normalized()
	if o.CreditCode == "" {
		return Organization{}, wrap("find", KindOrganization, "", ErrNotFound)
	}
	found, err := s.Organizations.Find(ctx, p, ListOptions{Key: o.DedupKey()})
	if err != nil {
		return Organization{}, err
	}
	if len(found) == 0 {
		return Organization{}, wrap("find", KindOrganization, o.CreditCode, ErrNotFound)
	}
	return found[0], nil
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
	orgs, err := s.Organizations.Find(ctx, p, ListOptions{})
	if err != nil {
		return nil, err
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
