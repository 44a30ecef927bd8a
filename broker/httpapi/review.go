package httpapi

import (
	"net/http"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/review"
)

// PlanRequest asks for review panels at one industry broker (the desk's
// staff): one panel per subject, planned from the qualified experts.
type PlanRequest struct {
	Broker   string             `json:"broker"`
	Subjects []broker.RecordRef `json:"subjects"`
	Seats    int                `json:"seats,omitempty"`
	Society  string             `json:"society,omitempty"`
	Scoring  review.Scoring     `json:"scoring,omitzero"`
	Deadline time.Time          `json:"deadline,omitzero"`
	Fair     bool               `json:"fair,omitempty"`
}

// SeatAnswer declines or recuses a seat.
type SeatAnswer struct {
	Expert string `json:"expert"`
	Reason string `json:"reason"`
}

// SheetRequest is a panelist's score sheet.
type SheetRequest struct {
	Scores   map[string]float64 `json:"scores"`
	Comments map[string]string  `json:"comments,omitempty"`
	Comment  string             `json:"comment,omitempty"`
}

// DecisionRequest is what the desk adds when it issues a verdict.
type DecisionRequest struct {
	Moderator string `json:"moderator,omitempty"`
	Note      string `json:"note,omitempty"`
}

// reviewRoutes are expert review's (专家评审): panels planned, invited,
// scored blind, locked and decided.
func (h *handler) reviewRoutes() []*route {
	rv := h.review
	tag := "专家评审 review"
	visible := func(c *call) func() bool { return visibleIn(c, rv.Panels) }
	panel := func(c *call, p review.Panel, err error) error {
		if err != nil {
			return err
		}
		return c.record(http.StatusOK, p)
	}
	op := func(name, summary string, fn func(c *call) (review.Panel, error)) *route {
		return &route{method: "POST", path: "/v1/review/panels/{id}/" + name, op: "review_" + name, tag: tag, summary: summary,
			out: []response{ok[review.Panel]("the panel")},
			fn: func(c *call) error {
				c.visible = visible(c)
				p, err := fn(c)
				return panel(c, p, err)
			}}
	}
	seat := func(name, summary string, fn func(c *call, in SeatAnswer) (review.Panel, error)) *route {
		rt := op(name, summary, nil)
		rt.in = typeOf[SeatAnswer]()
		rt.fn = func(c *call) error {
			c.visible = visible(c)
			var in SeatAnswer
			if err := c.decode(&in); err != nil {
				return err
			}
			p, err := fn(c, in)
			return panel(c, p, err)
		}
		return rt
	}
	return []*route{
		{method: "POST", path: "/v1/review/panels", op: "review_plan", tag: tag,
			summary: "Plan review panels: the optimal conflict-free assignment of qualified experts, one panel per subject (the desk)",
			in:      typeOf[PlanRequest](), out: []response{created[[]review.Panel]("the panels, planned")},
			fn: func(c *call) error {
				var in PlanRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				for i, s := range in.Subjects {
					if err := h.readableSubject(c, s, "subjects["+itoa(i)+"]"); err != nil {
						return err
					}
				}
				ps, err := rv.Plan(c.ctx, c.p, review.PlanRequest{Broker: in.Broker, Subjects: in.Subjects, Seats: in.Seats, Society: in.Society,
					Scoring: in.Scoring, Deadline: in.Deadline, Fair: in.Fair})
				if err != nil {
					return err
				}
				return c.reply(http.StatusCreated, nonNil(ps))
			}},
		{method: "GET", path: "/v1/review/panels", op: "review_list_panels", tag: tag, summary: "The panels you may see (stage: a status)",
			params: []param{q("broker", "one desk's"), q("stage", "planned, inviting, scoring, locked or decided")},
			out:    []response{pageOf[review.Panel]("a page")}, list: true,
			fn: func(c *call) error {
				o, err := c.listOptions()
				if err != nil {
					return err
				}
				pg, err := rv.Panels.List(c.ctx, c.p, o)
				if err != nil {
					return err
				}
				return c.page(pg.Items, pg.Next)
			}},
		{method: "GET", path: "/v1/review/panels/{id}", op: "review_get_panel", tag: tag, summary: "A panel (its desk, admins, its experts)",
			out: []response{ok[review.Panel]("the panel")},
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				p, err := rv.Panels.Get(c.ctx, c.p, c.id())
				return panel(c, p, err)
			}},
		op("invite", "Invite the panel's experts (the desk); the conflict rules are checked again",
			func(c *call) (review.Panel, error) { return rv.Invite(c.ctx, c.p, c.id()) }),
		op("accept", "Accept an invitation (the invited expert)",
			func(c *call) (review.Panel, error) { return rv.Accept(c.ctx, c.p, c.id()) }),
		op("refill", "Fill the panel's vacant seats (the desk)",
			func(c *call) (review.Panel, error) { return rv.Refill(c.ctx, c.p, c.id()) }),
		op("lock", "Lock the panel: no more sheets; the panelists read each other's (the desk)",
			func(c *call) (review.Panel, error) { return rv.Lock(c.ctx, c.p, c.id()) }),
		seat("decline", "Decline an invitation with a reason (the expert, or the desk for them); the seat is re-solved",
			func(c *call, in SeatAnswer) (review.Panel, error) {
				return rv.Decline(c.ctx, c.p, c.id(), in.Expert, in.Reason)
			}),
		seat("recuse", "Take an expert off the panel for a conflict of interest (回避, the desk)",
			func(c *call, in SeatAnswer) (review.Panel, error) {
				return rv.Recuse(c.ctx, c.p, c.id(), in.Expert, in.Reason)
			}),
		{method: "POST", path: "/v1/review/panels/{id}/sheets", op: "review_submit", tag: tag,
			summary: "Submit your score sheet (a seated expert, once, before the deadline); refused with every bad field",
			in:      typeOf[SheetRequest](), out: []response{created[review.ScoreSheet]("the sheet, locked")},
			fn: func(c *call) error {
				c.visible = visible(c)
				var in SheetRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				s, err := rv.Submit(c.ctx, c.p, c.id(), review.Sheet{Scores: in.Scores, Comments: in.Comments, Comment: in.Comment})
				if err != nil {
					return err
				}
				c.w.Header().Set("ETag", etag(s.Version))
				return c.reply(http.StatusCreated, s)
			}},
		{method: "GET", path: "/v1/review/panels/{id}/sheets", op: "review_sheets", tag: tag,
			summary: "The panel's sheets you may read (blind: your own until the panel locks)",
			out:     []response{pageOf[review.ScoreSheet]("a page")}, list: true,
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				if _, err := rv.Panels.Get(c.ctx, c.p, c.id()); err != nil {
					return err
				}
				o, err := c.listOptions()
				if err != nil {
					return err
				}
				o.Key, o.Broker, o.Stage = review.SheetKey(c.id()), "", ""
				pg, err := rv.Sheets.List(c.ctx, c.p, o)
				if err != nil {
					return err
				}
				return c.page(pg.Items, pg.Next)
			}},
		{method: "POST", path: "/v1/review/panels/{id}/decide", op: "review_decide", tag: tag,
			summary: "Issue the verdict of a locked panel; it moves the subject's case (the desk)",
			in:      typeOf[DecisionRequest](), out: []response{created[review.Verdict]("the verdict")},
			fn: func(c *call) error {
				c.visible = visible(c)
				var in DecisionRequest
				if err := c.decode(&in); err != nil {
					return err
				}
				v, err := rv.Decide(c.ctx, c.p, c.id(), review.Decision{Moderator: in.Moderator, Note: in.Note})
				if err != nil {
					return err
				}
				return c.createdAt("/v1/review/verdicts", v)
			}},
		{method: "GET", path: "/v1/review/verdicts/{id}", op: "review_verdict", tag: tag,
			summary: "A verdict (the desk, admins, the panel, the subject's owners)", out: []response{ok[review.Verdict]("the verdict")},
			fn: func(c *call) error {
				c.visible = func() bool { return false }
				v, err := rv.Verdicts.Get(c.ctx, c.p, c.id())
				if err != nil {
					return err
				}
				return c.record(http.StatusOK, v)
			}},
	}
}
