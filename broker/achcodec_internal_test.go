package broker

import (
	"bytes"
	"encoding"
	"encoding/json"
	"math/big"
	"reflect"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"pgregory.net/rapid"
)

// genAchTime adds to genTime (casecodec_internal_test.go) the times
// encoding/json refuses (years outside 0–9999, offsets of 24 h or more) and
// odd offsets, with nanoseconds.
func genString() *rapid.Generator[string] {
	return rapid.OneOf(
		rapid.Just(""),
		rapid.String(),
		rapid.SampledFrom([]string{"深远海养殖", "a<b>&c", "\u2028\u2029", "\"\\\b\f\n\r\t\x00\x1f", "é", "ＰＭ２．５"}),
		rapid.Map(rapid.SliceOf(rapid.Byte()), func(b []byte) string { return string(b) }), // invalid UTF-8 too
	)
}

func genTime() *rapid.Generator[time.Time] {
	return rapid.OneOf(
		rapid.Just(time.Time{}),
		rapid.Map(rapid.Int64Range(-62135596800000000, 253402300799000000), func(us int64) time.Time { return time.UnixMicro(us).UTC() }),
		rapid.Map(rapid.Int64Range(0, 4e18), func(ns int64) time.Time { return time.Unix(0, ns).In(time.FixedZone("CST", 8*3600)) }),
	)
}

func genStrings() *rapid.Generator[[]string] {
	return rapid.OneOf(rapid.Just([]string(nil)), rapid.Just([]string{}), rapid.SliceOfN(genString(), 1, 4))
}

func genAchTime() *rapid.Generator[time.Time] {
	return rapid.OneOf(
		genTime(),
		rapid.Custom(func(t *rapid.T) time.Time {
			zone := time.FixedZone("", rapid.IntRange(-30*3600, 30*3600).Draw(t, "offset"))
			return time.Date(rapid.IntRange(-20, 10020).Draw(t, "year"), time.Month(rapid.IntRange(1, 12).Draw(t, "month")),
				rapid.IntRange(1, 28).Draw(t, "day"), rapid.IntRange(0, 23).Draw(t, "hour"), rapid.IntRange(0, 59).Draw(t, "min"),
				rapid.IntRange(0, 59).Draw(t, "sec"), rapid.IntRange(0, 999_999_999).Draw(t, "ns"), zone)
		}),
	)
}

// genDecimal: the zero value, small and huge coefficients, large positive
// and negative exponents, negative zero-ish strings.
func genDecimal() *rapid.Generator[decimal.Decimal] {
	return rapid.OneOf(
		rapid.Just(decimal.Decimal{}),
		rapid.Map(rapid.Int64Range(-1_000_000_00, 1_000_000_00), func(c int64) decimal.Decimal { return decimal.New(c, -2) }),
		rapid.Custom(func(t *rapid.T) decimal.Decimal {
			return decimal.New(rapid.Int64().Draw(t, "coef"), int32(rapid.IntRange(-40, 40).Draw(t, "exp")))
		}),
		rapid.Custom(func(t *rapid.T) decimal.Decimal {
			c := new(big.Int).SetBytes(rapid.SliceOfN(rapid.Byte(), 1, 40).Draw(t, "big"))
			if rapid.Bool().Draw(t, "neg") {
				c.Neg(c)
			}
			return decimal.NewFromBigInt(c, int32(rapid.IntRange(-80, 80).Draw(t, "bexp")))
		}),
		rapid.Custom(func(t *rapid.T) decimal.Decimal { // trailing zeros in the coefficient
			c := rapid.Int64Range(-999_999, 999_999).Draw(t, "c")
			for range rapid.IntRange(0, 12).Draw(t, "zeros") {
				c *= 10
			}
			return decimal.New(c, int32(rapid.IntRange(-25, 25).Draw(t, "zexp")))
		}),
		rapid.Map(rapid.SampledFrom([]string{"0", "-0", "0.00", "1e-20", "-1.50", "100", "1E+30", "415000000.01",
			"123456789012345678901234567890.123456789"}), decimal.RequireFromString),
	)
}

func genDecimals() *rapid.Generator[[]decimal.Decimal] {
	return rapid.OneOf(rapid.Just([]decimal.Decimal(nil)), rapid.Just([]decimal.Decimal{}), rapid.SliceOfN(genDecimal(), 1, 4))
}

