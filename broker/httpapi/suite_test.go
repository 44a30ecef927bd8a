package httpapi_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/activity"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/httpapi"
	"github.com/kexie/techbroker/broker/review"
)

// TestAPI runs the whole API suite on memstore.
func TestAPI(t *testing.T) { runSuite(t, storeKinds["memstore"]) }

// TestAPIPostgres runs the whole API suite once on PostgreSQL
// (DATABASE_URL; skipped without it outside CI).
func TestAPIPostgres(t *testing.T) {
	databaseURL(t)
	runSuite(t, storeKinds["postgres"])
}

func runSuite(t *testing.T, store func(testing.TB) broker.Store) {
	for _, tc := range []struct {
		name string
		fn   func(*testing.T, *env)
	}{
		{"Libraries", testLibraries},
		{"Problems", testProblems},
		{"BadInput", testBadInput},
		{"Confidential", testConfidential},
		{"Import", testImport},
		{"Cases", testCases},
		{"DemandLoop", testDemandLoop},
		{"Matching", testMatching},
		{"Feedback", testFeedback},
		{"Activities", testActivities},
		{"Exchange", testExchange},
		{"Statistics", testStatistics},
		{"Export", testExport},
		{"Routing", testRouting},
		{"Review", testReview},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newEnv(t, store(t), nil)) })
	}
}

func achievement(title, owner string) broker.Achievement {
	return broker.Achievement{Title: title, Owner: owner, Abstract: "基于声学与光学融合的" + title + "，适用于深远海养殖。",
		Keywords: []string{"海洋", "监测"}, Disciplines: []string{"170"}, AskingPrice: dec("1200000"), Pricing: broker.FixedPrice,
		Readiness: broker.Readiness{Scale: broker.NASATRL, Level: 6}}
}

func demand(title string, vis broker.Visibility) broker.Demand {
	return broker.Demand{Meta: broker.Meta{Visibility: vis}, Enterprise: enterprise.Org, Title: title,
		Problem: "网箱养殖需要在线监测溶解氧，提前预警缺氧。", Keywords: []string{"监测", "溶解氧"}, Budget: broker.Range{Max: dec("2000000")}}
}

func testLibraries(t *testing.T, e *env) {
	// Create: 201 with Location and ETag.
	r := e.do(req{method: "POST", path: "/v1/achievements", as: institution, body: achievement("网箱水质在线监测系统", institution.Org)}).want(t, 201)
	var a broker.Achievement
	r.json(t, &a)
	if a.ID == "" || a.Version != 1 || r.Header.Get("ETag") != `"1"` || r.Header.Get("Location") != "/v1/achievements/"+a.ID {
		t.Fatalf("created %+v with ETag %q Location %q", a.Meta, r.Header.Get("ETag"), r.Header.Get("Location"))
	}
	// Get, and 304 with If-None-Match.
	e.do(req{method: "GET", path: "/v1/achievements/" + a.ID}).want(t, 200)
	e.do(req{method: "GET", path: "/v1/achievements/" + a.ID, header: map[string]string{"If-None-Match": `"1"`}}).want(t, 304)
	// Update with If-Match; the ETag moves on.
	a.Summary = "在线监测溶解氧"
	r = e.do(req{method: "PUT", path: "/v1/achievements/" + a.ID, as: institution, body: a, header: map[string]string{"If-Match": `"1"`}}).want(t, 200)
	if got := r.Header.Get("ETag"); got != `"2"` {
		t.Errorf("ETag after update %q, want \"2\"", got)
	}
	// A stale If-Match: 412; none: 428.
	p := e.do(req{method: "PUT", path: "/v1/achievements/" + a.ID, as: institution, body: a, header: map[string]string{"If-Match": `"1"`}}).want(t, 412).problem(t)
	if p.Code != "stale" {
		t.Errorf("stale update: code %q", p.Code)
	}
	p = e.do(req{method: "PUT", path: "/v1/achievements/" + a.ID, as: institution, body: a}).want(t, 428).problem(t)
	if p.Code != "missing_if_match" {
		t.Errorf("update without If-Match: code %q", p.Code)
	}
	e.do(req{method: "DELETE", path: "/v1/achievements/" + a.ID, as: institution}).want(t, 428)
	e.do(req{method: "DELETE", path: "/v1/achievements/" + a.ID, as: institution, header: map[string]string{"If-Match": `"1"`}}).want(t, 412)
	// Another institution may read a public achievement but not change it.
	e.do(req{method: "PUT", path: "/v1/achievements/" + a.ID, as: enterprise, body: a, header: map[string]string{"If-Match": `"2"`}}).want(t, 403)
	e.do(req{method: "DELETE", path: "/v1/achievements/" + a.ID, as: institution, header: map[string]string{"If-Match": `"2"`}}).want(t, 204)
	e.do(req{method: "GET", path: "/v1/achievements/" + a.ID}).want(t, 404)

	// Paging: five records, pages of two, following Link.
	for i := range 5 {
		e.do(req{method: "POST", path: "/v1/achievements", as: institution, body: achievement(fmt.Sprintf("成果%d", i), institution.Org)}).want(t, 201)
	}
	next := "/v1/achievements?limit=2"
	var ids []string
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("paging does not end")
		}
		r := e.do(req{method: "GET", path: next}).want(t, 200)
		var pg struct {
			Items []broker.Achievement `json:"items"`
			Next  string               `json:"next"`
		}
		r.json(t, &pg)
		for _, it := range pg.Items {
			ids = append(ids, it.ID)
		}
		next = ""
		if link := r.Header.Get("Link"); link != "" {
			next = strings.TrimPrefix(strings.SplitN(link, ">", 2)[0], "<")
			if !strings.Contains(link, `rel="next"`) || pg.Next == "" {
				t.Errorf("Link %q with next %q", link, pg.Next)
			}
		}
	}
	if len(ids) != 5 {
		t.Errorf("paged through %d records, want 5: %v", len(ids), ids)
	}
	// Experts: contact data only for the expert and admins.
	e.do(req{method: "POST", path: "/v1/experts", as: admin, body: broker.Expert{Meta: broker.Meta{ID: expertP.ID}, Name: "李海", Institution: "上海海洋大学",
		Keywords: []string{"水产养殖"}, Contact: broker.Contact{Phone: "13800000000"}}}).want(t, 201)
	var ex broker.Expert
	e.do(req{method: "GET", path: "/v1/experts/" + expertP.ID, as: enterprise}).want(t, 200).json(t, &ex)
	if ex.Contact.Phone != "" {
		t.Errorf("an enterprise sees the expert's phone %q", ex.Contact.Phone)
	}
	e.do(req{method: "GET", path: "/v1/experts/" + expertP.ID, as: expertP}).want(t, 200).json(t, &ex)
	if ex.Contact.Phone == "" {
		t.Error("the expert does not see their own phone")
	}
	// The read-only libraries.
	e.do(req{method: "GET", path: "/v1/brokers/marine-tech"}).want(t, 200)
	e.do(req{method: "GET", path: "/v1/brokers?limit=3"}).want(t, 200)
}

