package broker

import (
	"context"
	"errors"

	"github.com/kexie/techbroker/broker/driver"
)

// DeclineReason is why a company declined a promoted achievement (or a
// party declined a demand's proposed solution), from a fixed taxonomy after
// Inpart's structured feedback.
type DeclineReason string

// Decline reasons.
const (
	DeclineTooEarly           DeclineReason = "too_early"                // 技术尚处早期
	DeclineBenefitUnclear     DeclineReason = "benefit_unclear"          // 相对现有技术的优势不明确
	DeclineCommercialUnclear  DeclineReason = "commercial_route_unclear" // 商业化路径不清晰
	DeclineDescriptionUnclear DeclineReason = "description_unclear"      // 描述或应用场景不清楚
	DeclinePrice              DeclineReason = "price"                    // 价格
	DeclineIPStatus           DeclineReason = "ip_status"                // 知识产权状况
	DeclineOutsideMarket      DeclineReason = "outside_market"           // 不在本企业市场范围
	DeclineOther              DeclineReason = "other"                    // 其他 (needs text)
)

// DeclineReasons returns the taxonomy in its fixed order.
func DeclineReasons() []DeclineReason {
	return []DeclineReason{DeclineTooEarly, DeclineBenefitUnclear, DeclineCommercialUnclear, DeclineDescriptionUnclear,
		DeclinePrice, DeclineIPStatus, DeclineOutsideMarket, DeclineOther}
}

// Valid reports whether r is in the taxonomy.
func (r DeclineReason) Valid() bool {
	switch r {
	case DeclineTooEarly, DeclineBenefitUnclear, DeclineCommercialUnclear, DeclineDescriptionUnclear,
		DeclinePrice, DeclineIPStatus, DeclineOutsideMarket, DeclineOther:
		return true
	}
	return false
}

// Chinese returns the reason's Chinese label.
func (r DeclineReason) Chinese() string {
	switch r {
	case DeclineTooEarly:
		return "技术尚处早期"
	case DeclineBenefitUnclear:
		return "相对现有技术的优势不明确"
	case DeclineCommercialUnclear:
		return "商业化路径不清晰"
	case DeclineDescriptionUnclear:
		return "描述或应用场景不清楚"
	case DeclinePrice:
		return "价格"
	case DeclineIPStatus:
		return "知识产权状况"
	case DeclineOutsideMarket:
		return "不在本企业市场范围"
	case DeclineOther:
		return "其他"
	}
	return string(r)
}

// Feedback is one structured decline, stored per achievement or demand
// (Subject) and per broker (Meta.Broker). It is Confidential: seen by the
// declining party, the subject's owners, the broker's staff and platform
// admins.
type Feedback struct {
	Meta
	Subject RecordRef     `json:"subject"`
	Case    string        `json:"case,omitempty"`
	Party   string        `json:"party"` // the declining company
	Reason  DeclineReason `json:"reason"`
	Text    string        `json:"text,omitempty"` // required for "other"
	// Owners are the subject's owners, copied when recorded.
	Owners []string `json:"owners,omitempty"`
}

func (f Feedback) readers() []string { return append(append([]string(nil), f.Owners...), f.Party) }

