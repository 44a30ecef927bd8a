package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"golang.org/x/text/language"
)

func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), &out, "achievements.csv", language.English); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"Built the Yangpu system: 7 industry brokers",
		"Imported 12 of 13 rows; 5 bad fields:",
		"row 14: readiness.level: level 12 is outside the scale nasa-trl 1–9",
		"海洋技术 (Marine technology, 上海海洋大学): 2",
		"儿科医学 (Paediatric medicine, 上海交通大学医学院附属新华医院): 2",
		"深远海养殖网箱水质在线监测与智能投喂系统  TRL 6  420万元",
		"asking_price must not be negative",
		"报价(asking_price)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
