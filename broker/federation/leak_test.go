package federation_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strconv"
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
	wechat := broker.FieldError{Field: "summary", Code: "leak", Param: federation.LeakWeChat, Value: "wanghai_shou"}
	if got, want := wechat.Message(language.Chinese), `一句话简介(summary)不得透露联系方式：其中含有微信号"wanghai_shou"`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	_, err = tz.fed.ExpressInterest(ctx, enterprise(bidderA), profs[0].ID, federation.NewInterest{Org: bidderA, Note: "请找赵 经理",
		Contact: federation.PartyContact{Person: "赵经理"}})
	if leaks := leakFields(t, err); !hasLeak(leaks, "note", "name") {
		t.Errorf("the interested party's own contact person in the note: got %v", err)
	}
}

// The exact case, at the source of the rule: the profile of a
// listing whose Contact.WeChat is "wanghai_shou" and whose summary is
// "微信 wanghai_shou 咨询" is refused, naming the field, the kind and the
// value; so are other spellings, each named as written.
func TestProfileOfNamesTheLeak(t *testing.T) {
	tests := []struct {
		summary, kind, value string
	}{
		{"微信 wanghai_shou 咨询", federation.LeakWeChat, "wanghai_shou"},
		{"请加 ｗａｎｇｈａｉ＿ｓｈｏｕ", federation.LeakWeChat, "ｗａｎｇｈａｉ＿ｓｈｏｕ"},
		{"请加 w a n g h a i _ s h o u 详谈", federation.LeakWeChat, "w a n g h a i _ s h o u"},
		{"请加 WangHai-Shou", federation.LeakWeChat, "WangHai-Shou"},
		{"请加 wang\u200bhai\u200b_shou", federation.LeakWeChat, "wang\u200bhai\u200b_shou"},
		{"致电 138 0013 8000", federation.LeakPhone, "138 0013 8000"},
		{"致电 +86 138-0013-8000", federation.LeakPhone, "+86 138-0013-8000"},
		{"致电 ６１９０００００", federation.LeakPhone, "６１９０００００"},
		{"致电 ٦١٩٠٠٠٠٠", federation.LeakPhone, "٦١٩٠٠٠٠٠"},
		{"邮件 wanghai＠example．edu．cn", federation.LeakEmail, "wanghai＠example．edu．cn"},
		{"王　海团队研制", federation.LeakName, "王　海"},
		{"张-伟教授团队", federation.LeakName, "张-伟"},
		{"上 海 海 洋 大 学研制", federation.LeakOrg, "上 海 海 洋 大 学"},
		{"合作方 ORG-000042", federation.LeakOrg, "ORG-000042"},
		{"专利 ZL 2021 1012 3456.7", federation.LeakNumber, "ZL 2021 1012 3456.7"},
		{"申请号 202110123456.7", federation.LeakNumber, "202110123456.7"},
		{"加 QQ：８８００１２３４", federation.LeakQQ, "８８００１２３４"},
		{"微信号: 88001234", federation.LeakWeChat, "88001234"},
	}
	for _, tt := range tests {
		t.Run(tt.summary, func(t *testing.T) {
			l := sampleListing()
			l.ID, l.OwnerID, l.Contact.WeChat, l.Contact.Phone = "list-000001", "org-000042", "wanghai_shou", "021-61900000"
			l.Summary = tt.summary
			a := &broker.Achievement{Meta: broker.Meta{ID: "ach-000001"}, Inventors: []broker.Inventor{{Name: "张伟"}}}
			l.Achievement = a.ID
			_, err := federation.ProfileOf(l, a, yangpu)
			leaks := leakFields(t, err)
			want := broker.FieldError{Field: "summary", Code: "leak", Param: tt.kind, Value: tt.value}
			found := false
			for _, f := range leaks {
				found = found || f == want
			}
			if !found {
				t.Errorf("got %v, want %+v", leaks, want)
			}
		})
	}
	// Without the record, a node still finds the labelled and patterned data.
	p := federation.Profile{ID: "list-000001", Region: yangpu, Kind: federation.TechnologyOffer, Title: "水质监测", Summary: "微信 wanghai_shou 咨询",
		Mode: broker.ModeTransfer, Method: exchange.MethodFixed}
	if leaks := leakFields(t, federation.CheckProfile(p, federation.Private{})); !hasLeak(leaks, "summary", federation.LeakWeChat) {
		t.Errorf("a labelled WeChat ID without the record: got %v", leaks)
	}
}

