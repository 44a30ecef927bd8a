package federation

import (
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/exchange"
)

// The leak rule: no text that crosses to another region before the owner
// accepts — a profile, an interest's note, a decline's reason — reveals
// private data. This file is the rule's one home: CheckProfile, which
// every shared and every received profile passes, and the checks of notes
// and reasons all call checkLeaks.

// The kinds of private data a leak error names: a broker.FieldError with
// Code "leak" has one of them as its Param and the text found as its
// Value.
const (
	LeakEmail  = "e-mail address"
	LeakPhone  = "phone number"
	LeakWeChat = "WeChat ID"
	LeakQQ     = "QQ number"
	LeakNumber = "patent number" // a patent, application or registration number
	LeakName   = "name"          // a person's name
	LeakOrg    = "organization"  // an organization's name or ID
)

// Private is the private data of a record: what no text shared with
// another region before acceptance may reveal, in any spelling. An item is
// looked for when it is long enough to tell from ordinary words: seven
// digits for a phone number, two characters for one with Chinese (or other
// non-ASCII) letters, five otherwise.
type Private struct {
	Phones  []string
	Emails  []string
	WeChats []string
	QQs     []string // a listing has none; labelled QQ numbers are found anyway
	Names   []string // people: contact persons, inventors
	Orgs    []string // organizations: owners (names and IDs), completing units, right holders, the agreed buyer
	Numbers []string // patent, application and registration numbers
}

// PrivateOf is the private data of listing l and of the achievement a it
// lists (nil if it lists none): every contact field (phone, e-mail,
// WeChat), the contact person and the inventors, the owners, completing
// unit, right holders and agreed buyer, and the IP and registration
// numbers.
func PrivateOf(l exchange.Listing, a *broker.Achievement) Private {
	p := Private{
		Phones: nonEmpty(l.Contact.Phone), Emails: nonEmpty(l.Contact.Email), WeChats: nonEmpty(l.Contact.WeChat),
		Names:   nonEmpty(l.ContactPerson),
		Orgs:    nonEmpty(l.Owner, l.OwnerID, l.Origin.Unit, l.Terms.Counterparty),
		Numbers: nonEmpty(l.Origin.Registration),
	}
	rights := l.IPRights
	if a != nil {
		for _, inv := range a.Inventors {
			p.Names = append(p.Names, nonEmpty(inv.Name)...)
		}
		p.Orgs = append(p.Orgs, nonEmpty(a.Owner, a.OwnerID)...)
		rights = append(rights[:len(rights):len(rights)], a.IPRights...)
	}
	for _, ip := range rights {
		p.Orgs = append(p.Orgs, nonEmpty(ip.Owners...)...)
		p.Numbers = append(p.Numbers, nonEmpty(ip.Number)...)
	}
	return p
}

// A text is one shared string and its JSON path. patterns is false for
// identifiers, which are checked against the record's private data only.
type text struct {
	field    string
	s        string
	patterns bool
}

// profileTexts lists every string of a profile — found by reflection, so
// that a field added to Profile is checked without a change here — except
// the origin's region code and desk, which name the sender.
func profileTexts(p Profile) []text {
	var out []text
	walkStrings(reflect.ValueOf(p), "", func(path, s string) {
		switch path {
		case "region", "broker":
		case "id":
			out = append(out, text{path, s, false})
		default:
			out = append(out, text{path, s, true})
		}
	})
	return out
}

func walkStrings(v reflect.Value, path string, fn func(path, s string)) {
	switch v.Kind() {
	case reflect.String:
		fn(path, v.String())
	case reflect.Pointer:
		if !v.IsNil() {
			walkStrings(v.Elem(), path, fn)
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			walkStrings(v.Index(i), path+"["+strconv.Itoa(i)+"]", fn)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = sf.Name
			}
			if path != "" {
				name = path + "." + name
			}
			walkStrings(v.Field(i), name, fn)
		}
	}
}

// A secret is one item of private data: its kind and its key (see fold).
type secret struct {
	kind string
	key  string
}

