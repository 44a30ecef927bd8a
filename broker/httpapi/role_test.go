package httpapi_test

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/httpapi"
)

// TestRoles checks, for every role, that what each principal may see and
// do over HTTP is what the access policy says (broker.Can): for records of
// every class and tier, a read answers 200 exactly when the policy lets the
// principal read, and 404 otherwise; an update, a delete and a case move
// answer 404 when the principal may not read the record, else 403 exactly
// when the policy refuses the action.
func TestRoles(t *testing.T) {
	e := newEnv(t, storeKinds["memstore"](t), nil)
	ctx := t.Context()
	sys := e.sys

	// Records of each class and tier.
	pubAch, err := sys.Achievements.Create(ctx, institution, achievement("公开成果", institution.Org))
	must(t, err)
	conf := achievement("保密成果", institution.Org)
	conf.Visibility = broker.Confidential
	confAch, err := sys.Achievements.Create(ctx, institution, conf)
	must(t, err)
	membersDem := demand("会员需求", broker.Members)
	membersDem.Broker = staff.Broker
	memDem, err := sys.Demands.Create(ctx, enterprise, membersDem)
	must(t, err)
	confDem, err := sys.Demands.Create(ctx, enterprise, demand("保密需求", broker.Confidential))
	must(t, err)
	exp, err := sys.Experts.Create(ctx, admin, broker.Expert{Meta: broker.Meta{ID: expertP.ID}, Name: "李海"})
	must(t, err)
	cs, err := sys.OpenCase(ctx, staff, broker.NewCase{Subject: broker.Ref(pubAch), Broker: staff.Broker})
	must(t, err)
	x := exchange.New(sys)
	draft, err := x.CreateListing(ctx, staff, listing(exchange.MethodAuction, "1200000"))
	must(t, err)

	type target struct {
		path string
		rec  broker.Record
		body any
	}
	targets := []target{
		{"/v1/achievements/" + pubAch.ID, pubAch, pubAch},
		{"/v1/achievements/" + confAch.ID, confAch, confAch},
		{"/v1/demands/" + memDem.ID, memDem, memDem},
		{"/v1/demands/" + confDem.ID, confDem, confDem},
		{"/v1/experts/" + exp.ID, exp, exp},
		{"/v1/cases/" + cs.ID, cs, nil},
		{"/v1/listings/" + draft.ID, draft, draft},
	}
	principals := []broker.Principal{{}, admin, staff, otherStaff, enterprise, otherEnt, institution, society, expertP, operator, overseer, investor}
	for _, p := range principals {
		for _, tg := range targets {
			name := fmt.Sprintf("%s %s", roleName(p), tg.path)
			canRead := broker.CanDo(p, broker.ActRead, tg.rec)
			// Read.
			r := e.do(req{method: "GET", path: tg.path, as: p})
			if want := map[bool]int{true: 200, false: 404}[canRead]; r.StatusCode != want {
				t.Errorf("%s: GET %d, policy says read=%v", name, r.StatusCode, canRead)
			}
			// Update (plain records) and delete, with the right version: the
			// outcome must follow the policy. They run on a copy of the
			// state: a write that succeeds is undone by the next
			// principal's view of a new version, so only refusals are
			// exercised here — the successful writes are the suite's.
			version := etagOf(tg.rec.RecordMeta().Version)
			if tg.body != nil {
				// A listing is changed by operating it (the desk's, while a
				// draft); a plain record by updating it.
				act := broker.ActUpdate
				if _, isListing := tg.rec.(exchange.Listing); isListing {
					act = broker.ActOperate
				}
				canUpdate := broker.CanDo(p, act, tg.rec)
				if !canUpdate {
					r := e.do(req{method: "PUT", path: tg.path, as: p, body: tg.body, header: map[string]string{"If-Match": version}})
					checkRefusal(t, name+" PUT", r, canRead)
				}
				if _, isListing := tg.rec.(exchange.Listing); !isListing && !broker.CanDo(p, broker.ActDelete, tg.rec) { // a listing is withdrawn, not deleted
					r := e.do(req{method: "DELETE", path: tg.path, as: p, header: map[string]string{"If-Match": version}})
					checkRefusal(t, name+" DELETE", r, canRead)
				}
			}
		}
		// Operating the case: moving it.
		canOperate := broker.CanDo(p, broker.ActOperate, cs)
		r := e.do(req{method: "POST", path: "/v1/cases/" + cs.ID + "/moves", as: p, header: map[string]string{"If-Match": `"1"`},
			body: httpapi.CaseMoveRequest{To: broker.StageRejected, Reason: "不予推进"}})
		switch {
		case canOperate && r.StatusCode != 200:
			t.Errorf("%s: moving the case: %d, the policy lets it operate", roleName(p), r.StatusCode)
		case canOperate:
			// Put it back for the next principal: reopen a fresh case.
			cs, err = sys.OpenCase(ctx, admin, broker.NewCase{Subject: broker.Ref(pubAch), Broker: staff.Broker})
			must(t, err)
		case !canOperate && p.Role != broker.RoleEnterprise && p.Role != broker.RoleInstitution:
			checkRefusal(t, roleName(p)+" move case", r, broker.CanDo(p, broker.ActRead, cs))
		}
		// A desk's figures are its staff's and admins'.
		r = e.do(req{method: "GET", path: "/v1/brokers/marine-tech/stats", as: p})
		if want := broker.Can(p, broker.ActRead, broker.DeskTarget("marine-tech")); (r.StatusCode == 200) != want {
			t.Errorf("%s: desk figures %d, policy says %v", roleName(p), r.StatusCode, want)
		}
	}
}

// checkRefusal wants 404 when the principal may not read the record, else
// 403; a caller who is not signed in is told to sign in (401) before any
// write.
func checkRefusal(t *testing.T, name string, r resp, canRead bool) {
	t.Helper()
	want := 403
	if !canRead {
		want = 404
	}
	if r.Request.Header.Get("Authorization") == "" {
		want = 401
	}
	if r.StatusCode != want {
		t.Errorf("%s: %d, want %d (policy: read=%v, action refused)\n%s", name, r.StatusCode, want, canRead, r.body)
	}
}

func roleName(p broker.Principal) string {
	if p.Role == broker.RoleAnonymous {
		return "anonymous"
	}
	return string(p.Role) + ":" + p.ID
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Every signed-in role of the policy can hold an API key: the key's
// validation lists them all.
func TestAPIKeyRoles(t *testing.T) {
	f, ok := reflect.TypeFor[httpapi.APIKey]().FieldByName("Role")
	if !ok {
		t.Fatal("APIKey has no Role")
	}
	tag := f.Tag.Get("validate")
	i := strings.Index(tag, "oneof=")
	if i < 0 {
		t.Fatalf("APIKey.Role's validation %q lists no roles", tag)
	}
	listed := strings.Fields(strings.SplitN(tag[i+len("oneof="):], ",", 2)[0])
	for _, r := range broker.Roles() {
		if r != broker.RoleAnonymous && !slices.Contains(listed, string(r)) {
			t.Errorf("role %s cannot hold an API key (APIKey.Role lists %v)", r, listed)
		}
	}
}
