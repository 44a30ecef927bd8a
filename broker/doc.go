// Package broker is the domain of a technology-transfer broker platform:
// the three libraries (achievements 成果库, demands 需求库, experts 专家库),
// the industry brokers (样板间) and the System that users call.
//
// # The System
//
// A System holds the libraries over one storage adapter (see package
// broker/driver; broker/memstore is the in-memory default):
//
//	sys, err := broker.Build(ctx, memstore.New(), broker.Yangpu(), admin, nil)
//	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "…"})
//
// Every write is normalized and validated; IDs, versions and times are
// assigned by the System (with an injected clock and ID source); every
// change writes an audit event in the same transaction; and every call takes
// the acting Principal explicitly.
//
// # Normalization
//
// Text is normalized on write with golang.org/x/text: Unicode NFKC (which
// folds full-width ASCII such as "ＰＭ２．５" to "PM2.5"), width folding, white
// space collapsed and trimmed, invalid UTF-8 replaced. Keyword and code lists
// are de-duplicated case-insensitively; codes are upper-cased.
//
// # Validation
//
// One validator.Validate (go-playground/validator/v10) per System checks
// the struct tags; the record types add checks of their own (money is
// well-formed and not negative, a budget's max is not below its min, a
// readiness level lies on its scale, inventors' shares add up to at most
// 100%, codes are on the configured code lists). A bad record returns a
// *ValidationError listing every bad field; it matches ErrInvalid, and
// Localize renders it in Chinese or English (golang.org/x/text/message).
//
// # Money
//
// Money is decimal.Decimal holding yuan, with at most 2 decimal places (分)
// and at most 1万亿. Absurd values (say 1e999999) are rejected before any
// arithmetic.
//
// # Concurrency
//
// Updates are optimistic: Update names the version it read and gets
// ErrConflict if the record changed since, never a silent overwrite.
// Library.Modify retries a read-modify-write for you.
//
// # Access
//
// Visibility tiers: Public records are seen by all, Members records by any
// signed-in principal, Confidential ones only by their owner, the handling
// industry broker's staff and platform admins. An expert's Contact is
// personal data, returned only to the expert and to platform admins. Denied
// calls return ErrForbidden and write nothing.
//
// # Import
//
// Library.Import reads CSV (a header row of JSON field names; lists
// separated by ";", money with 元/万元/亿元, enumerations by code or
// Chinese name) or JSON Lines. It reports every bad field with its row,
// writes nothing when a row is bad unless asked to import the good rows,
// and finds duplicates by normalized title and owner, which it reports or
// merges.
//
// # Platforms
//
// The society docking platform (学会资源对接平台): a Society has
// disciplines, member experts and service teams (科技服务团) serving named
// regions; its evaluation qualification (有科技评估资质) is granted by
// platform admins (GrantQualification), never by the society itself.
// ContributeExpert and ContributeAchievement add records with
// Provenance.Society set;
// QualifiedPanelists and PanelEligible tell the screening panels who may
// sit on them (members of a society whose qualification is valid).
//
// The broker service platform (技术券商服务平台): a Case carries one
// achievement or demand through one industry broker, Collected → Screened →
// Cultivating → Promoting → Listed → Traded → Incubating → Closed, or
// Rejected / Withdrawn from any open stage. CaseTransitions is the one
// transition table; MoveCase checks it, the move's guard (a passing
// ScreeningVerdict, a listing or deal reference, a reason), the principal
// and the version read, and writes the stage and its audit event in one
// transaction. A refused move is a *TransitionError: ErrConflict when the
// move is not in the table from the current stage, ErrInvalid when its
// guard is unmet. Each broker's ServicePackage (标准服务产品包) lists
// services with fees; DeliverService records them on cases. Stale lists
// open cases with no event for N days.
//
// The demand closed loop (谋题 → 破题 → 解题): MoveDemand moves a demand
// received → diagnosed → matching → resolved or unresolvable, with the same
// guards and audit, and DemandStats gives a broker's received and resolved
// counts, resolution rate and median response and resolution times.
//
// The activity platform (科创中国活动平台): Activities (roadshows, seminars,
// investment salons, trainings, matchmaking meetings) with a capacity that
// Register never exceeds, even under concurrent registration; 1:1 meetings
// (RequestMeeting, RespondMeeting) placed by ScheduleMeetings into slots
// with nobody double-booked; leads (RecordLead) that open cases or record
// interest; and ActivityConversion, the funnel registrations → meetings →
// leads → cases.
//
// Structured feedback: RecordFeedback stores a decline reason from a fixed
// taxonomy (DeclineReasons) per achievement or demand and per broker;
// FeedbackCounts counts them. PlatformStats gathers a broker's figures for
// a period (cases by stage, stage-to-stage flows, the demand loop,
// activities and leads, services delivered, feedback) for the assessment.
//
// Access: a confidential demand is seen by its enterprise, the handling
// broker's staff and platform admins; only a broker's own staff (and
// platform admins) change its cases; a subject's owner may withdraw its
// case; denied calls return ErrForbidden and write nothing.
//
// # People and organizations
//
// Organizations() is the registry of institutions — universities,
// hospitals, research institutes, enterprises, incubators and university
// science parks, investment funds, IP and law firms, technology-transfer
// service institutions, societies — with the unified social credit code
// validated by package creditcode (strict by default, CreditCodeLenient for
// legal pilot codes that fail a check; a wrong code is reported with the
// position and character, never corrected) and contacts shown only to
// platform admins and the organization's own principals. Achievements,
// demands, experts, brokers' member units, investors, incubations, listings
// and deals point to it by ID. OrganizationByCreditCode finds one by its
// code; DuplicateOrganizations proposes merges (a shared code, or a shared
// folded name without conflicting codes); MergeOrganizations folds a
// duplicate into another and rewrites every reference in one transaction;
// DanglingOrgReferences audits references to missing organizations.
//
// Investors() holds investor profiles (资本): stages, a ticket range,
// sectors and regions. MatchInvestors and MatchOffers rank investors for
// achievements on offer (listed, or featured at a roadshow or investment
// salon) with package matching plus stage, ticket and region fit, each
// explained; RecordInvestmentIntent records an intent on a case (and an
// interest lead when it came from an activity) and CapitalMatched adds them
// up for the scorecard.
//
// The staff roster (技术经理人): AddStaff, grades junior / intermediate /
// senior after T/CASTEM 1007-2022, certifications, RecordTraining from
// training activities, AssignCase and Caseload; StaffFigures gives staff
// counts, the trained share and cases per person.
//
// Incubation (孵化): StartIncubation opens the follow-up of a traded case
// (incubator, spin-off, milestones that may not fall due before the deal,
// funding rounds) and moves the case to Incubating in the same
// transaction; OverdueMilestones is the reminder list; CloseIncubation ends
// it as graduated or failed (with a reason) and closes the case.
// DealPolicies and EnterprisePolicies evaluate a package policy rule set.
//
// # Exchange
//
// A Listing (挂牌) holds what a real listing holds — title, one-sentence
// summary, overview, readiness, benefits, applications, industries,
// quantified indicators and comparison, IP, provenance, deal terms, and a
// confidential part (contact and Detail, shown only to the owner, the
// broker's staff and platform admins). Its trading method is 协议定价
// (MethodAgreement: PublishListing puts the title and price under a public
// notice, 15 days by default, and CloseDeal waits for it to run), 挂牌
// (MethodFixed), 拍卖 (MethodAuction), 招标 (MethodTender) or 竞价
// (MethodBidding); its mode is 转让, 许可, 作价投资, 技术开发, 技术服务 or 技术咨询.
// Listings expire after ValidDays and are renewed with RenewListing; a
// withdrawn or expired listing takes no bids.
//
// Bidding listings keep a small book record (reserve, increment, deadline,
// highest bid, counter). PlaceBid needs a paid deposit (PayDeposit), a bid
// at or above the reserve or the highest bid plus the increment, before the
// deadline; each bid is its own record written with the book in one
// transaction, so concurrent bids get consecutive sequence numbers and none
// is lost. A tender's offers are sealed until CloseBidding opens them all.
// CloseBidding awards the highest valid bid (the earlier one on a tie),
// applies the winner's deposit and marks the others for refund. Refused
// bids are *BidError values with a BidRejection reason.
//
// CloseDeal writes a Deal (parties, amount, Civil Code Art. 843 contract
// type, Art. 846 payment terms and the dated schedule from package
// contract, the compliance findings), marks the listing traded and moves
// the listing's Case to Traded, all in one transaction.
//
// # Federation
//
// A Federation is a System's node in a network of regions (Region,
// Agreement, Workstation — e.g. the Taizhou workstation of the marine
// technology platform). Share sends a listing as an anonymous Profile (no
// owner, contact, IP numbers or people's names; CheckProfile enforces it)
// to regions with an agreement; ExpressInterest routes an interest from the
// interested party's broker to the owner's; Respond accepts or declines,
// and only an acceptance carries contact details, both ways. Messages are
// JSON over a Transport (MemoryTransport in process); Sync handles a node's
// feed exactly once and reports refused messages with a clear error.
//
// # Ledger
//
// Ledger totals listings, deals and deal value per broker, region and
// period, with values written as 万元/亿元 ("4.15亿元") or in English
// ("CNY 415.00 million") by package money.
//
// # Errors
//
// Errors are *Error values carrying the operation, kind and ID, unwrapping
// to the cause and to one of ErrNotFound, ErrExists, ErrConflict,
// ErrInvalid or ErrForbidden.
package broker