func genAchievement(t *rapid.T) Achievement {
	a := Achievement{
		Meta: Meta{ID: genString().Draw(t, "id"), Version: rapid.Int64().Draw(t, "version"), Created: genAchTime().Draw(t, "created"),
			Updated: genAchTime().Draw(t, "updated"), Broker: genString().Draw(t, "broker"), Visibility: Visibility(genString().Draw(t, "vis")),
			Region: genString().Draw(t, "region"),
			Provenance: Provenance{AddedBy: genString().Draw(t, "added"), Society: genString().Draw(t, "soc"), Batch: genString().Draw(t, "batch"),
				Broker: genString().Draw(t, "pb"), Source: genString().Draw(t, "src")}},
		Title: genString().Draw(t, "title"), Summary: genString().Draw(t, "summary"), Abstract: genString().Draw(t, "abstract"),
		Keywords: genStrings().Draw(t, "keywords"), Disciplines: genStrings().Draw(t, "disciplines"), IndustryCodes: genStrings().Draw(t, "industry"),
		Owner: genString().Draw(t, "owner"), OwnerID: genString().Draw(t, "owner_id"),
		Readiness: Readiness{Scale: ReadinessScale(genString().Draw(t, "scale")),
			Level:    rapid.OneOf(rapid.Just(0), rapid.IntRange(-10, 10), rapid.Int()).Draw(t, "level"),
			Evidence: genStrings().Draw(t, "evidence"), Assessor: genString().Draw(t, "assessor"), Date: genAchTime().Draw(t, "rdate")},
		AskingPrice: genDecimal().Draw(t, "price"), Pricing: PricingType(genString().Draw(t, "pricing")),
	}
	switch rapid.IntRange(0, 2).Draw(t, "inventors") {
	case 1:
		a.Inventors = []Inventor{}
	case 2:
		for range rapid.IntRange(1, 3).Draw(t, "ninv") {
			a.Inventors = append(a.Inventors, Inventor{Name: genString().Draw(t, "name"), ExpertID: genString().Draw(t, "expert"), Share: genDecimal().Draw(t, "share")})
		}
	}
	switch rapid.IntRange(0, 2).Draw(t, "ip") {
	case 1:
		a.IPRights = []IPRight{}
	case 2:
		for range rapid.IntRange(1, 3).Draw(t, "nip") {
			a.IPRights = append(a.IPRights, IPRight{Type: IPType(genString().Draw(t, "type")), Number: genString().Draw(t, "number"),
				Status: IPStatus(genString().Draw(t, "status")), Territory: genString().Draw(t, "territory"), Owners: genStrings().Draw(t, "owners"),
				Shares: genDecimals().Draw(t, "shares"), Expires: genAchTime().Draw(t, "expires")})
		}
	}
	for _, m := range genStrings().Draw(t, "modes") {
		a.TransferModes = append(a.TransferModes, TransferMode(m))
	}
	if rapid.Bool().Draw(t, "emptymodes") && a.TransferModes == nil {
		a.TransferModes = []TransferMode{}
	}
	return a
}

// checkAchievementCodec fails t unless appendAchievement and
// encodeJSON produce exactly json.Marshal's bytes for a, or all fail.
func checkAchievementCodec(t interface {
	Helper()
	Fatalf(string, ...any)
}, a *Achievement) {
	t.Helper()
	want, werr := json.Marshal(a)
	prefix := []byte("prefix:")
	got, gerr := appendAchievement(prefix[:len(prefix):len(prefix)], a)
	if (werr == nil) != (gerr == nil) {
		t.Fatalf("errors differ: got %v, want %v (json.Marshal)", gerr, werr)
	}
	if werr != nil {
		return
	}
	if !bytes.HasPrefix(got, prefix) || !bytes.Equal(got[len(prefix):], want) {
		t.Fatalf("appendAchievement differs from json.Marshal:\n got %q\nwant %q", got, want)
	}
	got, gerr = a.encodeJSON()
	if gerr != nil || !bytes.Equal(got, want) {
		t.Fatalf("encodeJSON: got %q, %v; want %q", got, gerr, want)
	}
}

// TestAchievementCodecMatchesJSON: on random achievements the hand-written
// encoder produces exactly what encoding/json produces, and fails exactly
// when it fails.
func TestAchievementCodecMatchesJSON(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a := genAchievement(t)
		checkAchievementCodec(t, &a)
	})
}