// The rule does not refuse ordinary technical text: numbers, units,
// versions, standards, years and prices are not contact data.
func TestProfileOfPassesOrdinaryText(t *testing.T) {
	l := sampleListing()
	l.ID, l.OwnerID, l.Contact.WeChat = "list-000001", "org-000042", "wanghai_shou"
	l.Benefits = []string{"缺氧预警提前2小时", "单点成本降低70%", "2021年获上海市科技进步二等奖", "符合 GB/T 37264-2018", "通过 ISO 9001 认证",
		"固件版本 V2.1.3", "支持 Wi-Fi 6 与 NB-IoT", "单价 1380 元", "年产 120000 套", "精度 ±0.1 mg/L", "18个月无故障运行", "海洋大数据平台对接"}
	l.Applications = []string{"深远海网箱养殖", "近海牧场", "海上风电场", "wx 系列浮标"}
	p, err := federation.ProfileOf(l, nil, yangpu)
	if err != nil {
		t.Fatalf("ordinary text refused: %v", err)
	}
	if p.Title != l.Title || len(p.Benefits) != len(l.Benefits) || !p.Price.Equal(l.Terms.Price) {
		t.Errorf("profile: %+v", p)
	}
	// A listing naming an achievement is not profiled without it.
	l.Achievement = "ach-000001"
	if _, err := federation.ProfileOf(l, nil, yangpu); !errors.Is(err, broker.ErrInvalid) {
		t.Errorf("profile without the listed achievement: got %v, want ErrInvalid", err)
	}
}

// FuzzProfileNeverLeaks: a profile built from a record whose contact data
// (any item: phone, e-mail, WeChat, QQ, a person's name, an organization,
// a patent or registration number) is planted, in any spelling and amid
// any text, in any shared field, never passes, and every leak error names
// the field, the kind of data and the value found.
func FuzzProfileNeverLeaks(f *testing.F) {
	f.Add(uint64(1), uint8(2), uint8(1), uint8(0), "微信 ", " 咨询") // the case
	f.Add(uint64(2), uint8(0), uint8(3), uint8(2), "咨询 ", "")
	f.Add(uint64(3), uint8(7), uint8(9), uint8(1), "", "。")
	f.Add(uint64(4), uint8(12), uint8(13), uint8(6), "\xe4", "\u0301x")
	f.Fuzz(func(t *testing.T, seed uint64, what, where, form uint8, before, after string) {
		checkPlanted(t, seed, what, where, form, before, after)
	})
}

// The fuzz property over a fixed set of seeds, so that every go test run
// covers each kind of data, field and spelling.
func TestProfileNeverLeaks(t *testing.T) {
	for seed := range uint64(600) {
		checkPlanted(t, seed, uint8(seed), uint8(seed/13), uint8(seed/7), []string{"", "网箱 ", "ab"}[seed%3], []string{"", " 咨询", "9"}[seed%3])
	}
}

// checkPlanted builds a random record, plants one item of its private data
// in a shared field, spelled one way, and checks that ProfileOf refuses it.
func checkPlanted(t *testing.T, seed uint64, what, where, form uint8, before, after string) {
	t.Helper()
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	l, a := randomRecord(r)
	kind, value := privateItem(l, a, what)
	planted := before + spell(value, form, r) + after
	field := plant(&l, where, planted)
	_, err := federation.ProfileOf(l, a, yangpu)
	var ve *broker.ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("seed %d: %s %q planted in %s as %q passed (err %v)", seed, kind, value, field, planted, err)
	}
	found := false
	for _, fe := range ve.Fields {
		if fe.Code != "leak" {
			continue
		}
		if fe.Field == "" || fe.Param == "" || fe.Value == "" {
			t.Errorf("seed %d: a leak error without its field, kind or value: %+v", seed, fe)
		}
		found = found || fe.Field == field && fe.Param == kind
	}
	if !found {
		t.Fatalf("seed %d: %s %q planted in %s as %q: got %v, want a leak of a %s there", seed, kind, value, field, planted, err, kind)
	}
}

