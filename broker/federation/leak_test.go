package federation_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
	"github.com/kexie/techbroker/broker/federation"
)

// leakFields returns the "leak" errors of err, failing the test when err
// is not a validation error.
func leakFields(t testing.TB, err error) []broker.FieldError {
	t.Helper()
	var ve *broker.ValidationError
	if !errors.As(err, &ve) || !errors.Is(err, broker.ErrInvalid) {
		t.Fatalf("got %v, want a *broker.ValidationError", err)
	}
	var out []broker.FieldError
	for _, f := range ve.Fields {
		if f.Code == "leak" {
			out = append(out, f)
		}
	}
	return out
}

// hasLeak reports whether leaks name field, kind and a value.
func hasLeak(leaks []broker.FieldError, field, kind string) bool {
	for _, f := range leaks {
		if f.Field == field && f.Param == kind && f.Value != "" {
			return true
		}
	}
	return false
}

// Defect 4 of issue 21, and its neighbours: every contact field of the
// listing (and of the achievement it lists) is checked against every
// shared text of its profile, also when it is written spaced out or in
// full-width characters, and the refusal names the field, the kind of data
// and the value found. Nothing is sent.
func TestShareRefusesContactData(t *testing.T) {
	tests := []struct {
		name  string
		plant func(l *exchange.Listing)
		field string
		kind  string
	}{
		{"the issue's WeChat ID", func(l *exchange.Listing) {
			l.Contact.WeChat, l.Summary = "wanghai_shou", "微信 wanghai_shou 咨询"
		}, "summary", "WeChat ID"},
		{"a WeChat ID without its label", func(l *exchange.Listing) {
			l.Contact.WeChat, l.Benefits = "wanghai_shou", []string{"加 wanghai_shou 获取资料"}
		}, "benefits[0]", "WeChat ID"},
		{"a WeChat ID spaced out", func(l *exchange.Listing) {
			l.Contact.WeChat, l.Benefits = "wanghai_shou", []string{"缺氧预警提前2小时", "w a n g h a i _ s h o u"}
		}, "benefits[1]", "WeChat ID"},
		{"a WeChat ID in full width", func(l *exchange.Listing) {
			l.Contact.WeChat, l.Applications = "wanghai_shou", []string{"ｗａｎｇｈａｉ＿ｓｈｏｕ"}
		}, "applications[0]", "WeChat ID"},
		{"a mobile number spaced out", func(l *exchange.Listing) {
			l.Contact.Phone, l.Applications = "13800138000", []string{"深远海网箱养殖", "咨询 138 0013 8000"}
		}, "applications[1]", "phone number"},
		{"a landline in groups", func(l *exchange.Listing) {
			l.Indicators[0].Value = "021 6190 0000"
		}, "indicators[0].value", "phone number"},
		{"an e-mail address spaced out", func(l *exchange.Listing) {
			l.Comparison.Alternative = "wanghai @ example.edu.cn"
		}, "comparison.alternative", "e-mail address"},
		{"a QQ number", func(l *exchange.Listing) {
			l.Summary = "在线监测网箱水质，QQ 12345678 咨询。"
		}, "summary", "QQ number"},
		{"the contact person spaced out", func(l *exchange.Listing) {
			l.Summary = "王 海团队研发的网箱水质在线监测系统。"
		}, "summary", "name"},
		{"the owner spaced out", func(l *exchange.Listing) {
			l.Title = "上海 海洋 大学 网箱水质监测"
		}, "title", "organization"},
		{"a patent number in groups", func(l *exchange.Listing) {
			l.Benefits = []string{"专利 ZL 2021 1012 3456.7 已授权"}
		}, "benefits[0]", "patent number"},
		{"an inventor of the achievement spaced out", func(l *exchange.Listing) {
			l.Applications = []string{"张 伟 教授团队成果"}
		}, "applications[0]", "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			y, _, tr, _ := newPair(t)
			a, err := y.sys.Achievements.Create(ctx, staff, broker.Achievement{Title: "水质监测", Owner: ownerU, Meta: broker.Meta{Broker: "marine-tech"},
				Inventors: []broker.Inventor{{Name: "张伟", Share: d("60")}, {Name: "李娜", Share: d("40")}}})
			if err != nil {
				t.Fatal(err)
			}
			l := sampleListing()
			l.Achievement = a.ID
			tt.plant(&l)
			l = mustListing(t, y.x, l)
			_, err = y.fed.Share(ctx, staff, l.ID, taizhou)
			if leaks := leakFields(t, err); !hasLeak(leaks, tt.field, tt.kind) {
				t.Errorf("got %v, want a leak of a %s on %s naming the value", err, tt.kind, tt.field)
			}
			if n := len(tr.Sent()); n != 0 {
				t.Errorf("%d messages sent", n)
			}
		})
	}
}

