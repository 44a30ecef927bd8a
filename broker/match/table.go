package match

import (
	"slices"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/capital"
)

// entry is what the built-in index keeps of a document beside its text:
// the Doc without its texts, and the fields the access filter and the
// facets read, as interned numbers, so that the filter — called for every
// candidate while the index ranks — compares integers.
type entry struct {
	doc     Doc
	kind    uint8 // bit of the kind in kindBits
	tier    uint8 // bit of the tier in tierBits
	broker  int32 // in small
	region  int32 // in small
	disc    []int32
	owners  []int32 // in big
	addedBy int32   // in big
	society int32   // in big
}

// table holds the entries of one kind; an entry's tag in the text index is
// its slot plus one.
type table struct {
	slots []*entry
	// The arrays by slot repeat the fields of the entries that the filter
	// and the facets read for every candidate, densely, so that a cache
	// line holds many (tier 0: an empty slot).
	tier      []uint8
	brokerOf  []int32
	regionOf  []int32
	discOf    []int32 // the only discipline; -1 when there are several
	createdOf []int64 // Unix nanoseconds
	addedOf   []int32
	societyOf []int32
	ownerOf   [][2]int32        // the first two owners; [1] is -1 when there are more
	byID      map[string]uint32 // id → tag
	free      []uint32
}

func newTable() *table { return &table{byID: map[string]uint32{}} }

// get returns the entry of a tag, or nil.
func (t *table) get(tag uint32) *entry {
	if tag == 0 || int(tag) > len(t.slots) {
		return nil
	}
	return t.slots[tag-1]
}

// put stores an entry and returns its tag (the same as before for a
// document already there).
func (t *table) put(e *entry) uint32 {
	tag, ok := t.byID[e.doc.Ref.ID]
	switch {
	case ok:
	case len(t.free) > 0:
		tag, t.free = t.free[len(t.free)-1], t.free[:len(t.free)-1]
	default:
		t.slots, t.tier = append(t.slots, nil), append(t.tier, 0)
		t.brokerOf, t.regionOf = append(t.brokerOf, 0), append(t.regionOf, 0)
		t.discOf, t.createdOf = append(t.discOf, 0), append(t.createdOf, 0)
		t.addedOf, t.societyOf, t.ownerOf = append(t.addedOf, 0), append(t.societyOf, 0), append(t.ownerOf, [2]int32{})
		tag = uint32(len(t.slots))
	}
	i := tag - 1
	t.slots[i], t.tier[i], t.brokerOf[i], t.regionOf[i] = e, e.tier, e.broker, e.region
	t.createdOf[i] = e.doc.Created.UnixNano()
	t.addedOf[i], t.societyOf[i] = e.addedBy, e.society
	var own [2]int32
	copy(own[:], e.owners)
	if len(e.owners) > 2 {
		own[1] = -1
	}
	t.ownerOf[i] = own
	switch len(e.disc) {
	case 0:
		t.discOf[i] = 0
	case 1:
		t.discOf[i] = e.disc[0]
	default:
		t.discOf[i] = -1
	}
	t.byID[e.doc.Ref.ID] = tag
	return tag
}

// tierOf is the tier bit of a tag's entry; 0 for none.
func (t *table) tierOf(tag uint32) uint8 {
	if tag == 0 || int(tag) > len(t.tier) {
		return 0
	}
	return t.tier[tag-1]
}

// remove drops an entry and returns it (nil if absent).
func (t *table) remove(id string) *entry {
	tag, ok := t.byID[id]
	if !ok {
		return nil
	}
	e := t.slots[tag-1]
	t.slots[tag-1], t.tier[tag-1] = nil, 0
	delete(t.byID, id)
	t.free = append(t.free, tag)
	return e
}

func (t *table) len() int { return len(t.byID) }

// interner numbers strings; "" is 0.
type interner struct {
	ids  map[string]int32
	strs []string
}

func newInterner() *interner { return &interner{ids: map[string]int32{"": 0}, strs: []string{""}} }

func (in *interner) id(s string) int32 {
	if i, ok := in.ids[s]; ok {
		return i
	}
	i := int32(len(in.strs))
	in.ids[s] = i
	in.strs = append(in.strs, s)
	return i
}

// lookup is the number of s, or never when it has none.
func (in *interner) lookup(s string) int32 {
	if i, ok := in.ids[s]; ok {
		return i
	}
	return never
}

const (
	unchecked int32 = -1 // a condition not set
	never     int32 = -2 // a value no document has
)

