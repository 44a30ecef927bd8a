package httpapi

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/exchange"
)

// routes is the route table: every operation of the API.
func (h *handler) routes() *api {
	a := &api{}
	add := func(rs ...*route) { a.routes = append(a.routes, rs...) }
	add(collection[broker.Achievement]{name: "achievements", tag: "成果库 achievements", title: "achievements",
		lib: h.sys.Achievements, columns: achievementColumns(), importable: true}.routes(h)...)
	add(collection[broker.Demand]{name: "demands", tag: "需求库 demands", title: "demands",
		lib: h.sys.Demands, columns: demandColumns(), importable: true}.routes(h)...)
	add(collection[broker.Expert]{name: "experts", tag: "专家库 experts", title: "experts",
		lib: h.sys.Experts, columns: expertColumns(), importable: true}.routes(h)...)
	add(collection[broker.IndustryBroker]{name: "brokers", tag: "样板间 brokers", title: "industry brokers",
		lib: h.sys.Brokers, readOnly: true}.routes(h)...)
	add(collection[broker.Organization]{name: "organizations", tag: "机构 organizations", title: "organizations",
		lib: h.sys.Organizations}.routes(h)...)
	add(h.caseRoutes()...)
	add(h.demandLoopRoutes()...)
	add(h.matchRoutes()...)
	add(h.feedbackRoutes()...)
	add(h.activityRoutes()...)
	add(h.exchangeRoutes()...)
	add(h.reviewRoutes()...)
	add(h.statsRoutes()...)
	add(h.eventRoutes()...)
	add(h.federationRoutes()...)
	return a
}

// ---- cases ----

func (h *handler) caseRoutes() []*route {
	visibleCase := func(c *call) func() bool {
		return func() bool { _, err := h.sys.GetCase(c.ctx, c.p, c.id()); return err == nil }
	}
	return []*route{
		{method: "GET", path: "/v1/cases", op: "list_cases", tag: "服务案例 cases", summary: "List the cases you may see (filters: broker, stage)",
			params: []param{q("broker", "only this industry broker's cases"), q("stage", "only cases in this stage")},
			out:    []response{pageOf[broker.Case]("a page")}, list: true, export: true,
			fn: func(c *call) error {
				o, err := c.listOptions()
				if err != nil {
					return err
				}
				if f := c.exportFormat(); f != "" {
					return exportList(c, f, "cases", caseColumns(), func(o broker.ListOptions) (broker.Page[broker.Case], error) {
						return h.sys.ListCases(c.ctx, c.p, o)
					}, o)
				}
				pg, err := h.sys.ListCases(c.ctx, c.p, o)
				if err != nil {
					return err
				}
				return c.page(pg.Items, pg.Next)
			}},
		{method: "POST", path: "/v1/cases", op: "open_case", tag: "服务案例 cases", summary: "Open a case for an achievement or a demand at an industry broker",
			in: typeOf[NewCaseRequest](), out: []response{created[broker.Case]("the case, in stage collected")},
			fn: func(c *call) error {
				var in NewCaseRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				if err := h.readableSubject(c, in.Subject, "subject"); err != nil {
					return err
				}
				cs, err := h.sys.OpenCase(c.ctx, c.p, broker.NewCase{Subject: in.Subject, Broker: in.Broker, Reason: in.Reason,
					Evidence: in.Evidence, Source: in.Source, Visibility: in.Visibility})
				if err != nil {
					return err
				}
				return c.record(http.StatusCreated, cs)
			}},
		{method: "GET", path: "/v1/cases/{id}", op: "get_case", tag: "服务案例 cases", summary: "Get a case",
			out: []response{ok[broker.Case]("the case")},
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				cs, err := h.sys.GetCase(c.ctx, c.p, c.id())
				if err != nil {
					return err
				}
				return c.record(http.StatusOK, cs)
			}},
		{method: "GET", path: "/v1/cases/{id}/history", op: "case_history", tag: "服务案例 cases", summary: "A case's history, oldest first",
			out: []response{ok[[]CaseEvent]("the events")},
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				evs, err := h.sys.CaseHistory(c.ctx, c.p, c.id())
				if err != nil {
					return err
				}
				out := make([]CaseEvent, len(evs))
				for i, e := range evs {
					out[i] = CaseEvent{Seq: e.Seq, Type: e.Type, Actor: e.Actor, Time: e.Time, Stage: e.Stage, Service: e.Service}
				}
				return c.reply(http.StatusOK, out)
			}},
		{method: "POST", path: "/v1/cases/{id}/moves", op: "move_case", tag: "服务案例 cases",
			summary: "Move a case to another stage (If-Match: the case version read); see broker.CaseTransitions",
			in:      typeOf[CaseMoveRequest](), ifMatch: true, out: []response{ok[broker.Case]("the case in its new stage")},
			fn: func(c *call) error {
				c.visible = visibleCase(c)
				version, err := c.ifMatch()
				if err != nil {
					return err
				}
				var in CaseMoveRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				cs, err := h.sys.MoveCase(c.ctx, c.p, c.id(), broker.CaseMove{To: in.To, Version: version, Reason: in.Reason,
					Evidence: in.Evidence, Verdict: in.Verdict, ListingRef: in.ListingRef, DealRef: in.DealRef})
				if err != nil {
					return err
				}
				return c.record(http.StatusOK, cs)
			}},
		{method: "POST", path: "/v1/cases/{id}/services", op: "deliver_service", tag: "服务案例 cases",
			summary: "Record a service of the broker's package delivered on the case",
			in:      typeOf[DeliveryRequest](), out: []response{ok[broker.Case]("the case")},
			fn: func(c *call) error {
				c.visible = visibleCase(c)
				var in DeliveryRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				cs, err := h.sys.DeliverService(c.ctx, c.p, c.id(), broker.Delivery{Code: in.Code, Note: in.Note})
				if err != nil {
					return err
				}
				return c.record(http.StatusOK, cs)
			}},
	}
}