// A node refuses a received profile that carries contact data in any
// form, whatever the sending node checked.
func TestSyncRefusesContactData(t *testing.T) {
	_, tz, tr, _ := newPair(t)
	good := federation.Profile{ID: "list-000001", Region: yangpu, Broker: "marine-tech", Kind: "technology_offer", Title: "水质监测系统", Summary: "在线监测网箱水质。",
		Mode: broker.ModeTransfer, Method: exchange.MethodFixed, Price: d("1")}
	plants := []struct {
		edit func(p *federation.Profile)
		want string
	}{
		{func(p *federation.Profile) { p.Summary = "微信 ｗａｎｇｈａｉ＿ｓｈｏｕ 咨询" }, "WeChat ID"},
		{func(p *federation.Profile) { p.Summary = "咨询 １３８ ００１３ ８０００" }, "phone number"},
		{func(p *federation.Profile) {
			p.Benefits = []string{"ｗａｎｇｈａｉ＠ｅｘａｍｐｌｅ．ｃｏｍ"}
		}, "e-mail address"},
		{func(p *federation.Profile) { p.Applications = []string{"ＱＱ：１２３４５６７８"} }, "QQ number"},
	}
	for i, pl := range plants {
		p := good
		p.ID = "list-00000" + string(rune('2'+i))
		pl.edit(&p)
		b, _ := json.Marshal(federation.Message{ID: "m" + p.ID, Type: federation.MsgProfile, From: yangpu, To: taizhou, Profile: &p})
		_ = tr.Send(ctx, taizhou, b)
	}
	rep, err := tz.fed.Sync(ctx)
	if err != nil || rep.Processed != len(plants) {
		t.Fatalf("sync: %+v %v", rep, err)
	}
	if len(rep.Rejected) != len(plants) {
		t.Errorf("%d of %d profiles with contact data refused: %v", len(rep.Rejected), len(plants), rep.Rejected)
	}
	for i := range min(len(rep.Rejected), len(plants)) {
		if !strings.Contains(rep.Rejected[i].Error(), plants[i].want) {
			t.Errorf("rejection %d: got %v, want a leak of a %s", i, rep.Rejected[i], plants[i].want)
		}
	}
	if profs, _ := tz.fed.Profiles(ctx, staff); len(profs) != 0 {
		t.Errorf("stored %d profiles with contact data", len(profs))
	}
}

// Every leak error names the field, the kind of data and the value found
// (issue 21, friction: "note must not reveal a contact data (found \"\")").
func TestLeakMessageNamesFieldKindValue(t *testing.T) {
	y, tz, _, _ := newPair(t)
	l := mustListing(t, y.x, sampleListing())
	if _, err := y.fed.Share(ctx, staff, l.ID, taizhou); err != nil {
		t.Fatal(err)
	}
	if _, err := tz.fed.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	profs, _ := tz.fed.Profiles(ctx, staff)
	_, err := tz.fed.ExpressInterest(ctx, enterprise(bidderA), profs[0].ID, federation.NewInterest{Org: bidderA, Note: "请联系 buyer@example.com",
		Contact: federation.PartyContact{Person: "赵经理", Email: "buyer@example.com"}})
	leaks := leakFields(t, err)
	if len(leaks) != 1 {
		t.Fatalf("got %v, want one leak", err)
	}
	want := `note must not reveal contact data: it holds the e-mail address "buyer@example.com"`
	if got := leaks[0].Message(language.English); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	_, err = tz.fed.ExpressInterest(ctx, enterprise(bidderA), profs[0].ID, federation.NewInterest{Org: bidderA, Note: "请找赵 经理",
		Contact: federation.PartyContact{Person: "赵经理"}})
	if leaks := leakFields(t, err); !hasLeak(leaks, "note", "name") {
		t.Errorf("the interested party's own contact person in the note: got %v", err)
	}
}
