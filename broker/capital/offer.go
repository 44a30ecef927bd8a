package capital

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/exchange"
)

// Offer says why an achievement is open to investors (on offer): it is
// listed — on an exchange listing under public notice or open, as stored
// (a listing past its Expires counts until it is renewed or withdrawn), or
// through an open case that carries a listing, which includes a case
// traded or incubating (its venture raises funding rounds) — or featured
// at a roadshow or investment salon.
type Offer struct {
	Achievement string
	Listed      bool // a listing or a case of the achievement lists it
	// Cases are its open cases with a listing, and Activities the
	// roadshows and investment salons featuring it; each lists only the
	// records the principal may read.
	Cases      []string
	Activities []string
}

// offer is an Offer with the records behind it, before they are filtered
// for a principal.
type offer struct {
	achievement string
	listed      bool
	cases       []broker.Case
	activities  []activity.Activity
}

// visibleTo is the Offer as p may see it.
func (o *offer) visibleTo(p broker.Principal) Offer {
	out := Offer{Achievement: o.achievement, Listed: o.listed}
	for _, c := range o.cases {
		if broker.CanDo(p, broker.ActRead, c) {
			out.Cases = append(out.Cases, c.ID)
		}
	}
	for _, a := range o.activities {
		if broker.CanDo(p, broker.ActRead, a) {
			out.Activities = append(out.Activities, a.ID)
		}
	}
	return out
}

// offers returns every achievement on offer, by ID, whoever may see it: the
// open cases of achievements with a listing, the exchange's listings under
// notice or open, and the roadshows and investment salons of the activity
// platform.
func (s *Service) offers(ctx context.Context) (map[string]*offer, error) {
	out := map[string]*offer{}
	get := func(id string) *offer {
		if out[id] == nil {
			out[id] = &offer{achievement: id}
		}
		return out[id]
	}
	cases, err := s.cases.Find(ctx, keeper, broker.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, c := range cases {
		if c.Subject.Kind != broker.KindAchievement || !c.Stage.Open() {
			continue
		}
		if c.ListingRef != "" || c.Stage == broker.StageListed {
			o := get(c.Subject.ID)
			o.listed = true
			o.cases = append(o.cases, c)
		}
	}
	for _, st := range []exchange.ListingStatus{exchange.ListingNotice, exchange.ListingOpen} {
		o := broker.ListOptions{Stage: string(st), Limit: 1000}
		for {
			pg, err := s.x.ListListings(ctx, keeper, o)
			if err != nil {
				return nil, err
			}
			for _, l := range pg.Items {
				if l.Achievement != "" {
					get(l.Achievement).listed = true
				}
			}
			if pg.Next == "" {
				break
			}
			o.Cursor = pg.Next
		}
	}
	for _, k := range []activity.Kind{activity.Roadshow, activity.InvestmentSalon} {
		acts, err := s.acts.Activities.Find(ctx, keeper, broker.ListOptions{Stage: string(k)})
		if err != nil {
			return nil, err
		}
		for _, a := range acts {
			for _, f := range a.Featured {
				if f.Kind == broker.KindAchievement {
					o := get(f.ID)
					o.activities = append(o.activities, a)
				}
			}
		}
	}
	return out, nil
}

// Offers lists the achievements on offer to investors that the principal
// may read, by achievement ID: listed, or featured at a roadshow or
// investment salon. Each Offer names only the cases and activities the
// principal may read.
func (s *Service) Offers(ctx context.Context, p broker.Principal) ([]Offer, error) {
	all, err := s.offers(ctx)
	if err != nil {
		return nil, broker.Wrap("offers", broker.KindAchievement, "", err)
	}
	out := make([]Offer, 0, len(all))
	for id, o := range all {
		if _, err := s.sys.Achievements.Get(ctx, p, id); err != nil {
			if errors.Is(err, broker.ErrNotFound) || errors.Is(err, broker.ErrForbidden) {
				continue
			}
			return nil, err
		}
		out = append(out, o.visibleTo(p))
	}
	slices.SortFunc(out, func(a, b Offer) int { return strings.Compare(a.Achievement, b.Achievement) })
	return out, nil
}
