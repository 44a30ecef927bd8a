package httpapi

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/contract"
)

// The request and response types of the API that are not records. Field
// names are the JSON names of the document (/openapi.json).

// NewCaseRequest opens a case (broker.NewCase).
type NewCaseRequest struct {
	Subject    broker.RecordRef  `json:"subject"`
	Broker     string            `json:"broker"`
	Reason     string            `json:"reason,omitempty"`
	Evidence   []string          `json:"evidence,omitempty"`
	Source     broker.CaseSource `json:"source,omitzero"`
	Visibility broker.Visibility `json:"visibility,omitempty"`
}

// CaseMoveRequest moves a case (broker.CaseMove); the version is If-Match.
type CaseMoveRequest struct {
	To         broker.CaseStage         `json:"to"`
	Reason     string                   `json:"reason,omitempty"`
	Evidence   []string                 `json:"evidence,omitempty"`
	Verdict    *broker.ScreeningVerdict `json:"verdict,omitempty"`
	ListingRef string                   `json:"listing_ref,omitempty"`
	DealRef    string                   `json:"deal_ref,omitempty"`
}

// CaseEvent is one entry of a case's history.
type CaseEvent struct {
	Seq     int64                    `json:"seq"`
	Type    string                   `json:"type"`
	Actor   string                   `json:"actor"`
	Time    time.Time                `json:"time"`
	Stage   *broker.StageEvent       `json:"stage,omitempty"`
	Service *broker.DeliveredService `json:"service,omitempty"`
}

// DeliveryRequest records a service delivered on a case.
type DeliveryRequest struct {
	Code string `json:"code"`
	Note string `json:"note,omitempty"`
}

// DemandMoveRequest moves a demand through the closed loop; the version is
// If-Match.
type DemandMoveRequest struct {
	To       broker.DemandStatus `json:"to"`
	Spec     string              `json:"spec,omitempty"`
	Reason   string              `json:"reason,omitempty"`
	Evidence []string            `json:"evidence,omitempty"`
}

// DemandStats are a broker's closed-loop figures (broker.DemandLoopStats).
type DemandStats struct {
	Received       int     `json:"received"`
	Responded      int     `json:"responded"`
	Diagnosed      int     `json:"diagnosed"`
	Resolved       int     `json:"resolved"`
	Unresolvable   int     `json:"unresolvable"`
	ResolutionRate float64 `json:"resolution_rate"`
	// Median times in hours.
	MedianResponseHours   float64 `json:"median_response_hours"`
	MedianResolutionHours float64 `json:"median_resolution_hours"`
}

func demandStats(d broker.DemandLoopStats) DemandStats {
	return DemandStats{Received: d.Received, Responded: d.Responded, Diagnosed: d.Diagnosed, Resolved: d.Resolved,
		Unresolvable: d.Unresolvable, ResolutionRate: d.ResolutionRate,
		MedianResponseHours: d.MedianResponse.Hours(), MedianResolutionHours: d.MedianResolution.Hours()}
}

// ReasonCount is how often a decline reason was given.
type ReasonCount struct {
	Reason broker.DeclineReason `json:"reason"`
	Label  string               `json:"label_zh"`
	Count  int                  `json:"count"`
}

func reasonCounts(rc []broker.ReasonCount) []ReasonCount {
	out := make([]ReasonCount, len(rc))
	for i, r := range rc {
		out[i] = ReasonCount{Reason: r.Reason, Label: r.Reason.Chinese(), Count: r.Count}
	}
	return out
}

// RegistrationRequest registers for an activity; an empty participant is
// the caller.
type RegistrationRequest struct {
	Participant string `json:"participant,omitempty"`
	Org         string `json:"org,omitempty"`
	Name        string `json:"name,omitempty"`
	Role        string `json:"role,omitempty"`
}

// MeetingRequest asks a registered participant for a 1:1 meeting.
type MeetingRequest struct {
	Invitee string `json:"invitee"`
	Note    string `json:"note,omitempty"`
}

// MeetingAnswer accepts or declines a meeting.
type MeetingAnswer struct {
	Accept bool `json:"accept"`
}

