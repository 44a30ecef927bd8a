package broker

import (
	"context"
	"errors"
	"slices"
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
	Party   string        `json:"party" org:"ref"` // the declining company
	Reason  DeclineReason `json:"reason"`
	Text    string        `json:"text,omitempty"` // required for "other"
	// Owners are the subject's owners, copied when recorded.
	Owners []string `json:"owners,omitempty" org:"list"`
}

// RecordKind: feedback is a process record written by RecordFeedback.
func (Feedback) RecordKind() Kind { return KindFeedback }

// RecordStage indexes the reason.
func (f Feedback) RecordStage() string { return string(f.Reason) }

// DedupKey indexes the subject, for FeedbackQuery.Subject.
func (f Feedback) DedupKey() string { return f.Subject.String() }

// OwnerOrgs: the subject's owners and the declining party read it.
func (f Feedback) OwnerOrgs() []string { return append(slices.Clone(f.Owners), f.Party) }

// Normalized folds the text and makes feedback confidential.
func (f Feedback) Normalized() Feedback {
	f.Party, f.Text, f.Case, f.Broker = normText(f.Party), normMultiline(f.Text), normText(f.Case), normText(f.Broker)
	f.Subject.ID = normText(f.Subject.ID)
	f.Owners = normList(f.Owners)
	f.Visibility = Confidential
	return f
}

// Validate checks the reason against the taxonomy and the text.
func (f Feedback) Validate(ch *Check) {
	if !f.Reason.Valid() {
		ch.Add("reason", "oneof", "too_early benefit_unclear commercial_route_unclear description_unclear price ip_status outside_market other", string(f.Reason))
	}
	if f.Reason == DeclineOther && f.Text == "" {
		ch.Add("text", "required", "", "")
	}
	if f.Party == "" {
		ch.Add("party", "required", "", "")
	}
	ch.Text("party", f.Party, 200)
	ch.Text("text", f.Text, 2000)
}

// RecordFeedback stores a decline. An enterprise principal records its own
// (Party is its Org); platform admins, and broker staff for a subject their
// broker handles (or a case of theirs), record on a party's behalf. Broker defaults to the case's broker (when Case is set) or the
// subject's. ErrInvalid for a reason outside the taxonomy, or "other"
// without text.
func (s *System) RecordFeedback(ctx context.Context, p Principal, f Feedback) (Feedback, error) {
	f = f.Normalized()
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
	case RolePlatformAdmin:
	default:
		return Feedback{}, forbidden("feedback", KindFeedback, "", "enterprises, broker staff and platform admins record feedback")
	}
	var out Feedback
	err := s.update(ctx, "feedback", KindFeedback, "", func(tx *Tx) error {
		f := f
		subject, err := subjectTx(tx, f.Subject)
		if err != nil {
			return err
		}
		if !Can(p, ActRead, subject.Target) {
			return forbidden("feedback", KindFeedback, "", "the subject is not visible to the principal")
		}
		on := subject.Target // what the principal acts on: the subject, or the case
		if f.Case != "" {
			c, err := Read[Case](tx, f.Case)
			if errors.Is(err, ErrNotFound) {
				return invalid(KindFeedback, FieldError{Field: "case", Code: "ref", Value: f.Case})
			} else if err != nil {
				return err
			}
			if c.Subject != f.Subject {
				return invalid(KindFeedback, FieldError{Field: "case", Code: "invalid", Value: "case is about another subject"})
			}
			on = TargetOf(c)
		}
		if f.Broker == "" {
			f.Broker = on.Meta.Broker
		}
		action := ActOperate // on a party's behalf
		if p.Role == RoleEnterprise {
			action = ActTakePart
		}
		if !Can(p, action, on) || p.Role == RoleBrokerStaff && f.Broker != p.Broker {
			return forbidden("feedback", KindFeedback, "", "broker staff record feedback on their own broker's subjects or cases")
		}
		f.Owners = subject.Owners
		out, err = Create(tx, p, f, Via(action, on), Logged("recorded", nil))
		return err
	})
	return out, err
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
	o := ListOptions{Broker: q.Broker}
	if q.Subject.ID != "" {
		o.Key = q.Subject.String()
	}
	fs, err := NewLibrary[Feedback](s).Find(ctx, p, o)
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