// readableSubject answers 422 for a subject that does not exist or that
// the caller may not read (the two are not told apart).
func (h *handler) readableSubject(c *call, ref broker.RecordRef, field string) error {
	var err error
	switch ref.Kind {
	case broker.KindAchievement:
		_, err = h.sys.Achievements.Get(c.ctx, c.p, ref.ID)
	case broker.KindDemand:
		_, err = h.sys.Demands.Get(c.ctx, c.p, ref.ID)
	default:
		return fail(http.StatusUnprocessableEntity, "invalid", "The subject must be an achievement or a demand.", "对象须为科技成果或技术需求。",
			broker.FieldError{Field: field + ".kind", Code: "oneof", Param: "achievement demand", Value: string(ref.Kind)})
	}
	if errors.Is(err, broker.ErrNotFound) || errors.Is(err, broker.ErrForbidden) {
		return fail(http.StatusUnprocessableEntity, "invalid", "The subject does not exist, or you may not see it.", "对象不存在，或您无权查看。",
			broker.FieldError{Field: field + ".id", Code: "ref", Value: ref.ID})
	}
	return err
}

// ---- the demand loop ----

func (h *handler) demandLoopRoutes() []*route {
	visible := func(c *call) func() bool { return visibleIn(c, h.sys.Demands) }
	return []*route{
		{method: "POST", path: "/v1/demands/{id}/respond", op: "respond_demand", tag: "需求闭环 demand loop",
			summary: "Record a broker's first response to a demand (If-Match: the version read)",
			ifMatch: true, out: []response{ok[broker.Demand]("the demand")},
			fn: func(c *call) error {
				c.visible = visible(c)
				version, err := c.ifMatch()
				if err != nil {
					return err
				}
				d, err := h.sys.RespondDemand(c.ctx, c.p, c.id(), version)
				if err != nil {
					return err
				}
				return c.record(http.StatusOK, d)
			}},
		{method: "POST", path: "/v1/demands/{id}/moves", op: "move_demand", tag: "需求闭环 demand loop",
			summary: "Move a demand through the closed loop (If-Match: the version read); see broker.DemandTransitions",
			in:      typeOf[DemandMoveRequest](), ifMatch: true, out: []response{ok[broker.Demand]("the demand in its new status")},
			fn: func(c *call) error {
				c.visible = visible(c)
				version, err := c.ifMatch()
				if err != nil {
					return err
				}
				var in DemandMoveRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				d, err := h.sys.MoveDemand(c.ctx, c.p, c.id(), broker.DemandMove{To: in.To, Version: version, Spec: in.Spec, Reason: in.Reason, Evidence: in.Evidence})
				if err != nil {
					return err
				}
				return c.record(http.StatusOK, d)
			}},
		{method: "GET", path: "/v1/brokers/{id}/demand-stats", op: "demand_stats", tag: "需求闭环 demand loop",
			summary: "A broker's closed-loop figures for the demands received in a period",
			params:  periodParams(), out: []response{ok[DemandStats]("the figures")},
			fn: func(c *call) error {
				per, err := c.period()
				if err != nil {
					return err
				}
				st, err := h.sys.DemandStats(c.ctx, c.p, c.id(), per)
				if err != nil {
					return err
				}
				return c.reply(http.StatusOK, demandStats(st))
			}},
	}
}

