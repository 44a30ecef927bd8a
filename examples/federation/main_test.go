package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) { testRun(t, false) }

// TestRunHTTP runs both regions as platforms on 127.0.0.1, federated over
// signed HTTP requests.
func TestRunHTTP(t *testing.T) { testRun(t, true) }

func testRun(t *testing.T, useHTTP bool) {
	var buf bytes.Buffer
	if err := run(context.Background(), &buf, useHTTP); err != nil {
		t.Fatalf("run: %v\n%s", err, buf.String())
	}
	out := buf.String()
	before, after, ok := strings.Cut(out, "-- after acceptance")
	if !ok {
		t.Fatalf("output has no after-acceptance section:\n%s", out)
	}
	_, before, ok = strings.Cut(before, "-- before acceptance")
	if !ok {
		t.Fatalf("output has no before-acceptance section:\n%s", out)
	}
	// The anonymous profiles, as Taizhou sees them, name neither owner nor contact.
	profiles := out[strings.Index(out, "== Taizhou receives"):strings.Index(out, "expresses interest")]
	for _, leak := range []string{"上海海洋大学", "王海", "021-61900000"} {
		if strings.Contains(profiles, leak) {
			t.Errorf("profiles seen in Taizhou contain %q:\n%s", leak, profiles)
		}
	}
	for _, tc := range []struct {
		name, section, want string
		present             bool
	}{
		{"refused without agreement", out, "share with 340700 安徽省铜陵市 (no agreement): refused", true},
		{"regions named", out, "Agreement ws-taizhou (workstation): 310110 上海市杨浦区 ⇄ 331000 浙江省台州市", true},
		{"a demand shared as a request", out, "technology_request] 寻求养殖尾水生态处理技术", true},
		{"the request answered", out, "marine desk answers it for 上海海洋大学", true},
		{"the request names no enterprise", out[strings.Index(out, "shares a technology request"):], "三门湾海洋牧场", false},
		{"two profiles arrive", out, "Taizhou receives 2 anonymous profiles", true},
		{"owner contact hidden before", before, "王海", false},
		{"buyer contact hidden from Yangpu before", before, "counterpart: 台州海盛", false},
		{"status received before", before, "— received", true},
		{"owner contact revealed after", after, "counterpart: 上海海洋大学 王海 021-61900000", true},
		{"buyer contact revealed after", after, "counterpart: 台州海盛水产食品有限公司 林海涛 0576-88123456", true},
		{"accepted after", after, "— accepted", true},
	} {
		if got := strings.Contains(tc.section, tc.want); got != tc.present {
			t.Errorf("%s: contains %q = %v, want %v", tc.name, tc.want, got, tc.present)
		}
	}
	if useHTTP != strings.Contains(out, "Two platforms on loopback") {
		t.Errorf("-http=%v, output:\n%s", useHTTP, out)
	}
	if strings.Contains(out, "refused:") {
		t.Errorf("a sync refused a message:\n%s", out)
	}
}
