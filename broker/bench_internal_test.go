package broker

import (
	"encoding/json"
	"testing"

	"github.com/shopspring/decimal"
)

func sampleA() Achievement {
	return Achievement{Title: "一种深远海养殖网箱水质在线监测系统（编号1）", Summary: "深远海养殖网箱水质在线监测的系统", Abstract: "本成果提出了一种深远海养殖网箱水质在线监测系统，经实验验证性能稳定，可在相关企业推广应用。",
		Keywords: []string{"深远海", "系统", "技术转移"}, Owner: "上海海洋大学", Meta: Meta{Broker: "marine-tech"},
		Inventors: []Inventor{{Name: "张伟", Share: decimal.NewFromInt(50)}, {Name: "李娜", Share: decimal.NewFromInt(30)}},
		Readiness: Readiness{Scale: "nasa-trl", Level: 5}, TransferModes: []TransferMode{"transfer", "license"}, AskingPrice: decimal.NewFromInt(1234500)}
}
func BenchmarkNormalize(b *testing.B) {
	a := sampleA()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_ = a.Normalized()
	}
}
func BenchmarkValidate(b *testing.B) {
	a := sampleA().Normalized()
	s := New(nil, nil)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		c := &Check{}
		s.structErrors(c, &a)
	}
}
func BenchmarkMarshal(b *testing.B) {
	a := sampleA().Normalized()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		_, _ = json.Marshal(a)
	}
}
