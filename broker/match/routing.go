package match

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kexie/techbroker/assessment"
	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/matching/router"
)

// KindSuggestion is the kind of Suggestion records.
const KindSuggestion broker.Kind = "routing"

// Suggestion is the router's answer for one achievement or demand that
// arrived without a broker (分流 on arrival), and a broker staff member's
// decision on it. There is one per subject (its ID is derived from the
// subject's), written by the Service's Sync through the System's
// transaction and decided by Decide, which routes the subject. It is
// confidential: seen by the suggested broker's desk, the subject's owners
// and platform admins.
type Suggestion struct {
	broker.Meta
	Subject broker.RecordRef `json:"subject"`
	// Suggested is the broker the router chose, Confidence its
	// probability, NeedsPerson whether it was too unsure to stand alone.
	Suggested   string  `json:"suggested" validate:"max=64"`
	Confidence  float64 `json:"confidence"`
	NeedsPerson bool    `json:"needs_person,omitempty"`
	// Alternatives are the next brokers, best first (at most 3).
	Alternatives []Alternative `json:"alternatives,omitempty" validate:"max=3"`
	Owners       []string      `json:"owners,omitempty" org:"list"`
	// Decided is the broker a person chose: the suggestion (confirmed)
	// or another (overridden); empty until decided.
	Decided   string    `json:"decided,omitempty" validate:"max=64"`
	DecidedBy string    `json:"decided_by,omitempty" validate:"max=64"`
	DecidedAt time.Time `json:"decided_at,omitzero"`
}

// Alternative is another broker the router considered.
type Alternative struct {
	Broker     string  `json:"broker"`
	Confidence float64 `json:"confidence"`
}

// RecordKind implements broker.Record.
func (Suggestion) RecordKind() broker.Kind { return KindSuggestion }

// OwnerOrgs: the subject's owners read their subject's routing.
func (s Suggestion) OwnerOrgs() []string { return s.Owners }

// Tier: a suggestion is confidential.
func (Suggestion) Tier() broker.Visibility { return broker.Confidential }

// RecordStage indexes the outcome: "open", "confirmed" or "overridden".
func (s Suggestion) RecordStage() string { return string(s.Outcome()) }

// Outcome is a suggestion's state.
type Outcome string

// Outcomes.
const (
	Open       Outcome = "open"
	Confirmed  Outcome = "confirmed"
	Overridden Outcome = "overridden"
)

// Outcome says whether the suggestion is decided, and how.
func (s Suggestion) Outcome() Outcome {
	switch {
	case s.Decided == "":
		return Open
	case s.Decided == s.Suggested:
		return Confirmed
	}
	return Overridden
}

// suggestionID is the ID of a subject's suggestion: the same on every
// instance, so that two instances catching up at once write one.
func suggestionID(ref broker.RecordRef) string {
	if s := "rt-" + string(ref.Kind) + "-" + ref.ID; len(s) <= 64 {
		return s
	}
	h := sha256.Sum256([]byte(ref.String()))
	return "rt-" + hex.EncodeToString(h[:16])
}

// routeText is what the router reads: the title, the summary (of an
// achievement) or the problem (of a demand), and the keywords — the text a
// desk would route by, and what a router is best trained on.
func routeText(v broker.Record) string {
	switch r := v.(type) {
	case broker.Achievement:
		return r.Title + " " + r.Summary + " " + strings.Join(r.Keywords, " ")
	case broker.Demand:
		return r.Title + " " + r.Problem + " " + strings.Join(r.Keywords, " ")
	}
	return ""
}

// route builds the suggestion for a record.
func route(r *router.Router, v broker.Record) Suggestion {
	rt := r.Route(routeText(v))
	t := broker.TargetOf(v)
	s := Suggestion{Subject: broker.Ref(v), Suggested: rt.Label, Confidence: rt.Confidence, NeedsPerson: rt.NeedsPerson, Owners: t.Owners}
	s.ID, s.Broker, s.Visibility = suggestionID(s.Subject), rt.Label, broker.Confidential
	for _, ls := range rt.Scores[1:min(len(rt.Scores), 4)] {
		s.Alternatives = append(s.Alternatives, Alternative{Broker: ls.Label, Confidence: ls.Score})
	}
	return s
}

