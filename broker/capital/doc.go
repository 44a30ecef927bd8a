// Package capital is the capital side (资本) of a broker System: investor
// profiles, the matching of investors with the achievements on offer,
// investment intents, and the incubation that follows a deal, with its
// milestones and funding rounds.
//
// # Where to find what
//
//	资本 capital                Service, New (capital.go)
//	投资机构 investor            Investor, Service.Investors (investor.go)
//	融资阶段 investment stage    InvestStage, InvestStages (investor.go)
//	上架/路演 offer              Offer, Service.Offers: listed or featured at a roadshow (offer.go)
//	投资人匹配 matching          Service.MatchInvestors, Service.MatchOffers, MatchOptions, Match (match.go)
//	匹配信号 fit                 StageFit, TicketFit, RegionFit, DefaultStageReadiness (fit.go)
//	投资意向 investment intent   InvestmentIntent, Service.RecordInvestmentIntent (intent.go)
//	资本对接统计 figures          CapitalFigures, Service.CapitalMatched (intent.go)
//	孵化 incubation              Incubation, Service.StartIncubation, Service.CloseIncubation (incubation.go)
//	里程碑 milestone             Milestone, Service.SetMilestone, Service.OverdueMilestones, CheckPlan (milestone.go)
//	融资 funding round           FundingRound, Service.AddFundingRound, Raised (milestone.go)
//
// # Use
//
// A Service is made over a broker.System, with the exchange and the
// activity platform over the same System (the offers come from their
// listings and roadshows):
//
//	x, acts := exchange.New(sys), activity.New(sys)
//	cp := capital.New(sys, x, acts)
//	v, err := cp.Investors.Create(ctx, admin, capital.Investor{Name: "蓝海创投", Stages: []capital.InvestStage{"A轮"}})
//	ms, err := cp.MatchInvestors(ctx, staff, achievementID, nil)
//	n, err := cp.StartIncubation(ctx, staff, capital.NewIncubation{Case: tradedCaseID, Incubator: parkID})
//
// Every write goes through the System's transaction (broker.System.Update)
// and the core's record operations, so records are normalized, validated,
// checked against the access policy (broker.Rules) and audited the same
// way as the core's own; the package never sees the store.
//
// # Matching
//
// An achievement is on offer when it is listed (an exchange listing under
// public notice or open, or an open case with a listing) or featured at a
// roadshow or investment salon. MatchInvestors ranks the investors for one
// such achievement and MatchOffers the achievements on offer for one
// investor. Each Match sums the matching engine's text, discipline and
// industry signals and three investor signals — stage (the achievement's
// readiness against the readiness band of the investor's stages), ticket
// (its asking price against the ticket) and region — and says in words why
// each investor signal has its value. The ranking is built in one function
// (rank, in match.go), so that a matching service's index can replace the
// per-request engine.
//
// # Incubation
//
// StartIncubation opens the incubation of a traded case and moves the case
// to Incubating; CloseIncubation ends it as graduated or failed and closes
// the case: each in one transaction, so the case and the incubation never
// disagree. The deal date is the exchange's deal (exchange.DealDate) when
// the case names one, else the time the case was traded; milestones and
// funding rounds may not be dated before it. OverdueMilestones is the
// desk's reminder list.
//
// # Access
//
// Investors are registry records (broker.ClassRegistry): platform admins
// and the principals acting for the investor's organization write them,
// and only they see its contact data (broker.ActSeePrivate). Intents and
// incubations are confidential process records of the case's industry
// broker: its staff and platform admins record, change and close them
// (broker.ActOperate on the case or the incubation); the case's owners —
// and, for an incubation, the incubator and the spin-off — read them.
// Matching is for signed-in principals (a members' view) and ranks only
// the investors and achievements the principal may read. The rules are
// rows of broker.Rules; this package asks broker.Can and never decides
// access by role itself.
//
// # Organizations
//
// Investor.OrgID, Incubation.Incubator, Incubation.SpinOff and the Owners
// of incubations and intents name organizations (the org struct tag):
// broker.System.MergeOrganizations rewrites them and the audits of
// references (OrgReferences, DanglingOrgReferences) report them, once New
// has made the kinds known to the System.
package capital