var (
	kindBits = map[broker.Kind]uint8{broker.KindAchievement: 1, broker.KindDemand: 2, broker.KindExpert: 4, capital.KindInvestor: 8}
	tierBits = map[broker.Visibility]uint8{"": 1, broker.Public: 1, broker.Members: 2, broker.Confidential: 4}
)

// crule is an AccessRule compiled against the index's interned strings.
type crule struct {
	kinds, tiers            uint8
	broker                  int32
	unrouted                bool
	owner, addedBy, society int32
	id                      string
}

// caccess is an Access compiled for the documents of one kind: the tiers
// admitted without condition, and the rules with conditions.
type caccess struct {
	always uint8
	rules  []crule
}

// compile compiles a for documents of kind; x.mu is held (read).
func (x *EngineIndex) compile(a Access, kind broker.Kind) caccess {
	var out caccess
	cond := func(in *interner, s string) int32 {
		if s == "" {
			return unchecked
		}
		return in.lookup(s)
	}
	for _, r := range a.Rules {
		if r.Kinds != nil && !slices.Contains(r.Kinds, kind) {
			continue
		}
		c := crule{kinds: 0xff, tiers: 0xff, broker: cond(x.small, r.Broker), unrouted: r.Unrouted,
			owner: cond(x.big, r.Owner), addedBy: cond(x.big, r.AddedBy), society: cond(x.big, r.Society), id: r.ID}
		if r.Tiers != nil {
			c.tiers = 0
			for _, t := range r.Tiers {
				c.tiers |= tierBits[t]
			}
		}
		if c.broker == unchecked && c.owner == unchecked && c.addedBy == unchecked && c.society == unchecked && c.id == "" {
			out.always |= c.tiers
			continue
		}
		out.rules = append(out.rules, c)
	}
	return out
}

// admitsTag decides for the entry of a tag, reading the entry itself only
// when its tier is not admitted without condition.
func (c *caccess) admitsTag(t *table, tag uint32) bool {
	tier := t.tierOf(tag)
	if tier == 0 {
		return false
	}
	if c.always&tier != 0 {
		return true
	}
	i := tag - 1
	for j := range c.rules {
		r := &c.rules[j]
		if r.tiers&tier == 0 ||
			r.broker != unchecked && r.broker != t.brokerOf[i] && !(r.unrouted && t.brokerOf[i] == 0) ||
			r.addedBy != unchecked && r.addedBy != t.addedOf[i] ||
			r.society != unchecked && r.society != t.societyOf[i] ||
			r.id != "" && r.id != t.slots[i].doc.Ref.ID {
			continue
		}
		if r.owner == unchecked {
			return true
		}
		switch own := t.ownerOf[i]; {
		case own[0] == r.owner || own[1] == r.owner:
			return true
		case own[1] == -1 && slices.Contains(t.slots[i].owners, r.owner):
			return true
		}
	}
	return false
}

func (c *caccess) admits(e *entry) bool {
	return c.always&e.tier != 0 || c.admitsRules(e)
}

func (c *caccess) admitsRules(e *entry) bool {
	for i := range c.rules {
		r := &c.rules[i]
		if r.tiers&e.tier == 0 ||
			r.broker != unchecked && r.broker != e.broker && !(r.unrouted && e.broker == 0) ||
			r.owner != unchecked && !slices.Contains(e.owners, r.owner) ||
			r.addedBy != unchecked && r.addedBy != e.addedBy ||
			r.society != unchecked && r.society != e.society ||
			r.id != "" && r.id != e.doc.Ref.ID {
			continue
		}
		return true
	}
	return false
}

// newEntry interns a document's fields; the index's write lock is held.
func (x *EngineIndex) newEntry(d Doc) *entry {
	d.Title, d.Keywords, d.Abstract = "", nil, ""
	d.Owners, d.Disciplines, d.Industries = slices.Clone(d.Owners), slices.Clone(d.Disciplines), slices.Clone(d.Industries)
	d.Stages, d.Regions = slices.Clone(d.Stages), slices.Clone(d.Regions)
	e := &entry{doc: d, kind: kindBits[d.Ref.Kind], tier: tierBits[d.Tier], broker: x.small.id(d.Broker), region: x.small.id(d.Region),
		addedBy: x.big.id(d.AddedBy), society: x.big.id(d.Society)}
	if e.tier == 0 {
		e.tier = 8 // an unknown tier: only rules for every tier admit it
	}
	for _, s := range d.Disciplines {
		e.disc = append(e.disc, x.small.id(s))
	}
	for _, o := range d.Owners {
		e.owners = append(e.owners, x.big.id(o))
	}
	return e
}