// suggest writes the suggestions of arrivals that have none, one
// transaction each; another instance's suggestion of the same subject
// stands.
func (s *Service) suggest(ctx context.Context, arrivals []broker.Record) error {
	if s.router == nil {
		return nil
	}
	for _, v := range arrivals {
		sg := route(s.router, v)
		err := s.sys.Update(ctx, func(tx *broker.Tx) error {
			if _, err := broker.Read[Suggestion](tx, sg.ID); !errors.Is(err, broker.ErrNotFound) {
				return err // nil: it exists
			}
			_, err := broker.Create(tx, s.opts.Operator, sg, broker.Logged("suggested", nil))
			return err
		})
		if err != nil && !errors.Is(err, broker.ErrExists) {
			return broker.Wrap("suggest", KindSuggestion, sg.ID, err)
		}
	}
	return nil
}

// Suggest returns the suggestion for an achievement or demand, as p may
// read it: the stored one, or — for a record that has none, with a router
// configured — a new one computed now and not stored. ErrNoRouter without
// either.
func (s *Service) Suggest(ctx context.Context, p broker.Principal, subject broker.RecordRef) (Suggestion, error) {
	sg, err := broker.NewLibrary[Suggestion](s.sys).Get(ctx, p, suggestionID(subject))
	if !errors.Is(err, broker.ErrNotFound) {
		return sg, err
	}
	if s.router == nil {
		return Suggestion{}, &Error{Op: "suggest", Ref: subject, Err: ErrNoRouter}
	}
	v, err := s.read(ctx, p, subject)
	if err != nil {
		return Suggestion{}, err
	}
	return route(s.router, v), nil
}

// read reads an achievement or demand as p may see it.
func (s *Service) read(ctx context.Context, p broker.Principal, ref broker.RecordRef) (broker.Record, error) {
	switch ref.Kind {
	case broker.KindAchievement:
		return s.sys.Achievements.Get(ctx, p, ref.ID)
	case broker.KindDemand:
		return s.sys.Demands.Get(ctx, p, ref.ID)
	}
	return nil, &Error{Op: "read", Ref: ref, Err: ErrInvalid, Msg: "routing is for achievements and demands"}
}

// Decide records a person's decision on the routing of an achievement or
// demand and routes it: its broker becomes brokerID (the suggested one:
// confirmed; another: overridden), in one transaction with the decision.
// p must be allowed to operate the subject (broker staff of its desk or,
// for an unrouted subject, of any desk; platform admins) and the broker
// must exist. A subject without a suggestion gets one recording the
// decision alone (Suggested empty: counted as overridden). ErrConflict if
// it was decided before.
func (s *Service) Decide(ctx context.Context, p broker.Principal, subject broker.RecordRef, brokerID string) (Suggestion, error) {
	var out Suggestion
	err := s.sys.Update(ctx, func(tx *broker.Tx) error {
		if _, err := broker.Read[broker.IndustryBroker](tx, brokerID); err != nil {
			if errors.Is(err, broker.ErrNotFound) {
				return &Error{Op: "decide", Ref: subject, Err: ErrInvalid, Msg: fmt.Sprintf("no industry broker %q", brokerID)}
			}
			return err
		}
		var target broker.Target
		switch subject.Kind {
		case broker.KindAchievement:
			t, err := routeTo[broker.Achievement](tx, p, subject.ID, brokerID)
			if err != nil {
				return err
			}
			target = t
		case broker.KindDemand:
			t, err := routeTo[broker.Demand](tx, p, subject.ID, brokerID)
			if err != nil {
				return err
			}
			target = t
		default:
			return &Error{Op: "decide", Ref: subject, Err: ErrInvalid, Msg: "routing is for achievements and demands"}
		}
		sg, err := broker.Read[Suggestion](tx, suggestionID(subject))
		exists := err == nil
		if errors.Is(err, broker.ErrNotFound) {
			sg = Suggestion{Subject: subject, Owners: target.Owners}
			sg.ID, sg.Visibility = suggestionID(subject), broker.Confidential
		} else if err != nil {
			return err
		}
		if sg.Decided != "" {
			return broker.Refused("decide", KindSuggestion, sg.ID, fmt.Sprintf("decided before: %s by %s", sg.Decided, sg.DecidedBy))
		}
		sg.Decided, sg.DecidedBy, sg.DecidedAt, sg.Broker = brokerID, p.ID, tx.Now(), brokerID
		via := broker.Via(broker.ActOperate, target)
		body := map[string]string{"decided": brokerID, "outcome": string(sg.Outcome())}
		if exists {
			out, err = broker.Replace(tx, p, sg, via, broker.Logged("decided", body))
		} else {
			out, err = broker.Create(tx, p, sg, via, broker.Logged("decided", body))
		}
		return err
	})
	return out, broker.Wrap("decide", KindSuggestion, suggestionID(subject), err)
}