func testProblems(t *testing.T, e *env) {
	bad := broker.Achievement{Owner: institution.Org, AskingPrice: dec("-5"), Readiness: broker.Readiness{Scale: broker.NASATRL, Level: 12}}
	for _, lang := range []struct{ header, want string }{{"zh-CN,zh;q=0.9", "不能为空"}, {"en-US", "is required"}} {
		p := e.do(req{method: "POST", path: "/v1/achievements", as: institution, body: bad, header: map[string]string{"Accept-Language": lang.header}}).want(t, 422).problem(t)
		fields := map[string]httpapi.ProblemField{}
		for _, f := range p.Errors {
			fields[f.Field] = f
		}
		for _, f := range []string{"title", "asking_price", "readiness.level"} {
			if _, ok := fields[f]; !ok {
				t.Errorf("%s: field %s not listed in %+v", lang.header, f, p.Errors)
			}
		}
		if msg := fields["title"].Message; !strings.Contains(msg, lang.want) {
			t.Errorf("%s: title message %q, want it to contain %q", lang.header, msg, lang.want)
		}
	}
}

func testBadInput(t *testing.T, e *env) {
	a := achievement("成果", institution.Org)
	// Malformed JSON.
	p := e.do(req{method: "POST", path: "/v1/achievements", as: institution, body: `{"title": "x",`, ctype: "application/json"}).want(t, 400).problem(t)
	if p.Code != "malformed_json" {
		t.Errorf("malformed JSON: code %q", p.Code)
	}
	// Trailing data.
	e.do(req{method: "POST", path: "/v1/achievements", as: institution, body: `{"title": "x"} {}`, ctype: "application/json"}).want(t, 400)
	// A wrong type names the field.
	p = e.do(req{method: "POST", path: "/v1/achievements", as: institution, body: `{"title": 5}`, ctype: "application/json"}).want(t, 400).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != "title" {
		t.Errorf("wrong type: errors %+v", p.Errors)
	}
	// An unknown field is refused and named.
	p = e.do(req{method: "POST", path: "/v1/achievements", as: institution, body: `{"title": "x", "titel": "y"}`, ctype: "application/json"}).want(t, 400).problem(t)
	if p.Code != "unknown_field" || len(p.Errors) != 1 || p.Errors[0].Field != "titel" {
		t.Errorf("unknown field: %+v", p)
	}
	// Oversize.
	big := `{"title": "` + strings.Repeat("长", 1<<19) + `"}`
	e.do(req{method: "POST", path: "/v1/achievements", as: institution, body: big, ctype: "application/json"}).want(t, 413)
	// Wrong content type.
	e.do(req{method: "POST", path: "/v1/achievements", as: institution, body: `title=x`, ctype: "application/x-www-form-urlencoded"}).want(t, 415)
	e.do(req{method: "POST", path: "/v1/achievements", as: institution, body: `{"title": "x"}`}).want(t, 415)
	// A forged or unknown key is 401; so is an expired one.
	r := e.do(req{method: "GET", path: "/v1/achievements", header: map[string]string{"Authorization": "Bearer tbk_forged"}}).want(t, 401)
	if r.Header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	k, _, err := e.keys.Issue(t.Context(), admin, broker.EnterpriseUser("ent-9", "临时公司"), httpapi.KeyOptions{Expires: e.clock.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	e.do(req{method: "GET", path: "/v1/achievements", header: map[string]string{"Authorization": "Bearer " + k}}).want(t, 200)
	e.clock.Add(2 * time.Hour)
	e.do(req{method: "GET", path: "/v1/achievements", header: map[string]string{"Authorization": "Bearer " + k}}).want(t, 401)
	// A revoked key is 401.
	k, _, err = e.keys.Issue(t.Context(), admin, broker.EnterpriseUser("ent-8", "另一公司"), httpapi.KeyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.keys.Revoke(t.Context(), admin, "ent-8"); err != nil {
		t.Fatal(err)
	}
	e.do(req{method: "GET", path: "/v1/achievements", header: map[string]string{"Authorization": "Bearer " + k}}).want(t, 401)
	// Bad query parameters.
	e.do(req{method: "GET", path: "/v1/achievements?limit=0"}).want(t, 400)
	e.do(req{method: "GET", path: "/v1/achievements?limit=x"}).want(t, 400)
	_ = a
}

func testConfidential(t *testing.T, e *env) {
	var d broker.Demand
	dm := demand("溶解氧监测", broker.Confidential)
	dm.Broker = staff.Broker // routed: other desks may not operate it
	e.do(req{method: "POST", path: "/v1/demands", as: enterprise, body: dm}).want(t, 201).json(t, &d)
	e.do(req{method: "GET", path: "/v1/demands/" + d.ID, as: enterprise}).want(t, 200)
	// To another enterprise and to anonymous callers the demand does not
	// exist: every status and message is the one of a missing record.
	missing := e.do(req{method: "GET", path: "/v1/demands/dem-999999", as: otherEnt}).want(t, 404).problem(t)
	for _, r := range []req{
		{method: "GET", path: "/v1/demands/" + d.ID, as: otherEnt},
		{method: "GET", path: "/v1/demands/" + d.ID},
		{method: "PUT", path: "/v1/demands/" + d.ID, as: otherEnt, body: d, header: map[string]string{"If-Match": `"1"`}},
		{method: "DELETE", path: "/v1/demands/" + d.ID, as: otherEnt, header: map[string]string{"If-Match": `"1"`}},
		{method: "POST", path: "/v1/demands/" + d.ID + "/moves", as: otherStaff, body: httpapi.DemandMoveRequest{To: broker.DemandUnresolvable, Reason: "x"}, header: map[string]string{"If-Match": `"1"`}},
		{method: "GET", path: "/v1/demands/" + d.ID + "/matches", as: otherEnt},
	} {
		p := e.do(r).want(t, 404).problem(t)
		if p.Detail != missing.Detail || p.Title != missing.Title || p.Code != missing.Code {
			t.Errorf("%s %s as %q: %+v, want the problem of a missing record %+v", r.method, r.path, r.as.ID, p, missing)
		}
		if r.method == "GET" {
			continue
		}
	}
	// Nor does it appear in lists.
	var pg struct{ Items []broker.Demand }
	e.do(req{method: "GET", path: "/v1/demands", as: otherEnt}).want(t, 200).json(t, &pg)
	for _, it := range pg.Items {
		if it.ID == d.ID {
			t.Error("another enterprise lists the confidential demand")
		}
	}
	// A case cannot be opened on it by a desk that may not see it: 422
	// as for a missing subject.
	p := e.do(req{method: "POST", path: "/v1/cases", as: otherStaff, body: httpapi.NewCaseRequest{Subject: broker.RecordRef{Kind: broker.KindDemand, ID: d.ID}, Broker: otherStaff.Broker}}).problem(t)
	q := e.do(req{method: "POST", path: "/v1/cases", as: otherStaff, body: httpapi.NewCaseRequest{Subject: broker.RecordRef{Kind: broker.KindDemand, ID: "dem-999999"}, Broker: otherStaff.Broker}}).problem(t)
	if p.Status != q.Status || p.Detail != q.Detail {
		t.Errorf("opening a case on a hidden demand: %+v; on a missing one: %+v", p, q)
	}
}

func testImport(t *testing.T, e *env) {
	good := "title,owner,keywords,asking_price\n深海探测声呐,上海海洋大学,声呐;深海,800000\n水下机器人,上海海洋大学,机器人,500000\n"
	bad := good + ",上海海洋大学,无标题,-3\n"
	// Any bad row: nothing written, every bad field with its row.
	p := e.do(req{method: "POST", path: "/v1/achievements/import", as: institution, body: bad, ctype: "text/csv"}).want(t, 422).problem(t)
	rows := map[string]int{}
	for _, f := range p.Errors {
		rows[f.Field] = f.Row
	}
	if rows["title"] != 4 || rows["asking_price"] != 4 {
		t.Errorf("row errors %+v, want title and asking_price on row 4", p.Errors)
	}
	var pg struct{ Items []broker.Achievement }
	e.do(req{method: "GET", path: "/v1/achievements"}).want(t, 200).json(t, &pg)
	if len(pg.Items) != 0 {
		t.Fatalf("a refused import wrote %d records", len(pg.Items))
	}
	// Partial: the good rows are written, the bad ones reported.
	var res httpapi.ImportResult
	e.do(req{method: "POST", path: "/v1/achievements/import?partial=true", as: institution, body: bad, ctype: "text/csv"}).want(t, 200).json(t, &res)
	if len(res.Created) != 2 || len(res.Errors) == 0 || res.Errors[0].Row != 4 {
		t.Errorf("partial import: %+v", res)
	}
	// The same rows again, as a multipart upload: duplicates reported.
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", "achievements.csv")
	fw.Write([]byte(good))
	mw.Close()
	e.do(req{method: "POST", path: "/v1/achievements/import", as: institution, body: buf.Bytes(), ctype: mw.FormDataContentType()}).want(t, 200).json(t, &res)
	if len(res.Created) != 0 || len(res.Duplicates) != 2 || res.Duplicates[0].Of == "" {
		t.Errorf("re-import: %+v", res)
	}
	// JSON Lines.
	e.do(req{method: "POST", path: "/v1/demands/import", as: enterprise, ctype: "application/x-ndjson",
		body: `{"title":"需求一","enterprise":"东海船舶科技有限公司","problem":"问题"}` + "\n"}).want(t, 200).json(t, &res)
	if len(res.Created) != 1 {
		t.Errorf("JSON Lines import: %+v", res)
	}
	e.do(req{method: "POST", path: "/v1/achievements/import", as: institution, body: good, ctype: "application/json"}).want(t, 415)
}

// openCase creates an achievement and opens a case on it at staff's desk.
func openCase(t *testing.T, e *env) (broker.Achievement, broker.Case) {
	var a broker.Achievement
	e.do(req{method: "POST", path: "/v1/achievements", as: institution, body: achievement("网箱水质监测", institution.Org)}).want(t, 201).json(t, &a)
	var c broker.Case
	e.do(req{method: "POST", path: "/v1/cases", as: staff, body: httpapi.NewCaseRequest{Subject: broker.Ref(a), Broker: staff.Broker, Reason: "征集"}}).want(t, 201).json(t, &c)
	return a, c
}

func testCases(t *testing.T, e *env) {
	_, c := openCase(t, e)
	if c.Stage != broker.StageCollected {
		t.Fatalf("opened in %s", c.Stage)
	}
	path := "/v1/cases/" + c.ID + "/moves"
	// No If-Match: 428; a guard unmet: 422 naming it; a move not in the
	// table: 409.
	e.do(req{method: "POST", path: path, as: staff, body: httpapi.CaseMoveRequest{To: broker.StageScreened}}).want(t, 428)
	p := e.do(req{method: "POST", path: path, as: staff, body: httpapi.CaseMoveRequest{To: broker.StageScreened}, header: map[string]string{"If-Match": `"1"`}}).want(t, 422).problem(t)
	if len(p.Errors) != 1 || p.Errors[0].Field != string(broker.GuardVerdict) {
		t.Errorf("unmet guard: %+v", p)
	}
	e.do(req{method: "POST", path: path, as: staff, body: httpapi.CaseMoveRequest{To: broker.StageTraded}, header: map[string]string{"If-Match": `"1"`}}).want(t, 409)
	// The owner may not move it; another desk does not see it.
	e.do(req{method: "POST", path: path, as: institution, body: httpapi.CaseMoveRequest{To: broker.StageRejected, Reason: "x"}, header: map[string]string{"If-Match": `"1"`}}).want(t, 403)
	e.do(req{method: "POST", path: path, as: otherStaff, body: httpapi.CaseMoveRequest{To: broker.StageRejected, Reason: "x"}, header: map[string]string{"If-Match": `"1"`}}).want(t, 404)
	var moved broker.Case
	e.do(req{method: "POST", path: path, as: staff, header: map[string]string{"If-Match": `"1"`},
		body: httpapi.CaseMoveRequest{To: broker.StageScreened, Verdict: &broker.ScreeningVerdict{Passed: true, Ref: "评审-1"}}}).want(t, 200).json(t, &moved)
	if moved.Stage != broker.StageScreened || moved.Version != 2 {
		t.Errorf("moved to %s v%d", moved.Stage, moved.Version)
	}
	// The old version again: 412.
	e.do(req{method: "POST", path: path, as: staff, body: httpapi.CaseMoveRequest{To: broker.StagePromoting}, header: map[string]string{"If-Match": `"1"`}}).want(t, 412)
	var hist []httpapi.CaseEvent
	e.do(req{method: "GET", path: "/v1/cases/" + c.ID + "/history", as: staff}).want(t, 200).json(t, &hist)
	if len(hist) != 2 || hist[1].Stage == nil || hist[1].Stage.To != broker.StageScreened {
		t.Errorf("history %+v", hist)
	}
	e.do(req{method: "GET", path: "/v1/cases/" + c.ID + "/history", as: otherStaff}).want(t, 404)
	e.do(req{method: "GET", path: "/v1/cases?stage=screened", as: staff}).want(t, 200)
	// A second case on the same subject at the same desk: 409.
	e.do(req{method: "POST", path: "/v1/cases", as: staff, body: httpapi.NewCaseRequest{Subject: c.Subject, Broker: staff.Broker}}).want(t, 409)
}

func testDemandLoop(t *testing.T, e *env) {
	var d broker.Demand
	e.do(req{method: "POST", path: "/v1/demands", as: enterprise, body: demand("溶解氧监测", broker.Public)}).want(t, 201).json(t, &d)
	e.do(req{method: "POST", path: "/v1/demands/" + d.ID + "/respond", as: staff}).want(t, 428)
	e.do(req{method: "POST", path: "/v1/demands/" + d.ID + "/respond", as: staff, header: map[string]string{"If-Match": `"1"`}}).want(t, 200).json(t, &d)
	e.do(req{method: "POST", path: "/v1/demands/" + d.ID + "/moves", as: staff, header: map[string]string{"If-Match": etagOf(d.Version)},
		body: httpapi.DemandMoveRequest{To: broker.DemandDiagnosed}}).want(t, 422)
	e.do(req{method: "POST", path: "/v1/demands/" + d.ID + "/moves", as: staff, header: map[string]string{"If-Match": etagOf(d.Version)},
		body: httpapi.DemandMoveRequest{To: broker.DemandDiagnosed, Spec: "溶解氧在线监测，精度±0.1 mg/L"}}).want(t, 200).json(t, &d)
	if d.Status != broker.DemandDiagnosed {
		t.Errorf("status %s", d.Status)
	}
	// A plain update may not set the status.
	d.Status = broker.DemandResolved
	e.do(req{method: "PUT", path: "/v1/demands/" + d.ID, as: enterprise, body: d, header: map[string]string{"If-Match": etagOf(d.Version)}}).want(t, 422)
	var st httpapi.DemandStats
	e.do(req{method: "GET", path: "/v1/brokers/marine-tech/demand-stats?from=2026-01-01", as: staff}).want(t, 200).json(t, &st)
	if st.Received != 1 || st.Diagnosed != 1 {
		t.Errorf("stats %+v", st)
	}
	e.do(req{method: "GET", path: "/v1/brokers/marine-tech/demand-stats", as: enterprise}).want(t, 403)
	e.do(req{method: "GET", path: "/v1/brokers/marine-tech/demand-stats?from=yesterday", as: staff}).want(t, 400)
}

func etagOf(v int64) string { return fmt.Sprintf("%q", fmt.Sprint(v)) }

func testMatching(t *testing.T, e *env) {
	for _, title := range []string{"网箱溶解氧在线监测系统", "船舶动力定位", "儿童哮喘预测模型"} {
		e.do(req{method: "POST", path: "/v1/achievements", as: institution, body: achievement(title, institution.Org)}).want(t, 201)
	}
	var d broker.Demand
	e.do(req{method: "POST", path: "/v1/demands", as: enterprise, body: demand("溶解氧在线监测", broker.Members)}).want(t, 201).json(t, &d)
	var ms []httpapi.Match
	e.do(req{method: "GET", path: "/v1/demands/" + d.ID + "/matches?k=2", as: staff}).want(t, 200).json(t, &ms)
	if len(ms) == 0 || ms[0].Title != "网箱溶解氧在线监测系统" || len(ms[0].Explanation.Signals) == 0 {
		t.Fatalf("matches %+v", ms)
	}
	e.do(req{method: "GET", path: "/v1/demands/" + d.ID + "/matches"}).want(t, 404) // members only
	var pg httpapi.SearchPage
	e.do(req{method: "GET", path: "/v1/search?q=" + urlq("船舶 定位")}).want(t, 200).json(t, &pg)
	if len(pg.Items) == 0 || pg.Items[0].Title != "船舶动力定位" || pg.Total != len(pg.Items) {
		t.Errorf("search %+v", pg)
	}
	// The demands an achievement answers.
	e.do(req{method: "GET", path: "/v1/achievements/" + ms[0].ID + "/matches", as: enterprise}).want(t, 200).json(t, &ms)
	if len(ms) != 1 || ms[0].ID != d.ID || ms[0].Demand == nil {
		t.Errorf("an achievement's matches %+v", ms)
	}
	// Filters, facets and paging: the three achievements of the
	// institution, two per page, following Link; no record twice.
	seen := map[string]bool{}
	path := "/v1/search?kind=achievement&owner=" + urlq(institution.Org) + "&limit=2"
	for page := 0; path != ""; page++ {
		r := e.do(req{method: "GET", path: path}).want(t, 200)
		pg = httpapi.SearchPage{}
		r.json(t, &pg)
		if pg.Total != 3 || len(pg.Facets.Brokers) == 0 {
			t.Errorf("page %d: total %d, facets %+v", page, pg.Total, pg.Facets)
		}
		for _, m := range pg.Items {
			if seen[m.ID] {
				t.Errorf("%s on two pages", m.ID)
			}
			seen[m.ID] = true
		}
		path = ""
		if link := r.Header.Get("Link"); link != "" {
			path = strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
		} else if pg.Next != "" {
			t.Errorf("a next cursor without a Link header")
		}
	}
	if len(seen) != 3 {
		t.Errorf("paging saw %d achievements, want 3", len(seen))
	}
	// Every bad parameter is listed.
	p := e.do(req{method: "GET", path: "/v1/search?kind=planet&limit=0&min_price=abc&order=sideways"}).want(t, 400).problem(t)
	if len(p.Errors) != 4 {
		t.Errorf("bad search parameters: %+v", p.Errors)
	}
	r := e.do(req{method: "GET", path: "/v1/search?format=csv&q=" + urlq("船舶 定位")}).want(t, 200)
	if !strings.Contains(string(r.body), "名次,类型,编号,标题,得分,匹配词") || !strings.Contains(string(r.body), "船舶动力定位") {
		t.Errorf("search as CSV:\n%s", r.body)
	}
	e.do(req{method: "GET", path: "/v1/demands/" + d.ID + "/matches?format=xlsx", as: staff}).want(t, 200)
	e.do(req{method: "GET", path: "/v1/search?q=x&kind=planet"}).want(t, 400)
}

func urlq(s string) string { return strings.ReplaceAll(s, " ", "%20") }

func testFeedback(t *testing.T, e *env) {
	a, c := openCase(t, e)
	// An enterprise records its own decline of the (public) achievement;
	// the desk records one on its case for a party.
	fb := broker.Feedback{Subject: broker.Ref(a), Reason: broker.DeclinePrice}
	e.do(req{method: "POST", path: "/v1/feedback", as: enterprise, body: fb}).want(t, 201)
	e.do(req{method: "POST", path: "/v1/feedback", as: staff, body: broker.Feedback{Subject: broker.Ref(a), Case: c.ID, Party: "浦江食品有限公司",
		Reason: broker.DeclineTooEarly}}).want(t, 201)
	e.do(req{method: "POST", path: "/v1/feedback", as: enterprise, body: broker.Feedback{Subject: broker.Ref(a), Case: c.ID, Reason: broker.DeclinePrice}}).want(t, 403)
	fb.Reason = broker.DeclineOther
	e.do(req{method: "POST", path: "/v1/feedback", as: enterprise, body: fb}).want(t, 422) // other without text
	var fs []broker.Feedback
	e.do(req{method: "GET", path: "/v1/feedback?subject_kind=achievement&subject_id=" + a.ID, as: staff}).want(t, 200).json(t, &fs)
	// The desk reads what was recorded on its case (the enterprise's own
	// decline is on the unrouted achievement: its desk is nobody's yet);
	// each party reads its own.
	if len(fs) != 1 || fs[0].Reason != broker.DeclineTooEarly {
		t.Errorf("staff read %+v, want the decline on its case", fs)
	}
	for _, who := range []broker.Principal{enterprise, otherEnt} {
		e.do(req{method: "GET", path: "/v1/feedback", as: who}).want(t, 200).json(t, &fs)
		if len(fs) != 1 || fs[0].Party != who.Org {
			t.Errorf("%s reads %+v, want its own decline only", who.ID, fs)
		}
	}
	var rc []httpapi.ReasonCount
	e.do(req{method: "GET", path: "/v1/feedback/counts", as: staff}).want(t, 200).json(t, &rc)
	if len(rc) != len(broker.DeclineReasons()) {
		t.Errorf("counts %+v", rc)
	}
}

func newActivity(t *testing.T, e *env, capacity int) activity.Activity {
	start := e.clock.Now().Add(48 * time.Hour)
	var a activity.Activity
	e.do(req{method: "POST", path: "/v1/activities", as: staff, body: activity.Activity{Meta: broker.Meta{Broker: staff.Broker}, Kind: activity.Roadshow,
		Title: "海洋技术成果路演", Start: start, End: start.Add(4 * time.Hour), Capacity: capacity}}).want(t, 201).json(t, &a)
	return a
}

func testActivities(t *testing.T, e *env) {
	a := newActivity(t, e, 2)
	path := "/v1/activities/" + a.ID + "/registrations"
	idem := map[string]string{"Idempotency-Key": "reg-ent-1"}
	first := e.do(req{method: "POST", path: path, as: enterprise, body: httpapi.RegistrationRequest{Role: "seek"}, header: idem}).want(t, 201)
	// The same key and body: the first response again, nothing written.
	again := e.do(req{method: "POST", path: path, as: enterprise, body: httpapi.RegistrationRequest{Role: "seek"}, header: idem}).want(t, 201)
	if again.Header.Get("Idempotent-Replayed") != "true" || !bytes.Equal(first.body, again.body) {
		t.Errorf("replay: header %q, body %s vs %s", again.Header.Get("Idempotent-Replayed"), again.body, first.body)
	}
	// The same key with another body: 422.
	e.do(req{method: "POST", path: path, as: enterprise, body: httpapi.RegistrationRequest{Role: "invest"}, header: idem}).want(t, 422)
	// Without a key a second registration is refused by the platform.
	e.do(req{method: "POST", path: path, as: enterprise, body: httpapi.RegistrationRequest{}}).want(t, 409)
	var seats httpapi.Seats
	e.do(req{method: "GET", path: "/v1/activities/" + a.ID + "/seats", as: enterprise}).want(t, 200).json(t, &seats)
	if seats.Taken != 1 {
		t.Errorf("seats taken %d, want 1", seats.Taken)
	}
	e.do(req{method: "POST", path: path, as: institution, body: httpapi.RegistrationRequest{Role: "offer"}}).want(t, 201)
	p := e.do(req{method: "POST", path: path, as: otherEnt, body: httpapi.RegistrationRequest{}}).want(t, 409).problem(t)
	if p.Code != "full" {
		t.Errorf("full activity: code %q", p.Code)
	}
	// A caller who is not signed in is told to sign in.
	e.do(req{method: "POST", path: path, body: httpapi.RegistrationRequest{}}).want(t, 401)
	// A meeting between the two participants.
	var m activity.Meeting
	e.do(req{method: "POST", path: "/v1/activities/" + a.ID + "/meetings", as: enterprise, body: httpapi.MeetingRequest{Invitee: institution.ID}}).want(t, 201).json(t, &m)
	e.do(req{method: "POST", path: "/v1/meetings/" + m.ID + "/answer", as: institution, body: httpapi.MeetingAnswer{Accept: true}}).want(t, 200)
	var sched httpapi.Schedule
	e.do(req{method: "POST", path: "/v1/activities/" + a.ID + "/schedule", as: staff}).want(t, 200).json(t, &sched)
	if len(sched.Placed) != 1 {
		t.Errorf("schedule %+v", sched)
	}
	e.do(req{method: "POST", path: "/v1/activities/" + a.ID + "/schedule", as: enterprise}).want(t, 403)
	var ach broker.Achievement
	e.do(req{method: "POST", path: "/v1/achievements", as: institution, body: achievement("网箱监测", institution.Org)}).want(t, 201).json(t, &ach)
	e.do(req{method: "POST", path: "/v1/activities/" + a.ID + "/leads", as: staff, body: httpapi.LeadRequest{Kind: activity.LeadCase, Subject: broker.Ref(ach)}}).want(t, 201)
	var conv httpapi.Conversion
	e.do(req{method: "GET", path: "/v1/activities/" + a.ID + "/conversion", as: staff}).want(t, 200).json(t, &conv)
	if conv.Registrations != 2 || conv.CasesOpened != 1 || conv.MeetingsScheduled != 1 {
		t.Errorf("conversion %+v", conv)
	}
	e.do(req{method: "GET", path: "/v1/activities/" + a.ID + "/registrations", as: staff}).want(t, 200)
	e.do(req{method: "GET", path: "/v1/activities/" + a.ID + "/meetings", as: staff}).want(t, 200)
	e.do(req{method: "GET", path: "/v1/activities/" + a.ID + "/leads", as: staff}).want(t, 200)
}

func listing(method exchange.TradingMethod, price string) exchange.Listing {
	return exchange.Listing{Meta: broker.Meta{Broker: staff.Broker, Region: "上海市杨浦区"}, Title: "深远海养殖网箱水质在线监测系统",
		Summary: "在线监测网箱溶解氧与氨氮，提前预警缺氧。", Owner: institution.Org, OwnerPublic: true, ContactPerson: "王海",
		Contact: broker.Contact{Phone: "021-61900000"},
		Terms:   exchange.ListingTerms{Mode: broker.ModeTransfer, Method: method, Price: dec(price), Increment: dec("50000"), Deposit: dec("100000")}}
}

func testExchange(t *testing.T, e *env) {
	var l exchange.Listing
	e.do(req{method: "POST", path: "/v1/listings", as: staff, body: listing(exchange.MethodAuction, "1200000")}).want(t, 201).json(t, &l)
	// A draft is hidden from everyone but its owner, the desk and admins.
	e.do(req{method: "GET", path: "/v1/listings/" + l.ID, as: otherEnt}).want(t, 404)
	e.do(req{method: "GET", path: "/v1/listings/" + l.ID, as: institution}).want(t, 200)
	closes := e.clock.Now().Add(7 * 24 * time.Hour)
	e.do(req{method: "POST", path: "/v1/listings/" + l.ID + "/publish", as: staff, body: httpapi.PublishRequest{Closes: closes}}).want(t, 428)
	e.do(req{method: "POST", path: "/v1/listings/" + l.ID + "/publish", as: staff, body: httpapi.PublishRequest{Closes: closes},
		header: map[string]string{"If-Match": etagOf(l.Version)}}).want(t, 200).json(t, &l)
	if l.Status != exchange.ListingOpen {
		t.Fatalf("published as %s", l.Status)
	}
	// The contact is private.
	var seen exchange.Listing
	e.do(req{method: "GET", path: "/v1/listings/" + l.ID, as: otherEnt}).want(t, 200).json(t, &seen)
	if seen.Contact.Phone != "" {
		t.Error("another enterprise sees the listing's contact")
	}
	// A deposit, idempotent.
	dep := httpapi.DepositRequest{Bidder: enterprise.Org, Amount: dec("100000"), PaymentRef: "回单-1"}
	idem := map[string]string{"Idempotency-Key": "dep-1"}
	d1 := e.do(req{method: "POST", path: "/v1/listings/" + l.ID + "/deposits", as: operator, body: dep, header: idem}).want(t, 201)
	d2 := e.do(req{method: "POST", path: "/v1/listings/" + l.ID + "/deposits", as: operator, body: dep, header: idem}).want(t, 201)
	if !bytes.Equal(d1.body, d2.body) || d2.Header.Get("Idempotent-Replayed") != "true" {
		t.Error("a replayed deposit did not get the first response")
	}
	e.do(req{method: "POST", path: "/v1/listings/" + l.ID + "/deposits", as: operator, body: dep}).want(t, 409)
	e.do(req{method: "POST", path: "/v1/listings/" + l.ID + "/deposits", as: enterprise, body: dep}).want(t, 403)
	// Bids: below the reserve, then accepted, replayed, a key reused.
	bid := func(amount, key string) resp {
		h := map[string]string{}
		if key != "" {
			h["Idempotency-Key"] = key
		}
		return e.do(req{method: "POST", path: "/v1/listings/" + l.ID + "/bids", as: enterprise, body: httpapi.BidRequest{Bidder: enterprise.Org, Amount: dec(amount)}, header: h})
	}
	p := bid("1100000", "").want(t, 422).problem(t)
	if p.Code != string(exchange.RejectBelowReserve) || len(p.Errors) != 1 || p.Errors[0].Param != "1200000.00" {
		t.Errorf("below reserve: %+v", p)
	}
	b1 := bid("1200000", "bid-1").want(t, 201)
	b2 := bid("1200000", "bid-1").want(t, 201)
	if !bytes.Equal(b1.body, b2.body) {
		t.Error("a replayed bid did not get the first response")
	}
	bid("1300000", "bid-1").want(t, 422)
	bid("1210000", "bid-2").want(t, 409) // below the increment: the book's state refuses it
	var bids []exchange.Bid
	e.do(req{method: "GET", path: "/v1/listings/" + l.ID + "/bids", as: staff}).want(t, 200).json(t, &bids)
	if len(bids) != 1 {
		t.Errorf("%d bids stored, want 1", len(bids))
	}
	e.do(req{method: "GET", path: "/v1/listings/" + l.ID + "/bids", as: otherEnt}).want(t, 200).json(t, &bids)
	if len(bids) != 0 {
		t.Errorf("another enterprise sees %d bids", len(bids))
	}
	var book httpapi.Book
	e.do(req{method: "GET", path: "/v1/listings/" + l.ID + "/book", as: otherEnt}).want(t, 200).json(t, &book)
	if book.Bids != 1 || book.MinNext.String() != "1250000" {
		t.Errorf("book %+v", book)
	}
	// Close after the deadline, then the deal with the winner.
	e.do(req{method: "POST", path: "/v1/listings/" + l.ID + "/close-bidding", as: staff}).want(t, 409)
	e.clock.Add(8 * 24 * time.Hour)
	bid("1300000", "bid-3").want(t, 409)
	e.do(req{method: "POST", path: "/v1/listings/" + l.ID + "/close-bidding", as: staff}).want(t, 200).json(t, &l)
	if l.Status != exchange.ListingAwarded {
		t.Fatalf("closed as %s", l.Status)
	}
	deal := httpapi.DealRequest{Listing: l.ID, Buyer: enterprise.Org, Amount: dec("1200000")}
	idem = map[string]string{"Idempotency-Key": "deal-1"}
	r1 := e.do(req{method: "POST", path: "/v1/deals", as: staff, body: deal, header: idem}).want(t, 201)
	r2 := e.do(req{method: "POST", path: "/v1/deals", as: staff, body: deal, header: idem}).want(t, 201)
	if !bytes.Equal(r1.body, r2.body) {
		t.Error("a replayed deal did not get the first response")
	}
	var dl exchange.Deal
	r1.json(t, &dl)
	e.do(req{method: "GET", path: "/v1/deals/" + dl.ID, as: enterprise}).want(t, 200)
	e.do(req{method: "GET", path: "/v1/deals/" + dl.ID, as: otherEnt}).want(t, 404)
	e.do(req{method: "GET", path: "/v1/deals", as: staff}).want(t, 200)
	e.do(req{method: "POST", path: "/v1/deals", as: staff, body: httpapi.DealRequest{Listing: "lst-999", Buyer: "x", Amount: dec("1")}}).want(t, 422)
	var lg httpapi.Ledger
	e.do(req{method: "GET", path: "/v1/ledger", as: staff}).want(t, 200).json(t, &lg)
	if lg.Total.Deals != 1 {
		t.Errorf("ledger %+v", lg)
	}
	e.do(req{method: "GET", path: "/v1/ledger", as: enterprise}).want(t, 403)
	e.do(req{method: "GET", path: "/v1/listings/" + l.ID + "/deposits", as: staff}).want(t, 200)
}

func testStatistics(t *testing.T, e *env) {
	openCase(t, e)
	if _, err := e.sys.AddStaff(t.Context(), admin, broker.Staff{Meta: broker.Meta{Broker: staff.Broker}, Person: staff.ID, Name: "王经理",
		Grade: broker.GradeSenior}); err != nil {
		t.Fatal(err)
	}
	var ps httpapi.PlatformStats
	e.do(req{method: "GET", path: "/v1/brokers/marine-tech/stats?from=2026-01-01&to=2027-01-01", as: staff}).want(t, 200).json(t, &ps)
	if ps.CasesOpened != 1 || ps.CasesByStage[broker.StageCollected] != 1 {
		t.Errorf("stats %+v", ps)
	}
	e.do(req{method: "GET", path: "/v1/brokers/marine-tech/stats", as: otherStaff}).want(t, 403)
	e.do(req{method: "GET", path: "/v1/brokers/marine-tech/stats", as: enterprise}).want(t, 403)
	var sc httpapi.Scorecard
	e.do(req{method: "GET", path: "/v1/assessment?year=2026", as: admin}).want(t, 200).json(t, &sc)
	if len(sc.Entities) != 7 {
		t.Errorf("scorecard of %d brokers, want 7", len(sc.Entities))
	}
	e.do(req{method: "GET", path: "/v1/assessment?year=2026", as: staff}).want(t, 403)
	r := e.do(req{method: "GET", path: "/v1/assessment/report?year=2026", as: admin, header: map[string]string{"Accept-Language": "zh-CN"}}).want(t, 200)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "海洋技术") {
		t.Errorf("HTML report: %s %.200s", r.Header.Get("Content-Type"), r.body)
	}
	r = e.do(req{method: "GET", path: "/v1/assessment/report?year=2026", as: admin, header: map[string]string{"Accept": "text/markdown"}}).want(t, 200)
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/markdown") || !strings.Contains(string(r.body), "|") {
		t.Errorf("Markdown report: %s %.200s", r.Header.Get("Content-Type"), r.body)
	}
}

func testExport(t *testing.T, e *env) {
	e.do(req{method: "POST", path: "/v1/demands", as: enterprise, body: demand("公开需求", broker.Public)}).want(t, 201)
	e.do(req{method: "POST", path: "/v1/demands", as: enterprise, body: demand("保密需求", broker.Confidential)}).want(t, 201)
	r := e.do(req{method: "GET", path: "/v1/demands?format=csv", as: enterprise}).want(t, 200)
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(r.body), "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[0][0] != "编号" || recs[0][1] != "标题" {
		t.Fatalf("the owner's export: %v", recs)
	}
	r = e.do(req{method: "GET", path: "/v1/demands", as: otherEnt, header: map[string]string{"Accept": "text/csv"}}).want(t, 200)
	if strings.Contains(string(r.body), "保密需求") || !strings.Contains(string(r.body), "公开需求") {
		t.Errorf("another enterprise's export:\n%s", r.body)
	}
	r = e.do(req{method: "GET", path: "/v1/demands?format=xlsx", as: otherEnt}).want(t, 200)
	f, err := excelize.OpenReader(bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0][1] != "标题" || rows[1][1] != "公开需求" {
		t.Errorf("xlsx rows %v", rows)
	}
	e.do(req{method: "GET", path: "/v1/demands?format=pdf", as: otherEnt}).want(t, 406)
	e.do(req{method: "GET", path: "/v1/cases?format=csv", as: staff}).want(t, 200)
	e.do(req{method: "GET", path: "/v1/listings?format=csv", as: staff}).want(t, 200)
}