func periodParams() []param {
	return []param{q("from", "start of the period, inclusive (YYYY-MM-DD or RFC 3339)"), q("to", "end of the period, exclusive")}
}

// period reads from and to.
func (c *call) period() (broker.ReportPeriod, error) {
	var p broker.ReportPeriod
	var fields []broker.FieldError
	for _, f := range []struct {
		name string
		t    *time.Time
	}{{"from", &p.From}, {"to", &p.To}} {
		s := c.query(f.name)
		if s == "" {
			continue
		}
		t, err := parseTime(s)
		if err != nil {
			fields = append(fields, broker.FieldError{Field: f.name, Code: "malformed", Param: "date (YYYY-MM-DD)", Value: s})
			continue
		}
		*f.t = t
	}
	if len(fields) > 0 {
		return p, fail(http.StatusBadRequest, "bad_query", "A date of the query is malformed.", "查询中的日期格式错误。", fields...)
	}
	return p, nil
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	return time.Parse(time.RFC3339, s)
}

// ---- feedback ----

func (h *handler) feedbackRoutes() []*route {
	query := func(c *call) (broker.FeedbackQuery, error) {
		per, err := c.period()
		q := broker.FeedbackQuery{Broker: c.query("broker"), Party: c.query("party"), Period: per}
		if k, id := c.query("subject_kind"), c.query("subject_id"); k != "" || id != "" {
			q.Subject = broker.RecordRef{Kind: broker.Kind(k), ID: id}
		}
		return q, err
	}
	params := append([]param{q("subject_kind", "achievement or demand"), q("subject_id", "the subject's ID"),
		q("broker", "only this broker's"), q("party", "only this declining party's")}, periodParams()...)
	return []*route{
		{method: "POST", path: "/v1/feedback", op: "record_feedback", tag: "反馈 feedback",
			summary: "Record a structured decline (reason from the taxonomy; text for other)",
			in:      typeOf[broker.Feedback](), out: []response{created[broker.Feedback]("the feedback")},
			fn: func(c *call) error {
				var in broker.Feedback
				if err := c.decode(&in); err != nil {
					return err
				}
				if err := h.readableSubject(c, in.Subject, "subject"); err != nil {
					return err
				}
				f, err := h.sys.RecordFeedback(c.ctx, c.p, in)
				if err != nil {
					return err
				}
				return c.record(http.StatusCreated, f)
			}},
		{method: "GET", path: "/v1/feedback", op: "list_feedback", tag: "反馈 feedback", summary: "The feedback you may read, in the order recorded",
			params: params, out: []response{ok[[]broker.Feedback]("the feedback")},
			fn: func(c *call) error {
				q, err := query(c)
				if err != nil {
					return err
				}
				fs, err := h.sys.Feedback(c.ctx, c.p, q)
				if err != nil {
					return err
				}
				return c.reply(http.StatusOK, nonNil(fs))
			}},
		{method: "GET", path: "/v1/feedback/counts", op: "feedback_counts", tag: "反馈 feedback", summary: "The feedback you may read, counted by reason",
			params: params, out: []response{ok[[]ReasonCount]("one count per reason of the taxonomy")},
			fn: func(c *call) error {
				q, err := query(c)
				if err != nil {
					return err
				}
				rc, err := h.sys.FeedbackCounts(c.ctx, c.p, q)
				if err != nil {
					return err
				}
				return c.reply(http.StatusOK, reasonCounts(rc))
			}},
	}
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ---- activities ----

func (h *handler) activityRoutes() []*route {
	acts := h.acts
	col := collection[activity.Activity]{name: "activities", tag: "活动 activities", title: "activities", lib: acts.Activities}
	rs := col.routes(h)
	visibleAct := func(c *call) func() bool { return visibleIn(c, acts.Activities) }
	tag := "活动 activities"
	rs = append(rs,
		&route{method: "GET", path: "/v1/activities/{id}/seats", op: "activity_seats", tag: tag, summary: "Seats taken and capacity",
			out: []response{ok[Seats]("the seats")},
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				taken, capacity, err := acts.Seats(c.ctx, c.p, c.id())
				if err != nil {
					return err
				}
				return c.reply(http.StatusOK, Seats{Taken: taken, Capacity: capacity})
			}},
		&route{method: "POST", path: "/v1/activities/{id}/registrations", op: "register", tag: tag,
			summary: "Register for an activity (yourself, or for organizers someone else); Idempotency-Key makes a retry safe",
			in:      typeOf[RegistrationRequest](), idempotent: true, out: []response{created[activity.Registration]("the registration")},
			fn: func(c *call) error {
				c.visible = visibleAct(c)
				var in RegistrationRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				return c.idempotent(c.body, func() error {
					r, err := acts.Register(c.ctx, c.p, c.id(), activity.Registration{Participant: in.Participant, Org: in.Org, Name: in.Name, Role: in.Role})
					if err != nil {
						return err
					}
					return c.createdAt("/v1/registrations", r)
				})
			}},
		&route{method: "GET", path: "/v1/activities/{id}/registrations", op: "list_registrations", tag: tag,
			summary: "An activity's registrations you may see", out: []response{pageOf[activity.Registration]("a page")}, list: true,
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				if _, err := acts.Activities.Get(c.ctx, c.p, c.id()); err != nil {
					return err
				}
				o, err := c.listOptions()
				if err != nil {
					return err
				}
				o.Key, o.Broker, o.Stage = c.id(), "", ""
				pg, err := acts.Registrations.List(c.ctx, c.p, o)
				if err != nil {
					return err
				}
				return c.page(pg.Items, pg.Next)
			}},
		&route{method: "POST", path: "/v1/activities/{id}/meetings", op: "request_meeting", tag: tag,
			summary: "Ask another registered participant for a 1:1 meeting", in: typeOf[MeetingRequest](),
			out: []response{created[activity.Meeting]("the meeting, requested")},
			fn: func(c *call) error {
				c.visible = visibleAct(c)
				var in MeetingRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				m, err := acts.RequestMeeting(c.ctx, c.p, c.id(), in.Invitee, in.Note)
				if err != nil {
					return err
				}
				return c.createdAt("/v1/meetings", m)
			}},
		&route{method: "GET", path: "/v1/activities/{id}/meetings", op: "list_meetings", tag: tag,
			summary: "An activity's meetings you may see (stage: a status)", params: []param{q("stage", "requested, accepted or declined")},
			out: []response{pageOf[activity.Meeting]("a page")}, list: true,
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				if _, err := acts.Activities.Get(c.ctx, c.p, c.id()); err != nil {
					return err
				}
				o, err := c.listOptions()
				if err != nil {
					return err
				}
				o.Key, o.Broker = c.id(), ""
				pg, err := acts.Meetings.List(c.ctx, c.p, o)
				if err != nil {
					return err
				}
				return c.page(pg.Items, pg.Next)
			}},
		&route{method: "POST", path: "/v1/meetings/{id}/answer", op: "answer_meeting", tag: tag,
			summary: "Accept or decline a meeting (the invitee or an organizer)", in: typeOf[MeetingAnswer](),
			out: []response{ok[activity.Meeting]("the meeting")},
			fn: func(c *call) error {
				c.visible = visibleIn(c, acts.Meetings)
				var in MeetingAnswer
				if err := c.decode(&in); err != nil {
					return err
				}
				m, err := acts.RespondMeeting(c.ctx, c.p, c.id(), in.Accept)
				if err != nil {
					return err
				}
				return c.record(http.StatusOK, m)
			}},
		&route{method: "POST", path: "/v1/activities/{id}/schedule", op: "schedule_meetings", tag: tag,
			summary: "Place the accepted meetings into slots (organizers)", out: []response{ok[Schedule]("the schedule")},
			fn: func(c *call) error {
				c.visible = visibleAct(c)
				s, err := acts.ScheduleMeetings(c.ctx, c.p, c.id())
				if err != nil {
					return err
				}
				return c.reply(http.StatusOK, Schedule{Meetings: nonNil(s.Meetings), Placed: nonNil(s.Placed), Unplaced: nonNil(s.Unplaced)})
			}},
		&route{method: "POST", path: "/v1/activities/{id}/leads", op: "record_lead", tag: tag,
			summary: "Record an activity's outcome: an interest, or a case opened for the subject (organizers)",
			in:      typeOf[LeadRequest](), out: []response{created[activity.Lead]("the lead")},
			fn: func(c *call) error {
				c.visible = visibleAct(c)
				var in LeadRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				if err := h.readableSubject(c, in.Subject, "subject"); err != nil {
					return err
				}
				l, err := acts.RecordLead(c.ctx, c.p, c.id(), activity.Lead{Meta: broker.Meta{Broker: in.Broker}, Kind: in.Kind,
					Subject: in.Subject, Party: in.Party, Meeting: in.Meeting, Note: in.Note})
				if err != nil {
					return err
				}
				return c.createdAt("/v1/leads", l)
			}},
		&route{method: "GET", path: "/v1/activities/{id}/leads", op: "list_leads", tag: tag,
			summary: "An activity's leads you may see (stage: case or interest)", params: []param{q("stage", "case or interest")},
			out: []response{pageOf[activity.Lead]("a page")}, list: true,
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				if _, err := acts.Activities.Get(c.ctx, c.p, c.id()); err != nil {
					return err
				}
				o, err := c.listOptions()
				if err != nil {
					return err
				}
				o.Key, o.Broker = c.id(), ""
				pg, err := acts.Leads.List(c.ctx, c.p, o)
				if err != nil {
					return err
				}
				return c.page(pg.Items, pg.Next)
			}},
		&route{method: "GET", path: "/v1/activities/{id}/conversion", op: "activity_conversion", tag: tag,
			summary: "An activity's funnel: registrations → meetings → leads → cases (organizers)", out: []response{ok[Conversion]("the funnel")},
			fn: func(c *call) error {
				c.visible = visibleAct(c)
				v, err := acts.Conversion(c.ctx, c.p, c.id())
				if err != nil {
					return err
				}
				return c.reply(http.StatusOK, Conversion(v))
			}},
	)
	return rs
}

