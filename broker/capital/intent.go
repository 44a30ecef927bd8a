package capital

import (
	"context"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/internal/textnorm"
)

// InvestmentIntent is an investor's intent to invest in the subject of a
// case (投资意向), with an indicative amount. Recorded at an activity, it is
// also an interest lead of that activity, so the activity's funnel counts
// it; the broker's CapitalMatched adds the amounts up.
//
// It is a process record written only by RecordInvestmentIntent: a plain
// write may not create one nor change what it points to (GuardUpdate). It
// is Confidential unless recorded otherwise: seen by the case's broker's
// staff, platform admins, the subject's owners (Owners, copied from the
// case; a merge of one of them rewrites it) and the investor's organization
// (InvestorOrg).
type InvestmentIntent struct {
	broker.Meta
	Case     string           `json:"case" validate:"required,max=64"`
	Subject  broker.RecordRef `json:"subject"`
	Investor string           `json:"investor" validate:"required,max=64"` // the Investor's ID
	// InvestorOrg is the investor's organization (Investor.OrgID), copied
	// when recorded: its principals read the intent.
	InvestorOrg string `json:"investor_org,omitempty" validate:"max=64" org:"id"`
	// ByInvestor: the investor recorded the intent itself (a principal
	// acting for it), not the broker on its behalf.
	ByInvestor bool            `json:"by_investor,omitempty"`
	Amount     decimal.Decimal `json:"amount"` // indicative, in yuan
	Stage      InvestStage     `json:"stage,omitempty" validate:"omitempty,oneof=seed angel pre_a a b c growth pre_ipo"`
	Activity   string          `json:"activity,omitempty" validate:"max=64"`
	Lead       string          `json:"lead,omitempty" validate:"max=64"` // the activity lead written with it
	Note       string          `json:"note,omitempty" validate:"max=2000"`
	Owners     []string        `json:"owners,omitempty" validate:"max=50,dive,max=200" org:"list"`
}

// RecordKind is KindIntent.
func (InvestmentIntent) RecordKind() broker.Kind { return KindIntent }

// DedupKey indexes the case (ListOptions.Key "intent:" + case ID).
func (n InvestmentIntent) DedupKey() string { return "intent:" + n.Case }

// OwnerOrgs are the owners of the case's subject and the investor's
// organization.
func (n InvestmentIntent) OwnerOrgs() []string {
	if n.InvestorOrg == "" {
		return n.Owners
	}
	return append(slices.Clone(n.Owners), n.InvestorOrg)
}

// Normalized folds the text and the stage's name; an intent is
// Confidential unless it says otherwise.
func (n InvestmentIntent) Normalized() InvestmentIntent {
	if n.Visibility == "" {
		n.Visibility = broker.Confidential
	}
	n.Case, n.Investor, n.Activity, n.Lead = textnorm.Text(n.Case), textnorm.Text(n.Investor), textnorm.Text(n.Activity), textnorm.Text(n.Lead)
	n.InvestorOrg = textnorm.Text(n.InvestorOrg)
	n.Subject.ID = textnorm.Text(n.Subject.ID)
	n.Stage = stageCode(n.Stage)
	n.Note = textnorm.Multiline(n.Note)
	n.Owners = textnorm.List(n.Owners)
	return n
}

// Validate checks the amount.
func (n InvestmentIntent) Validate(c *broker.Check) { c.Money("amount", n.Amount) }

// GuardUpdate keeps intents for RecordInvestmentIntent: a plain write
// creates none and changes neither the case, its subject and broker, the
// investor, the activity nor the lead.
func (n InvestmentIntent) GuardUpdate(stored InvestmentIntent) []broker.FieldError {
	var out []broker.FieldError
	guard := func(field string, changed bool) {
		if changed {
			out = append(out, broker.FieldError{Field: field, Code: "guarded", Param: "RecordInvestmentIntent"})
		}
	}
	guard("case", n.Case != stored.Case)
	guard("subject", n.Subject != stored.Subject)
	guard("broker", n.Broker != stored.Broker)
	guard("investor", n.Investor != stored.Investor)
	guard("investor_org", n.InvestorOrg != stored.InvestorOrg)
	guard("by_investor", n.ByInvestor != stored.ByInvestor)
	guard("activity", n.Activity != stored.Activity)
	guard("lead", n.Lead != stored.Lead)
	guard("owners", !slices.Equal(n.Owners, stored.Owners))
	return out
}

// EventIntentRecorded is the event of a new investment intent.
const EventIntentRecorded = "recorded"

