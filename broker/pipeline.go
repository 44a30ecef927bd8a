package broker

import (
	"fmt"
	"sync"
)

// CaseStage is a Case's place in the broker service chain (技术券商服务链).
type CaseStage string

// Case stages. The first eight are the chain, in order; Closed, Rejected and
// Withdrawn are terminal.
const (
	StageCollected   CaseStage = "collected"   // 征集: taken in by the broker
	StageScreened    CaseStage = "screened"    // 筛选: passed a screening panel
	StageCultivating CaseStage = "cultivating" // 培育: being made ready (pilot, IP, valuation)
	StagePromoting   CaseStage = "promoting"   // 推介: offered to companies and investors
	StageListed      CaseStage = "listed"      // 挂牌: listed on an exchange
	StageTraded      CaseStage = "traded"      // 交易: a deal is signed
	StageIncubating  CaseStage = "incubating"  // 孵化: follow-up after the deal
	StageClosed      CaseStage = "closed"      // 结案: done
	StageRejected    CaseStage = "rejected"    // 不予推进: stopped by the broker, with a reason
	StageWithdrawn   CaseStage = "withdrawn"   // 撤回: withdrawn by the owner or the broker
)

// CaseStages returns every stage: the chain in order, then the other
// terminal stages.
func CaseStages() []CaseStage {
	return []CaseStage{StageCollected, StageScreened, StageCultivating, StagePromoting, StageListed,
		StageTraded, StageIncubating, StageClosed, StageRejected, StageWithdrawn}
}

// Valid reports whether s is a known stage.
func (s CaseStage) Valid() bool {
	switch s {
	case StageCollected, StageScreened, StageCultivating, StagePromoting, StageListed,
		StageTraded, StageIncubating, StageClosed, StageRejected, StageWithdrawn:
		return true
	}
	return false
}

// Open reports whether a case in stage s can still move: every known stage
// except Closed, Rejected and Withdrawn.
func (s CaseStage) Open() bool {
	return s.Valid() && s != StageClosed && s != StageRejected && s != StageWithdrawn
}

// Guard names what a transition requires besides being in the table.
type Guard string

// Guards.
const (
	// GuardNone: the move needs nothing more.
	GuardNone Guard = ""
	// GuardVerdict: a passing ScreeningVerdict, recorded on the case or given
	// with the move.
	GuardVerdict Guard = "screening_verdict"
	// GuardListing: a listing reference given with the move (CaseMove.ListingRef).
	GuardListing Guard = "listing_ref"
	// GuardDeal: a deal reference given with the move (CaseMove.DealRef).
	GuardDeal Guard = "deal_ref"
	// GuardReason: a non-empty CaseMove.Reason (or DemandMove.Reason).
	GuardReason Guard = "reason"
	// GuardSpec: a technical spec (DemandMove.Spec or one already on the demand).
	GuardSpec Guard = "spec"
)

// CaseEdge is one allowed move of the case pipeline.
type CaseEdge struct {
	From, To CaseStage
	Guard    Guard
}

// CaseTransitions returns the case pipeline's transition table: the one
// place that says which moves exist and what each requires.
//
//	collected   → screened     (a passing screening verdict)
//	screened    → cultivating | promoting
//	cultivating → promoting
//	promoting   → listed       (a listing reference)
//	promoting   → traded       (a deal reference; e.g. a development or
//	                            service contract for a demand, not listed)
//	listed      → traded       (a deal reference)
//	listed      → promoting    (a reason: the listing lapsed or was withdrawn)
//	traded      → incubating | closed
//	incubating  → closed
//	any open stage → rejected  (a reason)
//	any open stage → withdrawn
//
// Closed, Rejected and Withdrawn are terminal: nothing leaves them.
func CaseTransitions() []CaseEdge {
	t := []CaseEdge{
		{StageCollected, StageScreened, GuardVerdict},
		{StageScreened, StageCultivating, GuardNone},
		{StageScreened, StagePromoting, GuardNone},
		{StageCultivating, StagePromoting, GuardNone},
		{StagePromoting, StageListed, GuardListing},
		{StagePromoting, StageTraded, GuardDeal},
		{StageListed, StageTraded, GuardDeal},
		{StageListed, StagePromoting, GuardReason},
		{StageTraded, StageIncubating, GuardNone},
		{StageTraded, StageClosed, GuardNone},
		{StageIncubating, StageClosed, GuardNone},
	}
	for _, s := range CaseStages() {
		if s.Open() {
			t = append(t, CaseEdge{s, StageRejected, GuardReason}, CaseEdge{s, StageWithdrawn, GuardNone})
		}
	}
	return t
}

// caseTable indexes CaseTransitions once; it is never changed afterwards.
var caseTable = sync.OnceValue(func() map[[2]CaseStage]Guard {
	m := map[[2]CaseStage]Guard{}
	for _, e := range CaseTransitions() {
		m[[2]CaseStage{e.From, e.To}] = e.Guard
	}
	return m
})

// CaseMoveAllowed reports whether the table has a move from → to, and the
// guard it needs.
func CaseMoveAllowed(from, to CaseStage) (Guard, bool) {
	g, ok := caseTable()[[2]CaseStage{from, to}]
	return g, ok
}

// TransitionError is returned for a refused stage or status move of a Case
// or a Demand. It names the record and both stages.
//
// Its sentinel depends on why the move was refused:
//   - Missing == "": the move is not in the transition table from the
//     record's current stage (including a record already in a terminal
//     stage, or one that another writer has just moved). That conflicts
//     with the record's state: errors.Is(err, ErrConflict) is true.
//   - Missing != "": the move exists but its guard is not met (no passing
//     screening verdict, no listing or deal reference, no reason, no spec).
//     That is bad input: errors.Is(err, ErrInvalid) is true.
type TransitionError struct {
	Kind     Kind
	ID       string
	From, To string
	Missing  Guard  // the unmet guard, if any
	Reason   string // a human explanation
}

func (e *TransitionError) Error() string {
	msg := fmt.Sprintf("cannot move %s %s from %q to %q", e.Kind, e.ID, e.From, e.To)
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// Is matches ErrInvalid when a guard is unmet and ErrConflict otherwise.
func (e *TransitionError) Is(target error) bool {
	if e.Missing != "" {
		return target == ErrInvalid
	}
	return target == ErrConflict
}