func randomRecord(r *rand.Rand) (exchange.Listing, *broker.Achievement) {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte('0' + r.IntN(10))
		}
		return string(b)
	}
	letters := func(alphabet string, min, max int) string {
		n := min + r.IntN(max-min+1)
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	cjk := func(alphabet string, n int) string {
		rs := []rune(alphabet)
		out := make([]rune, n)
		for i := range out {
			out[i] = rs[r.IntN(len(rs))]
		}
		return string(out)
	}
	person := func() string {
		return cjk("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗", 1) + cjk("海伟娜强磊敏静丽军洋勇艳杰涛明超秀霞平刚", 1+r.IntN(2))
	}
	org := func() string {
		return cjk("华东江南东海浙闽沪宁苏申滨湖", 2) + cjk("科技海洋智能生物材料", 2) + pick("大学", "研究所", "有限公司", "研究院")
	}
	l := sampleListing()
	l.ID = "list-" + digits(6)
	l.Contact = broker.Contact{
		Phone:  pick("1"+pick("3", "5", "8", "9")+digits(9), "021-"+digits(8), "0571-8"+digits(7), "+86 139 "+digits(4)+" "+digits(4)),
		Email:  letters("abcdefghijklmnopqrstuvwxyz", 3, 8) + pick("", ".", "_") + letters("abcdefghijklmnopqrstuvwxyz0123456789", 1, 4) + "@" + letters("abcdefghijklmnopqrstuvwxyz", 3, 8) + pick(".cn", ".com", ".edu.cn"),
		WeChat: letters("abcdefghijklmnopqrstuvwxyz", 1, 1) + letters("abcdefghijklmnopqrstuvwxyz0123456789_-", 5, 15),
	}
	l.ContactPerson = person()
	l.Owner, l.OwnerID = org(), "org-"+digits(6)
	l.Origin = exchange.Origin{Unit: org(), Registration: digits(4) + "Y" + digits(7)}
	l.Terms.Counterparty = org()
	l.IPRights = []broker.IPRight{{Type: broker.InventionPatent, Number: "ZL" + digits(12) + "." + digits(1), Status: broker.IPGranted, Territory: "CN", Owners: []string{org()}}}
	a := &broker.Achievement{Meta: broker.Meta{ID: "ach-" + digits(6)}, Owner: org(), Inventors: []broker.Inventor{{Name: person()}, {Name: person()}},
		IPRights: []broker.IPRight{{Type: broker.SoftwareCopyright, Number: digits(4) + "SR" + digits(7)}}}
	l.Achievement = a.ID
	return l, a
}

// privateItem picks one item of the record's private data, with its kind.
// A QQ number is not a field of the record: it is planted with its label.
func privateItem(l exchange.Listing, a *broker.Achievement, what uint8) (kind, value string) {
	items := []struct{ kind, value string }{
		{federation.LeakPhone, l.Contact.Phone},
		{federation.LeakEmail, l.Contact.Email},
		{federation.LeakWeChat, l.Contact.WeChat},
		{federation.LeakQQ, "QQ " + strings.TrimLeft(l.OwnerID[4:], "0") + "17"},
		{federation.LeakName, l.ContactPerson},
		{federation.LeakName, a.Inventors[1].Name},
		{federation.LeakOrg, l.Owner},
		{federation.LeakOrg, l.OwnerID},
		{federation.LeakOrg, l.Origin.Unit},
		{federation.LeakOrg, l.Terms.Counterparty},
		{federation.LeakOrg, l.IPRights[0].Owners[0]},
		{federation.LeakOrg, a.Owner},
		{federation.LeakNumber, l.IPRights[0].Number},
		{federation.LeakNumber, a.IPRights[0].Number},
		{federation.LeakNumber, l.Origin.Registration},
	}
	it := items[int(what)%len(items)]
	if it.kind == federation.LeakQQ && len(it.value) < len("QQ 12345") {
		it.value = "QQ 10001" + it.value[3:]
	}
	return it.kind, it.value
}

// spell writes s one of the ways a person hides it: as it is, in full
// width, spaced out, in upper case, with invisible or punctuation
// separators, with digits of another script, or a mix.
func spell(s string, form uint8, r *rand.Rand) string {
	fullWidth := func(c rune) rune {
		switch {
		case c == ' ':
			return '\u3000'
		case c > ' ' && c < 0x7f:
			return c + 0xFEE0
		}
		return c
	}
	join := func(sep func() string) string {
		rs := []rune(s)
		var b strings.Builder
		for i, c := range rs {
			if i > 0 {
				b.WriteString(sep())
			}
			b.WriteRune(c)
		}
		return b.String()
	}
	switch form % 8 {
	case 1:
		return strings.Map(fullWidth, s)
	case 2:
		return join(func() string { return " " })
	case 3:
		return strings.ToUpper(s)
	case 4:
		return join(func() string { return "\u200b" })
	case 5:
		return join(func() string { return "-" })
	case 6:
		return strings.Map(func(c rune) rune {
			if c >= '0' && c <= '9' {
				return c - '0' + '٠' // Arabic-Indic digits
			}
			return c
		}, s)
	case 7:
		rs := []rune(s)
		var b strings.Builder
		for i, c := range rs {
			if i > 0 {
				b.WriteString([]string{"", " ", "\u3000", "\u200b", "·"}[r.IntN(5)])
			}
			if r.IntN(2) == 0 {
				c = fullWidth(c)
			}
			b.WriteRune(c)
		}
		return b.String()
	}
	return s
}