// ---- the exchange ----

func (h *handler) exchangeRoutes() []*route {
	x := h.x
	tag := "交易 exchange"
	visibleListing := func(c *call) func() bool {
		return func() bool { _, err := x.GetListing(c.ctx, c.p, c.id()); return err == nil }
	}
	listing := func(c *call, l exchange.Listing, err error) error {
		if err != nil {
			return err
		}
		return c.record(http.StatusOK, l)
	}
	return []*route{
		{method: "GET", path: "/v1/listings", op: "list_listings", tag: tag, summary: "List the listings you may see (stage: a status)",
			params: []param{q("broker", "only this broker's"), q("stage", "only listings of this stored status")},
			out:    []response{pageOf[exchange.Listing]("a page")}, list: true, export: true,
			fn: func(c *call) error {
				o, err := c.listOptions()
				if err != nil {
					return err
				}
				if f := c.exportFormat(); f != "" {
					return exportList(c, f, "listings", listingColumns(), func(o broker.ListOptions) (broker.Page[exchange.Listing], error) {
						return x.ListListings(c.ctx, c.p, o)
					}, o)
				}
				pg, err := x.ListListings(c.ctx, c.p, o)
				if err != nil {
					return err
				}
				return c.page(pg.Items, pg.Next)
			}},
		{method: "POST", path: "/v1/listings", op: "create_listing", tag: tag, summary: "Create a draft listing (a broker's staff)",
			in: typeOf[exchange.Listing](), out: []response{created[exchange.Listing]("the draft")},
			fn: func(c *call) error {
				var in exchange.Listing
				if err := c.decode(&in); err != nil {
					return err
				}
				l, err := x.CreateListing(c.ctx, c.p, in)
				if err != nil {
					return err
				}
				return c.record(http.StatusCreated, l)
			}},
		{method: "GET", path: "/v1/listings/{id}", op: "get_listing", tag: tag, summary: "Get a listing (its status now)",
			out: []response{ok[exchange.Listing]("the listing")},
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				l, err := x.GetListing(c.ctx, c.p, c.id())
				return listing(c, l, err)
			}},
		{method: "PUT", path: "/v1/listings/{id}", op: "update_listing", tag: tag, summary: "Replace a draft listing (If-Match)",
			in: typeOf[exchange.Listing](), ifMatch: true, out: []response{ok[exchange.Listing]("the draft")},
			fn: func(c *call) error {
				c.visible = visibleListing(c)
				version, err := c.ifMatch()
				if err != nil {
					return err
				}
				var in exchange.Listing
				if err := c.decode(&in); err != nil {
					return err
				}
				in.ID, in.Version = c.id(), version
				l, err := x.UpdateListing(c.ctx, c.p, in)
				return listing(c, l, err)
			}},
		{method: "POST", path: "/v1/listings/{id}/publish", op: "publish_listing", tag: tag,
			summary: "Publish a draft: under public notice (agreement) or open, with a bidding deadline for auctions, tenders and bidding (If-Match)",
			in:      typeOf[PublishRequest](), ifMatch: true, out: []response{ok[exchange.Listing]("the listing")},
			fn: func(c *call) error {
				c.visible = visibleListing(c)
				version, err := c.ifMatch()
				if err != nil {
					return err
				}
				var in PublishRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				l, err := x.PublishListing(c.ctx, c.p, c.id(), exchange.Publish{Version: version, Closes: in.Closes})
				return listing(c, l, err)
			}},
		{method: "POST", path: "/v1/listings/{id}/renew", op: "renew_listing", tag: tag, summary: "Renew a listing",
			in: typeOf[RenewRequest](), out: []response{ok[exchange.Listing]("the listing")},
			fn: func(c *call) error {
				c.visible = visibleListing(c)
				var in RenewRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				l, err := x.RenewListing(c.ctx, c.p, c.id(), in.Closes)
				return listing(c, l, err)
			}},
		{method: "POST", path: "/v1/listings/{id}/withdraw", op: "withdraw_listing", tag: tag, summary: "Withdraw a listing",
			in: typeOf[WithdrawRequest](), out: []response{ok[exchange.Listing]("the listing")},
			fn: func(c *call) error {
				c.visible = visibleListing(c)
				var in WithdrawRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				l, err := x.WithdrawListing(c.ctx, c.p, c.id(), in.Reason)
				return listing(c, l, err)
			}},
		{method: "GET", path: "/v1/listings/{id}/book", op: "listing_book", tag: tag, summary: "The public state of a bidding listing's book",
			out: []response{ok[Book]("the book")},
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				b, err := x.Book(c.ctx, c.p, c.id())
				if err != nil {
					return err
				}
				return c.reply(http.StatusOK, Book(b))
			}},
		{method: "POST", path: "/v1/listings/{id}/deposits", op: "pay_deposit", tag: tag,
			summary: "Record a bidder's deposit as confirmed by the exchange (the listing's desk); Idempotency-Key makes a retry safe",
			in:      typeOf[DepositRequest](), idempotent: true, out: []response{created[exchange.Deposit]("the deposit")},
			fn: func(c *call) error {
				c.visible = visibleListing(c)
				var in DepositRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				return c.idempotent(c.body, func() error {
					d, err := x.PayDeposit(c.ctx, c.p, c.id(), in.Bidder, in.Amount, in.PaymentRef)
					if err != nil {
						return err
					}
					return c.createdAt("/v1/deposits", d)
				})
			}},
		{method: "GET", path: "/v1/listings/{id}/deposits", op: "list_deposits", tag: tag, summary: "A listing's deposits you may see",
			out: []response{ok[[]exchange.Deposit]("the deposits, in the order paid")},
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				ds, err := x.ListDeposits(c.ctx, c.p, c.id())
				if err != nil {
					return err
				}
				return c.reply(http.StatusOK, nonNil(ds))
			}},
		{method: "POST", path: "/v1/deposits/{id}/refund", op: "refund_deposit", tag: tag, summary: "Mark a deposit due for refund as refunded",
			in: typeOf[RefundRequest](), out: []response{ok[exchange.Deposit]("the deposit")},
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				var in RefundRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				d, err := x.RefundDeposit(c.ctx, c.p, c.id(), in.PaymentRef)
				if err != nil {
					return err
				}
				return c.record(http.StatusOK, d)
			}},
		{method: "POST", path: "/v1/listings/{id}/bids", op: "place_bid", tag: tag,
			summary: "Place a bid (an amount, or raise: n increments); Idempotency-Key makes a retry safe and is the bid's ref when none is given",
			in:      typeOf[BidRequest](), idempotent: true, out: []response{created[exchange.Bid]("the bid")},
			fn: func(c *call) error {
				c.visible = visibleListing(c)
				var in BidRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				if in.Ref == "" {
					in.Ref = bidRef(c.r.Header.Get("Idempotency-Key"))
				}
				return c.idempotent(c.body, func() error {
					b, err := x.PlaceBid(c.ctx, c.p, c.id(), exchange.PlaceBid{Bidder: in.Bidder, Amount: in.Amount, Raise: in.Raise, Ref: in.Ref})
					if err != nil {
						return err
					}
					return c.createdAt("/v1/bids", b)
				})
			}},
		{method: "GET", path: "/v1/listings/{id}/bids", op: "list_bids", tag: tag, summary: "A listing's bids you may see, in sequence order",
			out: []response{ok[[]exchange.Bid]("the bids")},
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				bs, err := x.ListBids(c.ctx, c.p, c.id())
				if err != nil {
					return err
				}
				return c.reply(http.StatusOK, nonNil(bs))
			}},
		{method: "POST", path: "/v1/listings/{id}/close-bidding", op: "close_bidding", tag: tag,
			summary: "Close bidding at or after the deadline and decide the winner (the listing's desk)",
			out:     []response{ok[exchange.Listing]("the listing, awarded or unsold")},
			fn: func(c *call) error {
				c.visible = visibleListing(c)
				l, err := x.CloseBidding(c.ctx, c.p, c.id())
				return listing(c, l, err)
			}},
		{method: "GET", path: "/v1/deals", op: "list_deals", tag: tag, summary: "List the deals you may see",
			out: []response{pageOf[exchange.Deal]("a page")}, list: true,
			fn: func(c *call) error {
				o, err := c.listOptions()
				if err != nil {
					return err
				}
				pg, err := x.ListDeals(c.ctx, c.p, o)
				if err != nil {
					return err
				}
				return c.page(pg.Items, pg.Next)
			}},
		{method: "POST", path: "/v1/deals", op: "close_deal", tag: tag,
			summary: "Close a deal on a listing, with its contract checks (the listing's desk); Idempotency-Key makes a retry safe",
			in:      typeOf[DealRequest](), idempotent: true, out: []response{created[exchange.Deal]("the deal")},
			fn: func(c *call) error {
				var in DealRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				if _, err := x.GetListing(c.ctx, c.p, in.Listing); errors.Is(err, broker.ErrNotFound) || errors.Is(err, broker.ErrForbidden) {
					return fail(http.StatusUnprocessableEntity, "invalid", "The listing does not exist, or you may not see it.", "挂牌项目不存在，或您无权查看。",
						broker.FieldError{Field: "listing", Code: "ref", Value: in.Listing})
				}
				return c.idempotent(c.body, func() error {
					d, err := x.CloseDeal(c.ctx, c.p, exchange.NewDeal{Listing: in.Listing, Buyer: in.Buyer, BuyerID: in.BuyerID, Amount: in.Amount,
						ContractType: in.ContractType, Terms: in.Terms, Projected: in.Projected, Signed: in.Signed, Start: in.Start,
						Licence: in.Licence, PatentExpires: in.PatentExpires})
					if err != nil {
						return err
					}
					return c.createdAt("/v1/deals", d)
				})
			}},
		{method: "GET", path: "/v1/deals/{id}", op: "get_deal", tag: tag, summary: "Get a deal (a party, the desk, admins)",
			out: []response{ok[exchange.Deal]("the deal")},
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				d, err := x.GetDeal(c.ctx, c.p, c.id())
				if err != nil {
					return err
				}
				return c.record(http.StatusOK, d)
			}},
		{method: "GET", path: "/v1/ledger", op: "ledger", tag: tag, summary: "The ledger (台账): listings, deals and their value per broker, region and period",
			params: append(periodParams(), q("period", "month, quarter, year or all"), q("broker", "one broker"), q("region", "one region")),
			out:    []response{ok[Ledger]("the ledger")},
			fn: func(c *call) error {
				per, err := c.period()
				if err != nil {
					return err
				}
				lg, err := x.Ledger(c.ctx, c.p, exchange.LedgerQuery{From: per.From, To: per.To, Period: exchange.Period(c.query("period")),
					Broker: c.query("broker"), Region: c.query("region")})
				if err != nil {
					return err
				}
				out := Ledger{Rows: make([]LedgerRow, len(lg.Rows)), Total: ledgerRow(lg.Total)}
				for i, r := range lg.Rows {
					out.Rows[i] = ledgerRow(r)
				}
				return c.reply(http.StatusOK, out)
			}},
	}
}

