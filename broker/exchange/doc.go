// Package exchange is the technology exchange (技术交易) of a broker
// System: listings, bids and auctions, deals and the ledger, in the manner
// of the Shanghai Technology Exchange (上海技术交易所).
//
//	x := exchange.New(sys) // sys is a *broker.System
//	l, err := x.CreateListing(ctx, staff, listing)
//	l, err = x.PublishListing(ctx, staff, l.ID, exchange.Publish{Version: l.Version, Closes: deadline})
//
// Every write goes through the System's transaction (broker.System.Update)
// and the core's record operations, so validation, the access policy
// (broker.Rules) and the audit log apply to the exchange's records as to
// every other record. The package never sees the store.
//
// # Words
//
// Where to find each concept, by its Chinese or English name:
//
//   - 挂牌 listing: Listing, CreateListing, PublishListing, RenewListing,
//     WithdrawListing, GetListing, ListListings (listing.go). 挂牌 as a
//     trading method (listed at a firm or floor price) is MethodFixed.
//   - 拍卖 auction: MethodAuction; the bidding rules are pure functions of an
//     Auction (auction.go): reserve price, increment, deposits, sealed
//     offers and deadlines, and Winner.
//   - 竞价 bidding: MethodBidding, online competitive bidding, mechanically an
//     auction; PlaceBid, the "加价 n 个阶梯" raise (PlaceBid.Raise), Book,
//     ListBids, CloseBidding (bid.go).
//   - 招标 tender: MethodTender, sealed offers (Auction.Sealed), one per bidder,
//     opened together by CloseBidding.
//   - 保证金 deposit: Deposit, PayDeposit, RefundDeposit, ListDeposits.
//   - 协议定价 agreement price: MethodAgreement; publication puts the title and
//     price under public notice (公示, PublicNotice) for Listing.NoticeDays —
//     at least 15 days for a state-funded owner (contract.RequiredNoticeDays,
//     checked when the listing is written and published); the deal closes
//     only after the notice has run.
//   - 成交 deal: Deal, CloseDeal, GetDeal, ListDeals (deal.go), with the
//     contract's payment schedule and compliance findings (package contract),
//     and the policy facts of a deal (DealFacts, DealPolicies; policies.go).
//   - 台账 ledger: Ledger, LedgerQuery, LedgerRow (ledger.go): listings and
//     deals with their value per broker, region and period.
//
// # Access
//
// The exchange's records — listings, books, deposits, bids and deals — are
// of the policy's class broker.ClassExchange. A broker's staff create,
// publish, renew and withdraw their own desk's listings, close bidding and
// deals (broker.ActOperate; no plain writes). What the exchange itself
// attests is the exchange operator's (broker.RoleExchangeOperator,
// broker.ActConfirm), not the desk's: it confirms and refunds deposits and
// posts an agreement price's public notice (公示) by publishing it. Platform
// admins do all; oversight (broker.RoleOversight) reads all and does
// nothing. A draft is confidential (Listing.Tier): seen by its owner, the
// desk, the exchange and admins, and never counted in another principal's
// pages. Contact data and the technical detail are a listing's private part
// (broker.ActSeePrivate). Bidding is taking part (broker.ActTakePart) in
// the listing for a bidder the principal acts for. Bids, deposits and
// deals are confidential, seen by their bidder or parties, the desk, the
// exchange and admins; a listing's book and its events (which name the
// bidders) are the desk's and the exchange's.
// One rule is the tender's, not the policy's: until CloseBidding opens
// them, sealed offers are seen by their bidder only (Principal.Org), not
// even by the desk or admins.
//
// # Errors
//
// Refused bids are *BidError (matching ErrBidRejected and the sentinel of
// their class: broker.ErrInvalid, ErrForbidden, ErrExists or ErrConflict,
// never broker.ErrStale); a closed auction has its own reason,
// RejectClosed. A deal that fails a blocking compliance rule is a
// *DealError (broker.ErrInvalid). A move the listing's status does not
// allow is a *broker.TransitionError (broker.ErrConflict).
//
// # Concurrency
//
// Each bidding listing has a book (a small record written with every bid),
// so concurrent bids on one auction are serialized by the store: each gets
// the next sequence number and none is lost. A bid that meets a concurrent
// one is retried by System.Update; the package has no retry loop of its
// own.
package exchange