func achFixtures() []Achievement {
	at := time.Date(2025, 3, 14, 9, 26, 53, 589_793_000, time.UTC)
	return []Achievement{
		{},
		{
			Meta: Meta{ID: "ach-0001", Version: 3, Created: at, Updated: at.Add(time.Hour), Broker: "marine-tech", Visibility: Public, Region: "上海市杨浦区",
				Provenance: Provenance{AddedBy: "bench", Batch: "imp-1", Source: "achievements.csv"}},
			Title: "一种深远海养殖网箱水质在线监测装置（编号17）", Summary: "深远海养殖的网箱", Abstract: "本成果提出了一种深远海养殖网箱，经实验验证性能稳定，可在相关企业推广应用。",
			Keywords: []string{"深远海养殖", "网箱", "技术转移"}, Owner: "上海海洋大学",
			Inventors: []Inventor{{Name: "张伟", Share: decimal.NewFromInt(50)}, {Name: "李娜", Share: decimal.NewFromInt(30)}},
			Readiness: Readiness{Scale: NASATRL, Level: 6}, TransferModes: []TransferMode{ModeTransfer, ModeLicense},
			AskingPrice: decimal.New(41500000001, -2), Pricing: FixedPrice,
		},
		{
			Meta: Meta{ID: "a<b>&c", Created: at.In(time.FixedZone("CST", 8*3600)), Visibility: Confidential,
				Provenance: Provenance{Society: "\u2028学会\u2029", Broker: "\xff\xfe", Source: "\"\\\b\f\n\r\t\x00\x1f"}},
			Title: "<script>alert('x')</script>", Disciplines: []string{"520"}, IndustryCodes: []string{}, OwnerID: "org-1",
			Inventors: []Inventor{},
			IPRights: []IPRight{{Type: InventionPatent, Number: "ZL202110123456.7", Status: IPGranted, Territory: "CN",
				Owners: []string{"甲", "乙"}, Shares: []decimal.Decimal{decimal.New(6, 1), decimal.New(-1, -30)}, Expires: at.AddDate(20, 0, 0)},
				{Type: TechnicalSecret, Shares: []decimal.Decimal{}}},
			Readiness:     Readiness{Scale: GBT37264, Level: -1, Evidence: []string{"中试报告"}, Assessor: "exp-9", Date: at},
			TransferModes: []TransferMode{}, AskingPrice: decimal.New(1, 40), Pricing: Negotiable,
		},
	}
}