// bidRef turns an Idempotency-Key into a bid's Ref (at most 64
// characters), so that a retried bid is refused by the book as a duplicate
// even when its stored response is lost.
func bidRef(key string) string {
	if key == "" {
		return ""
	}
	if len(key) <= 60 {
		return "idem:" + key
	}
	return "idem:" + strconv.FormatUint(fnv64(key), 36)
}

func fnv64(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func listingColumns() []column[exchange.Listing] {
	cols := meta[exchange.Listing]()
	cols = append(cols,
		column[exchange.Listing]{"标题", func(l exchange.Listing) string { return l.Title }},
		column[exchange.Listing]{"一句话简介", func(l exchange.Listing) string { return l.Summary }},
		column[exchange.Listing]{"权利人", func(l exchange.Listing) string { return l.Owner }},
		column[exchange.Listing]{"转化方式", func(l exchange.Listing) string { return string(l.Terms.Mode) }},
		column[exchange.Listing]{"交易方式", func(l exchange.Listing) string { return string(l.Terms.Method) }},
		column[exchange.Listing]{"价格（元）", func(l exchange.Listing) string { return money(l.Terms.Price) }},
		column[exchange.Listing]{"状态", func(l exchange.Listing) string { return string(l.Status) }},
		column[exchange.Listing]{"挂牌日期", func(l exchange.Listing) string { return day(l.Published) }},
		column[exchange.Listing]{"到期日期", func(l exchange.Listing) string { return day(l.Expires) }},
	)
	return append(cols, metaTail[exchange.Listing]()...)
}

var _ = strings.TrimSpace