// secretsOf returns the keys of p's items that are long enough to tell
// (keyLongEnough), without repeats. A phone number also yields its forms
// without the country code and without the area code, so that the
// subscriber number alone is found too; a patent number its digits without
// the ZL or CN prefix.
func secretsOf(p Private) []secret {
	var out []secret
	seen := map[secret]bool{}
	add := func(kind, key string) {
		s := secret{kind, key}
		if keyLongEnough(kind, key) && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, x := range p.Phones {
		for _, k := range phoneKeys(fold(x, foldKey).s) {
			add(LeakPhone, k)
		}
	}
	for _, x := range p.Emails {
		add(LeakEmail, fold(x, foldKey).s)
	}
	for _, x := range p.WeChats {
		add(LeakWeChat, fold(x, foldKey).s)
	}
	for _, x := range p.QQs {
		add(LeakQQ, fold(x, foldKey).s)
	}
	for _, x := range p.Numbers {
		k := fold(x, foldKey).s
		add(LeakNumber, k)
		if strings.HasPrefix(k, "zl") || strings.HasPrefix(k, "cn") {
			add(LeakNumber, k[2:])
		}
	}
	for _, x := range p.Names {
		add(LeakName, fold(x, foldKey).s)
	}
	for _, x := range p.Orgs {
		add(LeakOrg, fold(x, foldKey).s)
	}
	return out
}

// keyLongEnough reports whether a key is long enough to be looked for in
// text without flagging ordinary words: two characters for a key with
// letters beyond ASCII (a Chinese name), seven digits for a phone number,
// five characters otherwise. Shorter items are not checked.
func keyLongEnough(kind, key string) bool {
	n := utf8.RuneCountInString(key)
	if kind == LeakPhone {
		return n >= 7
	}
	if n >= 5 {
		return true
	}
	for _, r := range key {
		if r >= utf8.RuneSelf {
			return n >= 2
		}
	}
	return false
}

// phoneKeys returns the forms of a phone number's key to look for: the
// digits as written, without a country code 86, and a landline's
// subscriber number without its area code (three digits for 010 and
// 020–029, else four).
func phoneKeys(key string) []string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, key)
	out := []string{digits}
	switch {
	case strings.HasPrefix(digits, "0086"):
		digits = digits[4:]
	case strings.HasPrefix(digits, "86") && len(digits) >= 12:
		digits = digits[2:]
	}
	if !strings.HasPrefix(digits, "0") && !strings.HasPrefix(digits, "1") && len(digits) >= 9 {
		digits = "0" + digits // an area code written without its trunk 0 after +86
	}
	out = append(out, digits)
	if strings.HasPrefix(digits, "0") && len(digits) >= 10 {
		area := 4
		if digits[1] == '1' || digits[1] == '2' {
			area = 3
		}
		out = append(out, digits[area:])
	}
	return out
}

// A folded text is a text rewritten for comparison, with, for each of its
// bytes, the span of the original text it came from, so that a match is
// reported as it was written.
type folded struct {
	s        string
	from, to []int
}

// span returns the original text of the folded bytes [i, j).
func (f folded) span(orig string, i, j int) string { return orig[f.from[i]:f.to[j-1]] }

// Fold modes.
type foldMode int

const (
	// foldKey keeps letters and digits only: "Ｗ a n g-Hai＿shou" and
	// "wanghai_shou" have one key, "wanghaishou".
	foldKey foldMode = iota
	// foldCompact keeps every visible character: e-mail addresses and
	// labelled WeChat IDs keep their punctuation.
	foldCompact
	// foldDigits also drops the separators written inside numbers, so that
	// "138-0013-8000" and "ZL 2021 1012 3456.7" read as one number.
	foldDigits
)

// fold rewrites s for comparison: each character is decomposed by
// compatibility (Unicode NFKD, so full-width and other compatibility forms
// become plain letters and digits), letters are lowered, digits of every
// script become ASCII digits, and white space, invisible characters
// (format characters such as U+200B) and combining marks are dropped, as
// the mode drops more. It works character by character, so the fold of a
// concatenation is the concatenation of the folds: a private item planted
// in a text is found whatever surrounds it.
func fold(s string, mode foldMode) folded {
	f := folded{from: make([]int, 0, len(s)), to: make([]int, 0, len(s))}
	var b strings.Builder
	b.Grow(len(s))
	var buf [4 * utf8.UTFMax]byte
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		dec := buf[:0]
		if r < utf8.RuneSelf {
			dec = append(dec, byte(r))
		} else {
			dec = norm.NFKD.AppendString(dec, s[i:i+n])
		}
		for _, d := range string(dec) {
			if d = keep(d, mode); d < 0 {
				continue
			}
			w := b.Len()
			b.WriteRune(d)
			for range b.Len() - w {
				f.from = append(f.from, i)
				f.to = append(f.to, i+n)
			}
		}
		i += n
	}
	f.s = b.String()
	return f
}