func testRouting(t *testing.T, e *env) {
	p := e.do(req{method: "GET", path: "/v1/planets"}).problem(t)
	if p.Status != 404 {
		t.Errorf("unknown path: %+v", p)
	}
	r := e.do(req{method: "PATCH", path: "/v1/achievements"})
	if r.StatusCode != http.StatusMethodNotAllowed || r.Header.Get("Allow") == "" {
		t.Errorf("wrong method: %d, Allow %q", r.StatusCode, r.Header.Get("Allow"))
	}
	r.problem(t)
	e.do(req{method: "GET", path: "/openapi.json"}).want(t, 200)
}

func testReview(t *testing.T, e *env) {
	ctx := t.Context()
	sys := e.sys
	_, err := sys.Societies.Create(ctx, admin, broker.Society{Meta: broker.Meta{ID: "coss"}, Name: "中国海洋学会"})
	must(t, err)
	_, err = sys.GrantQualification(ctx, admin, broker.Qualification{Society: "coss", Ref: "科技评估资质 2026-01"})
	must(t, err)
	for i, kw := range [][]string{{"养殖", "水质"}, {"水质", "监测"}, {"养殖", "渔业"}, {"船舶"}} {
		id := fmt.Sprintf("rexp-%d", i+1)
		_, err := sys.ContributeExpert(ctx, admin, "coss", broker.Expert{Meta: broker.Meta{ID: id}, Name: fmt.Sprintf("专家%d", i+1),
			Institution: "某大学", Keywords: kw})
		must(t, err)
		k, _, err := e.keys.Issue(ctx, admin, broker.ExpertUser(id), httpapi.KeyOptions{})
		must(t, err)
		e.key[id] = k
	}
	a, c := openCase(t, e)
	var panels []review.Panel
	e.do(req{method: "POST", path: "/v1/review/panels", as: otherStaff, body: httpapi.PlanRequest{Broker: staff.Broker,
		Subjects: []broker.RecordRef{broker.Ref(a)}, Seats: 3}}).want(t, 403)
	e.do(req{method: "POST", path: "/v1/review/panels", as: staff, body: httpapi.PlanRequest{Broker: staff.Broker,
		Subjects: []broker.RecordRef{broker.Ref(a)}, Seats: 3}}).want(t, 201).json(t, &panels)
	if len(panels) != 1 {
		t.Fatalf("planned %+v", panels)
	}
	var pn review.Panel
	e.do(req{method: "POST", path: "/v1/review/panels/" + panels[0].ID + "/invite", as: staff}).want(t, 200).json(t, &pn)
	// The subject's owner does not see the panel.
	e.do(req{method: "GET", path: "/v1/review/panels/" + pn.ID, as: institution}).want(t, 404)
	for i, ex := range pn.Experts() {
		who := broker.ExpertUser(ex)
		e.do(req{method: "POST", path: "/v1/review/panels/" + pn.ID + "/accept", as: who}).want(t, 200)
		level := 78 + float64(i)
		scores := map[string]float64{"novelty": level + 5, "advancement": level + 8, "maturity": level - 6, "market": level, "ip": level - 10, "team": level + 2}
		if i == 0 {
			// A bad sheet first: every bad field listed.
			p := e.do(req{method: "POST", path: "/v1/review/panels/" + pn.ID + "/sheets", as: who,
				body: httpapi.SheetRequest{Scores: map[string]float64{"novelty": 500}}}).want(t, 422).problem(t)
			if len(p.Errors) < 2 {
				t.Errorf("a bad sheet: %+v", p.Errors)
			}
		}
		e.do(req{method: "POST", path: "/v1/review/panels/" + pn.ID + "/sheets", as: who, body: httpapi.SheetRequest{Scores: scores}}).want(t, 201)
		// Blind: a panelist reads only its own sheet before the lock.
		var pg struct{ Items []review.ScoreSheet }
		e.do(req{method: "GET", path: "/v1/review/panels/" + pn.ID + "/sheets", as: who}).want(t, 200).json(t, &pg)
		if len(pg.Items) != 1 || pg.Items[0].Expert != ex {
			t.Errorf("%s reads sheets %+v before the lock", ex, pg.Items)
		}
	}
	e.do(req{method: "POST", path: "/v1/review/panels/" + pn.ID + "/lock", as: staff}).want(t, 200)
	var v review.Verdict
	e.do(req{method: "POST", path: "/v1/review/panels/" + pn.ID + "/decide", as: staff, body: httpapi.DecisionRequest{}}).want(t, 201).json(t, &v)
	if !v.Passed {
		t.Errorf("verdict %+v", v)
	}
	e.do(req{method: "GET", path: "/v1/review/verdicts/" + v.ID, as: institution}).want(t, 200)
	e.do(req{method: "GET", path: "/v1/review/verdicts/" + v.ID, as: otherEnt}).want(t, 404)
	var cs broker.Case
	e.do(req{method: "GET", path: "/v1/cases/" + c.ID, as: staff}).want(t, 200).json(t, &cs)
	if cs.Stage != broker.StageScreened {
		t.Errorf("the verdict left the case in %s", cs.Stage)
	}
}