// RecordInvestmentIntent records an investor's intent on a case: its
// broker, subject and owners are the case's. When n.Activity is set, an
// interest lead of that activity (activity.LeadInterest, Party: the
// investor's organization ID, else its name) is written in the same
// transaction, so the activity's conversion counts it, and n.Lead names it.
// The case's broker staff and platform admins record intents (ActOperate
// on the case), and must organize the activity when one is named.
// Investors act as principals of their own: a principal that may write the
// investor's record (its organization's, broker.RoleInvestor) records the
// investor's intent itself (ByInvestor) when it may take part in the
// case's subject (broker.ActTakePart: a published achievement) and, when one
// is named, in the activity; the activity's lead is then written for its
// organizers.
//
// Errors: ErrInvalid naming case, investor or activity ("ref") when one
// does not exist, or any bad field; ErrForbidden when the principal may
// not operate the case or organize the activity. On any error nothing is
// written.
func (s *Service) RecordInvestmentIntent(ctx context.Context, p broker.Principal, n InvestmentIntent) (InvestmentIntent, error) {
	const op = "record intent"
	n.Case, n.Investor, n.Activity = textnorm.Text(n.Case), textnorm.Text(n.Investor), textnorm.Text(n.Activity)
	var out InvestmentIntent
	err := s.sys.Update(ctx, func(tx *broker.Tx) error {
		v := n
		if v.Case == "" {
			return invalid(KindIntent, "case", "required", "", "")
		}
		c, err := broker.Read[broker.Case](tx, v.Case)
		if notFound(err) {
			return invalid(KindIntent, "case", "ref", "", v.Case)
		} else if err != nil {
			return err
		}
		on := broker.TargetOf(c)
		if v.Investor == "" {
			return invalid(KindIntent, "investor", "required", "", "")
		}
		inv, err := broker.Read[Investor](tx, v.Investor)
		if notFound(err) {
			return invalid(KindIntent, "investor", "ref", "", v.Investor)
		} else if err != nil {
			return err
		}
		run, lead := broker.Via(broker.ActOperate, on), p
		v.ByInvestor = false
		if !broker.Can(p, broker.ActOperate, on) {
			// The investor itself: it keeps its record and takes part in the
			// subject as published.
			subject, err := subjectTarget(tx, c.Subject)
			if err != nil {
				return err
			}
			if !broker.CanDo(p, broker.ActUpdate, inv) || !broker.Can(p, broker.ActTakePart, subject) {
				return broker.Forbidden(op, KindIntent, "", "platform admins, the case's broker staff and the investor itself (on a published subject) only")
			}
			if v.Activity != "" {
				a, err := broker.Read[activity.Activity](tx, v.Activity)
				if notFound(err) {
					return invalid(KindIntent, "activity", "ref", "", v.Activity)
				} else if err != nil {
					return err
				}
				if !broker.CanDo(p, broker.ActTakePart, a) {
					return broker.Forbidden(op, KindIntent, "", "the investor does not take part in the activity")
				}
			}
			run, lead, v.ByInvestor = broker.Via(broker.ActTakePart, subject), keeper, true
		}
		v.Broker, v.Subject, v.Owners, v.Lead, v.InvestorOrg = c.Broker, c.Subject, c.Owners, "", inv.OrgID
		if v.Activity != "" {
			if _, err := broker.Read[activity.Activity](tx, v.Activity); notFound(err) {
				return invalid(KindIntent, "activity", "ref", "", v.Activity)
			} else if err != nil {
				return err
			}
			party := inv.OrgID
			if party == "" {
				party = inv.Name
			}
			l, err := s.acts.RecordLeadTx(tx, lead, v.Activity, activity.Lead{Meta: broker.Meta{Broker: c.Broker},
				Kind: activity.LeadInterest, Subject: c.Subject, Party: party, Note: "investment intent of investor " + inv.ID})
			if err != nil {
				return err
			}
			v.Lead = l.ID
		}
		out, err = broker.Create(tx, p, v, run, broker.Logged(EventIntentRecorded, nil))
		return err
	})
	if err != nil {
		return InvestmentIntent{}, broker.Wrap(op, KindIntent, n.Case, err)
	}
	return out, nil
}

// CapitalFigures are one broker's capital-matching figures for the
// scorecard, as plain values.
type CapitalFigures struct {
	Broker    string
	Intents   int             // intents recorded in the period
	Investors int             // distinct investors among them
	Cases     int             // distinct cases among them
	Amount    decimal.Decimal // sum of the indicative amounts (yuan)
	// ByStage sums the amounts by stage ("" for intents naming none).
	ByStage map[InvestStage]decimal.Decimal
}

// CapitalMatched adds up a broker's investment intents recorded (Created)
// in the period. Platform admins, the broker's own staff and oversight
// only (the policy's ActRead on the broker's desk).
func (s *Service) CapitalMatched(ctx context.Context, p broker.Principal, brokerID string, period broker.ReportPeriod) (CapitalFigures, error) {
	const op = "capital matched"
	if !broker.Can(p, broker.ActRead, broker.DeskTarget(brokerID)) {
		return CapitalFigures{}, broker.Forbidden(op, KindIntent, "", "platform admins, the broker's own staff and oversight only")
	}
	f := CapitalFigures{Broker: brokerID, Amount: decimal.Zero, ByStage: map[InvestStage]decimal.Decimal{}}
	intents, err := s.Intents.Find(ctx, keeper, broker.ListOptions{Broker: brokerID})
	if err != nil {
		return CapitalFigures{}, broker.Wrap(op, KindIntent, "", err)
	}
	investors, cases := map[string]bool{}, map[string]bool{}
	for _, n := range intents {
		if !period.Contains(n.Created) {
			continue
		}
		f.Intents++
		investors[n.Investor], cases[n.Case] = true, true
		f.Amount = f.Amount.Add(n.Amount)
		f.ByStage[n.Stage] = f.ByStage[n.Stage].Add(n.Amount)
	}
	f.Investors, f.Cases = len(investors), len(cases)
	return f, nil
}

// subjectTarget is the access target of a case's subject as stored.
func subjectTarget(tx *broker.Tx, ref broker.RecordRef) (broker.Target, error) {
	switch ref.Kind {
	case broker.KindAchievement:
		a, err := broker.Read[broker.Achievement](tx, ref.ID)
		if err != nil {
			return broker.Target{}, err
		}
		return broker.TargetOf(a), nil
	case broker.KindDemand:
		d, err := broker.Read[broker.Demand](tx, ref.ID)
		if err != nil {
			return broker.Target{}, err
		}
		return broker.TargetOf(d), nil
	}
	return broker.Target{}, invalid(KindIntent, "subject.kind", "oneof", "achievement demand", string(ref.Kind))
}