// plant puts text into one shared field of the listing and returns the
// field's path in the profile.
func plant(l *exchange.Listing, where uint8, text string) string {
	switch where % 16 {
	case 0:
		l.Title = text
		return "title"
	case 1:
		l.Summary = text
		return "summary"
	case 2:
		l.Benefits = append(l.Benefits, text)
		return "benefits[" + strconv.Itoa(len(l.Benefits)-1) + "]"
	case 3:
		l.Applications = append([]string{text}, l.Applications...)
		return "applications[0]"
	case 4:
		l.Indicators[0].Name = text
		return "indicators[0].name"
	case 5:
		l.Indicators[0].Value = text
		return "indicators[0].value"
	case 6:
		l.Indicators[0].Unit = text
		return "indicators[0].unit"
	case 7:
		l.Comparison.Alternative = text
		return "comparison.alternative"
	case 8:
		l.Comparison.Metric = text
		return "comparison.metric"
	case 9:
		l.Comparison.Ours = text
		return "comparison.ours"
	case 10:
		l.Comparison.Theirs = text
		return "comparison.theirs"
	case 11:
		l.IndustryCodes = append(l.IndustryCodes, text)
		return "industry_codes[" + strconv.Itoa(len(l.IndustryCodes)-1) + "]"
	case 12:
		l.IPRights[0].Territory = text
		return "ip[0].territory"
	case 13:
		l.Readiness.Scale = broker.ReadinessScale(text)
		return "readiness.scale"
	case 14:
		l.Terms.Mode = broker.TransferMode(text)
		return "mode"
	}
	l.Terms.Method = exchange.TradingMethod(text)
	return "method"
}

// The other texts that cross before acceptance follow the same rule: a
// decline's reason (the listing's private data, in any spelling) and a
// received interest's note and organization.
func TestReasonAndNoteFollowTheRule(t *testing.T) {
	y, tz, tr, _ := newPair(t)
	l := mustListing(t, y.x, sampleListing())
	if _, err := y.fed.Share(ctx, staff, l.ID, taizhou); err != nil {
		t.Fatal(err)
	}
	if _, err := tz.fed.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	profs, _ := tz.fed.Profiles(ctx, staff)
	if _, err := tz.fed.ExpressInterest(ctx, enterprise(bidderA), profs[0].ID, federation.NewInterest{Org: bidderA}); err != nil {
		t.Fatal(err)
	}
	if _, err := y.fed.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	recv, _ := y.fed.Interests(ctx, staff)
	sent := len(tr.Sent())
	_, err := y.fed.Respond(ctx, owner, recv[0].ID, federation.Answer{Reason: "已另行洽谈，请致电 021 6190 0000"})
	if leaks := leakFields(t, err); !hasLeak(leaks, "reason", federation.LeakPhone) {
		t.Errorf("a decline reason with the owner's phone: got %v", err)
	}
	if got, _ := y.fed.Interests(ctx, staff); got[0].Status != federation.InterestReceived || len(tr.Sent()) != sent {
		t.Errorf("after the refused decline: %s, %d messages sent", got[0].Status, len(tr.Sent())-sent)
	}
	b, _ := json.Marshal(federation.Message{ID: "m9", Type: federation.MsgInterest, From: taizhou, To: yangpu,
		Interest: &federation.InterestMsg{ID: "i9", Profile: l.ID, Org: bidderA, Note: "请邮件 buyer ＠ example．com"}})
	_ = tr.Send(ctx, yangpu, b)
	rep, err := y.fed.Sync(ctx)
	if err != nil || len(rep.Rejected) != 1 || !errors.Is(rep.Rejected[0], broker.ErrInvalid) || !strings.Contains(rep.Rejected[0].Error(), "e-mail address") {
		t.Errorf("a received note with an e-mail address: %+v %v", rep, err)
	}
	_ = tr.Send(ctx, yangpu, []byte(`{"id":"big","note":"`+strings.Repeat("x", 1<<20)+`"}`))
	if rep, err := y.fed.Sync(ctx); err != nil || len(rep.Rejected) != 1 || !strings.Contains(rep.Rejected[0].Error(), "more than") {
		t.Errorf("an oversized message: %+v %v", rep, err)
	}
}