// LeadRequest records an activity's outcome.
type LeadRequest struct {
	Kind    activity.LeadKind `json:"kind"`
	Subject broker.RecordRef  `json:"subject"`
	Party   string            `json:"party,omitempty"`
	Meeting string            `json:"meeting,omitempty"`
	Note    string            `json:"note,omitempty"`
	// Broker is the broker of the case a case lead opens; empty means the
	// activity's.
	Broker string `json:"broker,omitempty"`
}

// Conversion is an activity's funnel.
type Conversion struct {
	Activity          string `json:"activity"`
	Registrations     int    `json:"registrations"`
	MeetingsRequested int    `json:"meetings_requested"`
	MeetingsAccepted  int    `json:"meetings_accepted"`
	MeetingsScheduled int    `json:"meetings_scheduled"`
	Leads             int    `json:"leads"`
	Interests         int    `json:"interests"`
	CasesOpened       int    `json:"cases_opened"`
	CasesAdvanced     int    `json:"cases_advanced"`
	CasesTraded       int    `json:"cases_traded"`
}

// Schedule is the result of scheduling an activity's meetings.
type Schedule struct {
	Meetings []activity.Meeting `json:"meetings"`
	Placed   []string           `json:"placed"`
	Unplaced []string           `json:"unplaced"`
}

// Seats are an activity's seats.
type Seats struct {
	Taken    int `json:"taken"`
	Capacity int `json:"capacity"`
}

// PublishRequest publishes a draft listing; the version is If-Match.
type PublishRequest struct {
	Closes time.Time `json:"closes,omitzero"`
}

// WithdrawRequest withdraws a listing.
type WithdrawRequest struct {
	Reason string `json:"reason"`
}

// RenewRequest renews a listing.
type RenewRequest struct {
	Closes time.Time `json:"closes,omitzero"`
}

// DepositRequest records a bidder's deposit, as confirmed by the exchange.
type DepositRequest struct {
	Bidder     string          `json:"bidder"`
	Amount     decimal.Decimal `json:"amount"`
	PaymentRef string          `json:"payment_ref,omitempty"`
}

// RefundRequest marks a deposit refunded.
type RefundRequest struct {
	PaymentRef string `json:"payment_ref,omitempty"`
}

// BidRequest places a bid: an amount, or a raise of n increments.
type BidRequest struct {
	Bidder string          `json:"bidder"`
	Amount decimal.Decimal `json:"amount,omitzero"`
	Raise  int             `json:"raise,omitempty"`
	// Ref is the bidder's reference; empty means the Idempotency-Key.
	Ref string `json:"ref,omitempty"`
}

// DealRequest closes a deal on a listing (exchange.NewDeal).
type DealRequest struct {
	Listing       string                `json:"listing"`
	Buyer         string                `json:"buyer"`
	BuyerID       string                `json:"buyer_id,omitempty"`
	Amount        decimal.Decimal       `json:"amount"`
	ContractType  contract.Type         `json:"contract_type,omitempty"`
	Terms         contract.Terms        `json:"terms,omitzero"`
	Projected     []decimal.Decimal     `json:"projected,omitempty"`
	Signed        time.Time             `json:"signed,omitzero"`
	Start         time.Time             `json:"start,omitzero"`
	Licence       contract.LicenceScope `json:"licence,omitzero"`
	PatentExpires time.Time             `json:"patent_expires,omitzero"`
}

// Book is the public state of a bidding listing.
type Book struct {
	Listing string                 `json:"listing"`
	Method  exchange.TradingMethod `json:"method"`
	Status  string                 `json:"status"`
	Closes  time.Time              `json:"closes"`
	Bids    int64                  `json:"bids"`
	High    decimal.Decimal        `json:"high"`
	MinNext decimal.Decimal        `json:"min_next"`
}

// LedgerRow is one line of the exchange's ledger.
type LedgerRow struct {
	Broker   string          `json:"broker,omitempty"`
	Region   string          `json:"region,omitempty"`
	Period   string          `json:"period,omitempty"`
	Listings int             `json:"listings"`
	Deals    int             `json:"deals"`
	Value    decimal.Decimal `json:"value"`
	ValueZH  string          `json:"value_zh"`
}

// Ledger totals listings and deals per broker, region and period.
type Ledger struct {
	Rows  []LedgerRow `json:"rows"`
	Total LedgerRow   `json:"total"`
}