// TestAchievementCodecCases: fixtures, and times encoding/json refuses.
func TestAchievementCodecCases(t *testing.T) {
	for i, a := range achFixtures() {
		checkAchievementCodec(t, &a)
		t.Logf("fixture %d: %d bytes, size hint %d", i, len(mustJSON(t, a)), achievementSizeHint(&a))
	}
	bad := []func(*Achievement){
		func(a *Achievement) { a.Created = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
		func(a *Achievement) { a.Updated = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) },
		func(a *Achievement) {
			a.Readiness.Date = time.Date(2020, 1, 1, 0, 0, 0, 0, time.FixedZone("", 24*3600))
		},
		func(a *Achievement) { a.IPRights[0].Expires = time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC) },
	}
	for i, f := range bad {
		a := achFixtures()[2]
		f(&a)
		if _, err := json.Marshal(a); err == nil {
			t.Fatalf("bad %d: json.Marshal accepted it; the case tests nothing", i)
		}
		if got, err := appendAchievement(nil, &a); err == nil {
			t.Errorf("bad %d: got %q, want an error as from json.Marshal", i, got)
		}
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzAchievementCodec starts from the fixtures and puts the fuzzed text,
// decimal and time into their fields.
func FuzzAchievementCodec(f *testing.F) {
	n := len(achFixtures())
	for i := range n {
		f.Add(uint8(i), "深远海养殖<网箱>&", "\xff\u2028x", "12.50", int64(1_700_000_000), int32(8*3600), uint16(0xffff))
	}
	f.Add(uint8(1), "", "", "-1e-30", int64(-62_135_596_800), int32(0), uint16(0))
	f.Add(uint8(2), "\"\\\x00", "ＰＭ２．５", "1E+30", int64(253_402_300_800), int32(-86_400), uint16(0x5555))
	f.Fuzz(func(t *testing.T, which uint8, s1, s2, num string, sec int64, offset int32, mask uint16) {
		a := achFixtures()[int(which)%n]
		d, err := decimal.NewFromString(num)
		if err != nil || len(num) > 64 {
			d = decimal.Zero
		}
		tm := time.Unix(sec, int64(offset)&0x3fffffff).In(time.FixedZone("", int(offset)))
		bit := func(i int) bool { return mask&(1<<i) != 0 }
		pick := func(i int) string {
			if bit(i) {
				return s1
			}
			return s2
		}
		a.Title, a.Summary, a.Abstract, a.Owner = pick(0), pick(1), s1+s2, pick(2)
		a.Provenance.Source, a.Readiness.Assessor = pick(3), pick(4)
		a.Pricing = PricingType(pick(5))
		if bit(6) {
			a.Keywords = append(a.Keywords, s1, s2)
		}
		if bit(7) {
			a.Inventors = append(a.Inventors, Inventor{Name: s2, ExpertID: s1, Share: d})
		}
		if bit(8) {
			a.IPRights = append(a.IPRights, IPRight{Type: IPType(s1), Owners: []string{s2}, Shares: []decimal.Decimal{d, d.Neg()}, Expires: tm})
		}
		if bit(9) {
			a.Created = tm
		}
		if bit(10) {
			a.Readiness.Date = tm
		}
		if bit(11) {
			a.TransferModes = append(a.TransferModes, TransferMode(s1))
		}
		a.AskingPrice = d
		a.Readiness.Level = int(offset)
		checkAchievementCodec(t, &a)
	})
}

// TestAchievementCodecKnowsEveryField walks Achievement and the struct
// types inside it: each must have the number of fields achCodecFields says
// appendAchievement writes, this package's types must not marshal
// themselves (the encoder writes them field by field), and types from other
// packages must be ones the encoder handles. A new field would otherwise be
// missing from stored records without any test noticing, when it is
// omitempty and the property test leaves it zero.
func TestAchievementCodecKnowsEveryField(t *testing.T) {
	known := achCodecFields()
	pkg := reflect.TypeFor[Achievement]().PkgPath()
	foreign := map[reflect.Type]bool{reflect.TypeFor[time.Time](): true, reflect.TypeFor[decimal.Decimal](): true}
	seen := map[reflect.Type]bool{}
	var walk func(path string, typ reflect.Type)
	walk = func(path string, typ reflect.Type) {
		for typ.Kind() == reflect.Slice || typ.Kind() == reflect.Array || typ.Kind() == reflect.Pointer || typ.Kind() == reflect.Map {
			if typ.Kind() != reflect.Slice {
				t.Errorf("%s: %s is a %s; appendAchievement writes no %ss: update achcodec.go (and achCodecFields)", path, typ, typ.Kind(), typ.Kind())
			}
			typ = typ.Elem()
		}
		if seen[typ] {
			return
		}
		seen[typ] = true
		if typ.PkgPath() != "" && typ.PkgPath() != pkg {
			if !foreign[typ] {
				t.Errorf("%s: type %s from another package: appendAchievement does not encode it; update achcodec.go", path, typ)
			}
			return
		}
		if typ.PkgPath() == pkg {
			for _, m := range []reflect.Type{reflect.TypeFor[json.Marshaler](), reflect.TypeFor[encoding.TextMarshaler]()} {
				if typ.Implements(m) || reflect.PointerTo(typ).Implements(m) {
					t.Errorf("%s: %s implements %s; appendAchievement ignores that: update achcodec.go", path, typ, m)
				}
			}
		}
		switch typ.Kind() {
		case reflect.String, reflect.Int, reflect.Int64, reflect.Bool:
			return
		case reflect.Struct:
		default:
			t.Errorf("%s: kind %s of %s: appendAchievement does not write it; update achcodec.go", path, typ.Kind(), typ)
			return
		}
		want, ok := known[typ.Name()]
		if !ok {
			t.Errorf("%s: struct type %s is not written by appendAchievement; add it to achcodec.go and achCodecFields", path, typ)
			return
		}
		if got := typ.NumField(); got != want {
			t.Errorf("%s has %d fields, achcodec.go knows %d: write the new fields in appendAchievement (achcodec.go) and update achCodecFields", typ, got, want)
		}
		for i := range typ.NumField() {
			f := typ.Field(i)
			walk(path+"."+f.Name, f.Type)
		}
	}
	walk("Achievement", reflect.TypeFor[Achievement]())
	for name := range known {
		found := false
		for typ := range seen {
			if typ.PkgPath() == pkg && typ.Name() == name {
				found = true
			}
		}
		if !found {
			t.Errorf("achCodecFields lists %s, which Achievement no longer contains; remove it from achcodec.go", name)
		}
	}
}

// BenchmarkAchievementEncode compares json.Marshal with the hand-written
// encoder on an achievement like those the import benchmark stores.
func BenchmarkAchievementEncode(b *testing.B) {
	a := achFixtures()[1]
	b.Run("json", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(a); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := a.encodeJSON(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("append-reused", func(b *testing.B) {
		b.ReportAllocs()
		var buf []byte
		for b.Loop() {
			var err error
			if buf, err = appendAchievement(buf[:0], &a); err != nil {
				b.Fatal(err)
			}
		}
	})
}