// RecordFeedback stores a decline. An enterprise principal records its own
// (Party is its Org); platform admins, and broker staff for a subject their
// broker handles (or a case of theirs), record on a party's behalf. Broker defaults to the case's broker (when Case is set) or the
// subject's. ErrInvalid for a reason outside the taxonomy, or "other"
// without text.
func (s *System) RecordFeedback(ctx context.Context, p Principal, f Feedback) (Feedback, error) {
	f.Party, f.Text, f.Case, f.Broker = normText(f.Party), normMultiline(f.Text), normText(f.Case), normText(f.Broker)
	f.Subject.ID = normText(f.Subject.ID)
	switch p.Role {
	case RoleEnterprise:
		if p.Org == "" || (f.Party != "" && f.Party != p.Org) {
			return Feedback{}, forbidden("feedback", KindFeedback, "", "an enterprise records its own feedback")
		}
		f.Party = p.Org
	case RoleBrokerStaff:
		if f.Broker == "" {
			f.Broker = p.Broker
		}
		if f.Broker != p.Broker {
			return Feedback{}, forbidden("feedback", KindFeedback, "", "broker staff record feedback for their own broker")
		}
	case RolePlatformAdmin:
	default:
		return Feedback{}, forbidden("feedback", KindFeedback, "", "enterprises, broker staff and platform admins record feedback")
	}
	ch := &checker{}
	if !f.Reason.Valid() {
		ch.add("reason", "oneof", "too_early benefit_unclear commercial_route_unclear description_unclear price ip_status outside_market other", string(f.Reason))
	}
	if f.Reason == DeclineOther && f.Text == "" {
		ch.add("text", "required", "", "")
	}
	if f.Party == "" {
		ch.add("party", "required", "", "")
	}
	checkText(ch, "party", f.Party, 200)
	checkText(ch, "text", f.Text, 2000)
	if err := ch.err(KindFeedback); err != nil {
		return Feedback{}, wrap("feedback", KindFeedback, "", err)
	}
	err := driver.Update(ctx, s.store, func(ctx context.Context, tx driver.Tx) error {
		meta, owners, _, err := s.subjectTx(ctx, tx, f.Subject)
		if err != nil {
			return err
		}
		if !p.canRead(meta, owners) {
			return forbidden("feedback", KindFeedback, "", "subject not visible to principal")
		}
		if f.Case != "" {
			rec, err := tx.Get(ctx, string(KindCase), f.Case)
			if errors.Is(err, ErrNotFound) {
				return &ValidationError{Kind: KindFeedback, Fields: []FieldError{{Field: "case", Code: "ref", Value: f.Case}}}
			} else if err != nil {
				return err
			}
			c, err := s.caseLib().decodeRecord(rec)
			if err != nil {
				return err
			}
			if c.Subject != f.Subject {
				return &ValidationError{Kind: KindFeedback, Fields: []FieldError{{Field: "case", Code: "invalid", Value: "case is about another subject"}}}
			}
			if f.Broker == "" {
				f.Broker = c.Broker
			}
			if p.Role == RoleBrokerStaff && c.Broker != p.Broker {
				return forbidden("feedback", KindFeedback, "", "case of another broker")
			}
		}
		if f.Broker == "" {
			f.Broker = meta.Broker
		}
		if p.Role == RoleBrokerStaff && f.Case == "" && meta.Broker != p.Broker {
			return forbidden("feedback", KindFeedback, "", "broker staff record feedback on their own broker's subjects or cases")
		}
		f.Owners = owners
		now := s.now()
		f.Meta = Meta{ID: s.newID(KindFeedback), Broker: f.Broker, Visibility: Confidential, Created: now, Updated: now,
			Provenance: Provenance{AddedBy: p.ID}}
		return s.putStageTx(ctx, tx, p, KindFeedback, &f.Meta, f.Subject.String(), string(f.Reason), "recorded", f, true)
	})
	if err != nil {
		return Feedback{}, wrap("feedback", KindFeedback, "", err)
	}
	return f, nil
}

// FeedbackQuery selects feedback. Zero fields do not filter.
type FeedbackQuery struct {
	Subject RecordRef // one achievement or demand
	Broker  string
	Party   string
	Period  ReportPeriod // by the time recorded
}

// Feedback returns the feedback matching q that the principal may read,
// in the order recorded.
func (s *System) Feedback(ctx context.Context, p Principal, q FeedbackQuery) ([]Feedback, error) {
	all, err := s.feedback(ctx, q)
	if err != nil {
		return nil, wrap("feedback", KindFeedback, "", err)
	}
	out := all[:0]
	for _, f := range all {
		if p.canRead(f.Meta, f.readers()) {
			out = append(out, f)
		}
	}
	return out, nil
}

func (s *System) feedback(ctx context.Context, q FeedbackQuery) ([]Feedback, error) {
	dq := driver.Query{Kind: string(KindFeedback), Broker: q.Broker}
	if q.Subject.ID != "" {
		dq.Key = q.Subject.String()
	}
	recs, err := s.store.List(ctx, dq)
	if err != nil {
		return nil, err
	}
	fs, err := decodeAll[Feedback](recs)
	if err != nil {
		return nil, err
	}
	out := fs[:0]
	for _, f := range fs {
		if (q.Party == "" || f.Party == q.Party) && (q.Period == ReportPeriod{} || q.Period.Contains(f.Created)) {
			out = append(out, f)
		}
	}
	return out, nil
}

// ReasonCount is how often a reason was given.
type ReasonCount struct {
	Reason DeclineReason
	Count  int
}

// FeedbackCounts counts the feedback matching q that the principal may
// read, by reason, in the taxonomy's order (every reason is listed, zero
// counts included).
func (s *System) FeedbackCounts(ctx context.Context, p Principal, q FeedbackQuery) ([]ReasonCount, error) {
	fs, err := s.Feedback(ctx, p, q)
	if err != nil {
		return nil, err
	}
	return countReasons(fs), nil
}

func countReasons(fs []Feedback) []ReasonCount {
	out := make([]ReasonCount, 0, 8)
	for _, r := range DeclineReasons() {
		out = append(out, ReasonCount{Reason: r})
	}
	for _, f := range fs {
		for i := range out {
			if out[i].Reason == f.Reason {
				out[i].Count++
			}
		}
	}
	return out
}