// keep returns the folded form of one decomposed character, or -1 to drop
// it.
func keep(r rune, mode foldMode) rune {
	switch {
	case unicode.IsDigit(r):
		return '0' + digitValue(r)
	case unicode.IsLetter(r):
		return unicode.ToLower(r)
	case mode == foldKey, unicode.IsSpace(r), unicode.In(r, unicode.Cc, unicode.Cf, unicode.Mn, unicode.Me):
		return -1
	case mode == foldDigits && strings.ContainsRune("-._/·・()—", r):
		return -1
	}
	return r
}

// digitValue is the value of a decimal digit of any script: Unicode
// encodes each script's digits 0–9 as a contiguous, ascending run.
func digitValue(r rune) rune {
	if r <= '9' {
		return r - '0'
	}
	z := r
	for z > 0 && unicode.IsDigit(z-1) && r-z < 100 {
		z--
	}
	return (r - z) % 10
}

// A pattern finds private data of one kind whoever's it is, in a folded
// text; its first group that matched is the data (without its label).
type pattern struct {
	kind string
	mode foldMode
	// may reports cheaply whether the folded text may hold a match, so
	// that long texts are not scanned for nothing.
	may func(s string) bool
	re  *regexp.Regexp
}

// patterns, in the order their findings are reported. Phone numbers are
// Chinese mobile (1[3-9], 11 digits) and landline (0 and 9–11 digits)
// numbers, with or without 86; WeChat IDs and QQ numbers are found by
// their label (微信, wechat, vx:, QQ, 扣扣…), as an ID without a label is
// any word.
var patterns = []pattern{
	{LeakEmail, foldCompact, func(s string) bool { return strings.Contains(s, "@") },
		regexp.MustCompile(`([a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,})`)},
	{LeakPhone, foldDigits, func(s string) bool { return digitRun(s, 10) },
		regexp.MustCompile(`(?:^|[^0-9])((?:\+?86|0086)?(?:1[3-9][0-9]{9}|0[1-9][0-9]{8,10}))(?:[^0-9]|$)`)},
	{LeakWeChat, foldCompact, func(s string) bool { return containsAny(s, "微信", "weixin", "wechat", "v信", "vx", "wx") },
		regexp.MustCompile(`(?:微信|weixin|wechat|v信)(?:号码|号)?:?([a-z][-_a-z0-9]{5,19}|[0-9]{5,11})|(?:vx|wx)(?:号码|号|:):?([a-z][-_a-z0-9]{5,19}|[0-9]{5,11})`)},
	{LeakQQ, foldDigits, func(s string) bool { return containsAny(s, "qq", "扣扣") },
		regexp.MustCompile(`(?:qq|扣扣)(?:号码|号|群)?:?([1-9][0-9]{4,10})`)},
	{LeakNumber, foldDigits, func(s string) bool { return containsAny(s, "zl", "cn", "sr") || digitRun(s, 13) },
		regexp.MustCompile(`((?:zl|cn)[0-9]{8,}x?|[0-9]{4}sr[0-9]{5,})|(?:^|[^0-9])([0-9]{12}[0-9x])(?:[^0-9x]|$)`)},
}

func containsAny(s string, subs ...string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// digitRun reports whether s holds n ASCII digits in a row.
func digitRun(s string, n int) bool {
	run := 0
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// checkLeaks adds to c a "leak" error for every kind of private data
// found in each text: an item of secrets (compared by key, so in any
// spelling), or, in texts with patterns, data a pattern finds. Each error
// names the field, the kind and the value as written in the text; a field
// gets one error per kind.
func checkLeaks(c *broker.Check, prefix string, texts []text, secrets []secret) {
	for _, t := range texts {
		if t.s == "" {
			continue
		}
		found := map[string]bool{}
		report := func(kind, value string) {
			if !found[kind] {
				found[kind] = true
				c.Add(prefix+t.field, "leak", kind, value)
			}
		}
		var folds [3]*folded
		folding := func(m foldMode) *folded {
			if folds[m] == nil {
				f := fold(t.s, m)
				folds[m] = &f
			}
			return folds[m]
		}
		if t.patterns {
			for _, p := range patterns {
				f := folding(p.mode)
				if !p.may(f.s) {
					continue
				}
				if m := p.re.FindStringSubmatchIndex(f.s); m != nil {
					for g := 2; g+1 < len(m); g += 2 {
						if m[g] >= 0 && m[g] < m[g+1] {
							report(p.kind, f.span(t.s, m[g], m[g+1]))
							break
						}
					}
				}
			}
		}
		for _, s := range secrets {
			f := folding(foldKey)
			if i := strings.Index(f.s, s.key); i >= 0 {
				report(s.kind, f.span(t.s, i, i+len(s.key)))
			}
		}
	}
}
