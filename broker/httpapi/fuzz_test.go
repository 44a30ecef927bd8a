package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/httpapi"
	"github.com/kexie/techbroker/broker/memstore"
)

// fuzzTarget is one route with a JSON body, over a System holding one
// record of each kind the routes name, called as a platform admin (so that
// a decoded body goes on to the System's checks).
type fuzzTarget struct {
	h   http.Handler
	ids map[string]string
}

func newFuzzTarget(f *testing.F) *fuzzTarget {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	sys, err := broker.Build(ctx, memstore.New(), broker.Yangpu(), admin, &broker.Options{Clock: func() time.Time { return now }, NewID: broker.SequentialIDs()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { sys.Close() })
	a, err := sys.Achievements.Create(ctx, institution, achievement("成果", institution.Org))
	must(f, err)
	d, err := sys.Demands.Create(ctx, enterprise, demand("需求", broker.Public))
	must(f, err)
	c, err := sys.OpenCase(ctx, staff, broker.NewCase{Subject: broker.Ref(a), Broker: staff.Broker})
	must(f, err)
	x := exchange.New(sys)
	l, err := x.CreateListing(ctx, staff, listing(exchange.MethodAuction, "1200000"))
	must(f, err)
	h := httpapi.NewHandler(sys, &httpapi.Options{Exchange: x, Authenticate: func(*http.Request) (broker.Principal, error) { return admin, nil }})
	return &fuzzTarget{h: h, ids: map[string]string{"achievement": a.ID, "demand": d.ID, "case": c.ID, "listing": l.ID}}
}

// documented are the statuses a route with a body may answer: anything
// else (500 above all) is a defect.
var documented = map[int]bool{200: true, 201: true, 400: true, 403: true, 404: true, 409: true, 412: true, 413: true, 415: true, 422: true, 428: true}

// fuzzBody posts body to the route and checks the answer: a documented
// status, and a problem whose errors name fields when it is 400 or 422.
func fuzzBody(f *testing.F, method, path string, seeds ...any) {
	ft := newFuzzTarget(f)
	for _, s := range seeds {
		b, err := json.Marshal(s)
		must(f, err)
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"x":1}`))
	f.Add([]byte(`[`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"title":"\u0000\ud800","amount":1e400,"version":-1}`))
	p := path
	for k, v := range ft.ids {
		p = bytesReplace(p, "{"+k+"}", v)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		r := httptest.NewRequest(method, p, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("If-Match", `"1"`)
		w := httptest.NewRecorder()
		ft.h.ServeHTTP(w, r)
		if !documented[w.Code] {
			t.Fatalf("%s %s with %q: status %d\n%s", method, p, body, w.Code, w.Body)
		}
		if w.Code >= 400 {
			var pr httpapi.Problem
			if err := json.Unmarshal(w.Body.Bytes(), &pr); err != nil || pr.Status != w.Code {
				t.Fatalf("%s %s with %q: %d, not a problem: %s", method, p, body, w.Code, w.Body)
			}
			for _, fe := range pr.Errors {
				if fe.Message == "" {
					t.Fatalf("a field error without a message: %+v", fe)
				}
			}
		} else if !json.Valid(w.Body.Bytes()) {
			t.Fatalf("%s %s: %d with a body that is not JSON", method, p, w.Code)
		}
	})
}

func bytesReplace(s, old, new string) string {
	return string(bytes.ReplaceAll([]byte(s), []byte(old), []byte(new)))
}

func FuzzAchievement(f *testing.F) {
	fuzzBody(f, "POST", "/v1/achievements", achievement("网箱监测", institution.Org))
}

func FuzzAchievementUpdate(f *testing.F) {
	fuzzBody(f, "PUT", "/v1/achievements/{achievement}", achievement("网箱监测", institution.Org))
}

func FuzzDemand(f *testing.F) {
	fuzzBody(f, "POST", "/v1/demands", demand("需求", broker.Members))
}

func FuzzExpert(f *testing.F) {
	fuzzBody(f, "POST", "/v1/experts", broker.Expert{Name: "李海", Works: []broker.Work{{Title: "论文", Year: 2020}}})
}