func ledgerRow(r exchange.LedgerRow) LedgerRow {
	return LedgerRow{Broker: r.Broker, Region: r.Region, Period: r.Period, Listings: r.Listings, Deals: r.Deals, Value: r.Value, ValueZH: r.ValueZH()}
}

// PlatformStats are one broker's platform figures for a period (平台统计).
type PlatformStats struct {
	Broker            string                   `json:"broker"`
	From              time.Time                `json:"from,omitzero"`
	To                time.Time                `json:"to,omitzero"`
	CasesByStage      map[broker.CaseStage]int `json:"cases_by_stage"`
	CasesOpened       int                      `json:"cases_opened"`
	Entered           map[broker.CaseStage]int `json:"entered"`
	Flows             []StageFlow              `json:"flows"`
	Demand            DemandStats              `json:"demand"`
	Activities        int                      `json:"activities"`
	Registrations     int                      `json:"registrations"`
	MeetingsScheduled int                      `json:"meetings_scheduled"`
	Leads             int                      `json:"leads"`
	Interests         int                      `json:"interests"`
	CasesFromLeads    int                      `json:"cases_from_leads"`
	ServicesDelivered int                      `json:"services_delivered"`
	ServiceFees       decimal.Decimal          `json:"service_fees"`
	Feedback          []ReasonCount            `json:"feedback"`
}

// StageFlow counts the moves from one stage to another.
type StageFlow struct {
	From  broker.CaseStage `json:"from"`
	To    broker.CaseStage `json:"to"`
	Count int              `json:"count"`
}

// Signal is one ranking signal of a match.
type Signal struct {
	Name         string  `json:"name"`
	Value        float64 `json:"value"`
	Weight       float64 `json:"weight"`
	Contribution float64 `json:"contribution"`
}

// Explanation says why a match ranks where it does.
type Explanation struct {
	Signals []Signal `json:"signals"`
	Terms   []string `json:"terms"`
	// Notes say what else bears on the match, e.g. that the pair was
	// declined before and why.
	Notes []string `json:"notes,omitempty"`
}

// Match is one match of a demand or one search hit, with the record as the
// caller may see it.
type Match struct {
	Kind        broker.Kind         `json:"kind"`
	ID          string              `json:"id"`
	Title       string              `json:"title"`
	Score       float64             `json:"score"`
	Explanation Explanation         `json:"explanation"`
	Achievement *broker.Achievement `json:"achievement,omitempty"`
	Demand      *broker.Demand      `json:"demand,omitempty"`
	Expert      *broker.Expert      `json:"expert,omitempty"`
}

// SearchPage is one page of a search: the hits, the cursor of the next
// page, how many records match on every page, and the facet counts.
type SearchPage struct {
	Items  []Match      `json:"items"`
	Next   string       `json:"next,omitempty"`
	Total  int          `json:"total"`
	Facets SearchFacets `json:"facets"`
}

// SearchFacets count a search's matches per broker, region and discipline
// (over every page; the empty value counts the records without one).
type SearchFacets struct {
	Brokers     []FacetCount `json:"brokers"`
	Regions     []FacetCount `json:"regions"`
	Disciplines []FacetCount `json:"disciplines"`
}

// FacetCount is how many matches have a value.
type FacetCount struct {
	Value string `json:"value"`
	Count int    `json:"count"`
}

// Scorecard is the broker assessment of a year.
type Scorecard struct {
	Period     string        `json:"period"`
	Indicators []string      `json:"indicators"`
	Entities   []EntityScore `json:"entities"`
	Skipped    []string      `json:"skipped,omitempty"`
}

// EntityScore is one broker's line of the scorecard.
type EntityScore struct {
	ID          string    `json:"id"`
	NameZH      string    `json:"name_zh"`
	NameEN      string    `json:"name_en"`
	Total       float64   `json:"total"`
	Rank        int       `json:"rank"`
	Grade       string    `json:"grade"`
	GroupPoints []float64 `json:"group_points"`
}

// Event is one event of the stream (GET /v1/events), as the data of an
// SSE message whose id is Seq.
type Event struct {
	Seq    int64       `json:"seq"`
	Kind   broker.Kind `json:"kind"`
	Record string      `json:"record"`
	Type   string      `json:"type"`
	Actor  string      `json:"actor,omitempty"`
	Time   time.Time   `json:"time"`
}