// routeTo sets the broker of the subject, if p may operate it, and
// returns its target as it was.
func routeTo[T broker.Record](tx *broker.Tx, p broker.Principal, id, brokerID string) (broker.Target, error) {
	v, err := broker.Read[T](tx, id)
	if err != nil {
		return broker.Target{}, err
	}
	t := broker.TargetOf(v)
	if !broker.Can(p, broker.ActOperate, t) {
		return t, broker.Forbidden("decide", t.Kind, id, "the principal may not route this record")
	}
	switch r := any(&v).(type) {
	case *broker.Achievement:
		r.Broker = brokerID
	case *broker.Demand:
		r.Broker = brokerID
	}
	_, err = broker.Replace(tx, p, v, broker.Via(broker.ActOperate, t), broker.Logged("routed", map[string]string{"broker": brokerID}))
	return t, err
}

// RoutingFigures are the routing decisions of a period: how many were
// decided, confirmed and overridden, and the router's accuracy, the share
// confirmed.
type RoutingFigures struct {
	Decided, Confirmed, Overridden int
	Accuracy                       float64
}

// RoutingAccuracy counts the decisions made in the period that p may
// read (a desk's staff see their desk's; platform admins all).
func (s *Service) RoutingAccuracy(ctx context.Context, p broker.Principal, period broker.ReportPeriod) (RoutingFigures, error) {
	return s.routing(ctx, p, "", period)
}

// BrokerRouting counts the decisions made in the period that routed
// records to one broker: how many of them confirmed the router's
// suggestion and how many overrode it (the scorecard's
// routing_override_rate; see RoutingFigures.Fill).
func (s *Service) BrokerRouting(ctx context.Context, p broker.Principal, brokerID string, period broker.ReportPeriod) (RoutingFigures, error) {
	if brokerID == "" {
		return RoutingFigures{}, &Error{Op: "routing figures", Err: ErrInvalid, Msg: "no broker given"}
	}
	return s.routing(ctx, p, brokerID, period)
}

func (s *Service) routing(ctx context.Context, p broker.Principal, brokerID string, period broker.ReportPeriod) (RoutingFigures, error) {
	var f RoutingFigures
	for _, st := range []Outcome{Confirmed, Overridden} {
		sgs, err := broker.NewLibrary[Suggestion](s.sys).Find(ctx, p, broker.ListOptions{Broker: brokerID, Stage: string(st)})
		if err != nil {
			return f, err
		}
		for _, sg := range sgs {
			if !period.Contains(sg.DecidedAt) {
				continue
			}
			f.Decided++
			if st == Confirmed {
				f.Confirmed++
			} else {
				f.Overridden++
			}
		}
	}
	f.Accuracy = broker.Rate(f.Confirmed, f.Decided)
	return f, nil
}

// Fill sets the routing figures of a scorecard's broker statistics: the
// records routed to the broker (Routed) and those whose suggestion a
// person overrode (RoutingOverrides). Fill figures of one broker
// (BrokerRouting).
func (f RoutingFigures) Fill(st *assessment.BrokerStats) {
	st.Routed, st.RoutingOverrides = f.Decided, f.Overridden
}
