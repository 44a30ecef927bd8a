// Package review is expert review (专家评审) as a service of the System: the
// expert think tank's (专家智库, 成果评估专家智库) review panels, planned from
// the optimal conflict-free assignment, invited, scored blind on score
// sheets, locked and decided, with verdicts that move the cases of the
// broker service platform, valuation reports, the experts' review load
// over time and the review figures of the scorecard.
//
// # Where to find what
//
//	评审 review, 评审组 panel      Panel, Status, Seat (panel.go)
//	专家智库 think tank            Plan: qualified panelists, PlanPanels (plan.go)
//	邀请 invitation, 婉拒 decline   Invite, Accept, Decline, Recuse, Refill, Extend, Overdue, Subject (invite.go)
//	回避 conflict of interest      ConflictRules, ConflictError, Recuse; checked at Plan, Invite, Submit
//	评分表 score sheet             ScoreSheet, Sheet, CheckSheet, Submit (sheet.go)
//	评审方法 method                Method: Weighted, AHP (层次分析法), Fuzzy (模糊综合评价); Scoring
//	一致性 agreement               Outcome: Kendall's W, ICC, disagreement (aggregate.go)
//	评审结论 verdict               Verdict, Lock, Preview, Decide (verdict.go)
//	估值报告 valuation report      ValuationReport, DraftValuation, ReviseValuation, SignValuation, Render (valuation.go)
//	评审量 workload                Workload, YearLoad (workload.go)
//	评审统计 figures               Figures, Count (figures.go)
//
// # A panel's life
//
//	planned ──Invite──▶ inviting ──(every seat accepted)──▶ scoring ──Lock──▶ locked ──Decide──▶ decided
//
// Plan chooses the seats of one panel per subject (an achievement or a
// demand) among the qualified panelists — members of a society with a
// valid evaluation qualification (broker.System.QualifiedPanelists) —
// without a conflict of interest (ConflictRules), within each
// expert's load, with the highest total affinity (the matching engine's,
// from the experts' keywords, works and disciplines — or, with
// Options.Affinity, the matching service's index: match.Service.Affinity),
// by PlanPanels, which solves the assignment exactly (package
// matching/assign). A panel links the subject's open case at the broker.
//
// Invite checks the conflict rules again — a conflict may have arisen
// since planning — and invites every seat. An expert accepts (Accept) or
// declines with a reason (Decline); a decline re-solves that seat only:
// the expert is kept off the panel, every other seat is kept, and the seat
// goes to the free qualified panelist with the highest affinity — the
// optimal assignment of that seat with the others fixed. When nobody is
// free the seat stays vacant until Refill. Overdue lists the invitations
// not answered and the sheets not in by their time.
//
// # Blind review
//
// A panelist writes only their own sheet (Submit), once, before the
// deadline; it is validated against the panel's template (every leaf
// criterion scored within its scale, comments within limits), refused with
// every bad field named, and locked once submitted. The conflict rules are
// checked again at submission. Until the panel locks, no panelist reads
// another's sheet; once it locks (Lock), every panelist whose sheet is in
// reads all of them. The subject's owner reads the verdict, never a sheet
// or the panel. The industry broker's staff and platform admins read
// everything. These reads are rows of the access policy (broker.Rules): a
// panel and a sheet are assigned to experts (broker.Assigned; the Assignee
// grant), a verdict is owned by the subject's owners.
//
// # Verdicts
//
// Decide aggregates the sheets by the panel's method — Weighted (the
// template's weights), AHP (top-level weights from a pairwise matrix, its
// consistency ratio at most 0.1) or Fuzzy (membership of each criterion in
// the template's grade bands) — with Kendall's W, ICC(A,1) and the
// disagreement flag (evaluation.Disagreements). A flagged panel needs a
// moderator and a note before its verdict is issued. The verdict, the
// panel's status and the move of its case — screened when it passes,
// rejected when not, with a broker.ScreeningVerdict whose Ref is the
// verdict's ID — are one transaction.
//
// # Load over time
//
// Each expert's Workload counts the seats they hold and, per calendar year
// (China Standard Time by default), the invitations received, accepted and
// declined and the reviews done. A plan gives an expert at most their load
// at once less the seats they hold, and at most the yearly load less the
// reviews done this year and the seats held. Figures counts a year's
// invitations accepted, on-time rate and reviews done, per expert and per
// broker, as plain values.
//
// # Valuation reports
//
// A ValuationReport holds a valuation (package evaluation/valuation: the
// approach, inputs, range and sensitivity) of an achievement or a listing,
// signed by its evaluator and versioned: a signed revision never changes,
// a change is a new revision that supersedes it. Render writes it in
// Chinese with 万元/亿元 or in English with CNY millions (package money).
//
// # Writes
//
// Every write goes through the System's transaction (broker.System.Update)
// and the core's record operations, authorized by the access policy
// (broker.Via with the action the operation performs); the package never
// sees the store and has no retry of its own.
package review