func FuzzOrganization(f *testing.F) {
	fuzzBody(f, "POST", "/v1/organizations", broker.Organization{Name: "上海海洋大学", Roles: []broker.OrgRole{broker.OrgUniversity}, CreditCode: "12310000425006117P"})
}

func FuzzNewCase(f *testing.F) {
	fuzzBody(f, "POST", "/v1/cases", httpapi.NewCaseRequest{Subject: broker.RecordRef{Kind: broker.KindDemand, ID: "dem-000001"}, Broker: "marine-tech"})
}

func FuzzCaseMove(f *testing.F) {
	fuzzBody(f, "POST", "/v1/cases/{case}/moves", httpapi.CaseMoveRequest{To: broker.StageScreened, Verdict: &broker.ScreeningVerdict{Passed: true, Ref: "r"}})
}

func FuzzDelivery(f *testing.F) {
	fuzzBody(f, "POST", "/v1/cases/{case}/services", httpapi.DeliveryRequest{Code: "S01"})
}

func FuzzDemandMove(f *testing.F) {
	fuzzBody(f, "POST", "/v1/demands/{demand}/moves", httpapi.DemandMoveRequest{To: broker.DemandDiagnosed, Spec: "规格"})
}

func FuzzFeedback(f *testing.F) {
	fuzzBody(f, "POST", "/v1/feedback", broker.Feedback{Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: "ach-000001"}, Party: "甲公司", Reason: broker.DeclinePrice})
}

func FuzzActivity(f *testing.F) {
	start := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	fuzzBody(f, "POST", "/v1/activities", map[string]any{"kind": "roadshow", "title": "路演", "start": start, "end": start.Add(time.Hour), "capacity": 10})
}

func FuzzRegistration(f *testing.F) {
	fuzzBody(f, "POST", "/v1/activities/acti-000001/registrations", httpapi.RegistrationRequest{Role: "seek"})
}

func FuzzMeetingRequest(f *testing.F) {
	fuzzBody(f, "POST", "/v1/activities/acti-000001/meetings", httpapi.MeetingRequest{Invitee: "x"})
}

func FuzzMeetingAnswer(f *testing.F) {
	fuzzBody(f, "POST", "/v1/meetings/meet-1/answer", httpapi.MeetingAnswer{Accept: true})
}

func FuzzLead(f *testing.F) {
	fuzzBody(f, "POST", "/v1/activities/acti-000001/leads", httpapi.LeadRequest{Kind: "interest", Subject: broker.RecordRef{Kind: broker.KindAchievement, ID: "ach-000001"}})
}

func FuzzListing(f *testing.F) {
	fuzzBody(f, "POST", "/v1/listings", listing(exchange.MethodAuction, "1200000"))
}

func FuzzPublish(f *testing.F) {
	fuzzBody(f, "POST", "/v1/listings/{listing}/publish", httpapi.PublishRequest{Closes: time.Date(2026, 3, 9, 9, 0, 0, 0, time.UTC)})
}

func FuzzWithdraw(f *testing.F) {
	fuzzBody(f, "POST", "/v1/listings/{listing}/withdraw", httpapi.WithdrawRequest{Reason: "撤回"})
}

func FuzzRenew(f *testing.F) {
	fuzzBody(f, "POST", "/v1/listings/{listing}/renew", httpapi.RenewRequest{})
}

func FuzzDeposit(f *testing.F) {
	fuzzBody(f, "POST", "/v1/listings/{listing}/deposits", httpapi.DepositRequest{Bidder: "甲公司", Amount: dec("100000")})
}

func FuzzRefund(f *testing.F) {
	fuzzBody(f, "POST", "/v1/deposits/dep-000001/refund", httpapi.RefundRequest{PaymentRef: "r"})
}

func FuzzBid(f *testing.F) {
	fuzzBody(f, "POST", "/v1/listings/{listing}/bids", httpapi.BidRequest{Bidder: "甲公司", Amount: dec("1200000")})
}

func FuzzDeal(f *testing.F) {
	fuzzBody(f, "POST", "/v1/deals", httpapi.DealRequest{Listing: "list-000001", Buyer: "甲公司", Amount: dec("1200000")})
}
