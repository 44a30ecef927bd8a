package broker_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/memstore"
)

// Build the Yangpu system in memory, add an achievement and read it back.
func Example() {
	ctx := context.Background()
	admin := broker.PlatformAdmin("admin")
	sys, err := broker.Build(ctx, memstore.New(), broker.Yangpu(), admin, &broker.Options{NewID: broker.SequentialIDs()})
	if err != nil {
		panic(err)
	}
	defer sys.Close()

	a, err := sys.Achievements.Create(ctx, admin, broker.Achievement{
		Title:       "深远海养殖网箱水质在线监测系统",
		Owner:       "上海海洋大学",
		Keywords:    []string{"水质监测", "深远海养殖", "水质监测"},
		Readiness:   broker.Readiness{Scale: broker.NASATRL, Level: 6},
		AskingPrice: decimal.RequireFromString("1200000"),
		Meta:        broker.Meta{Broker: "marine-tech"},
	})
	if err != nil {
		panic(err)
	}
	got, _ := sys.Achievements.Get(ctx, admin, a.ID)
	fmt.Println(got.ID, got.Title, got.Keywords, got.AskingPrice.StringFixed(2), got.Version)

	_, err = sys.Achievements.Create(ctx, admin, broker.Achievement{AskingPrice: decimal.RequireFromString("-5")})
	var ve *broker.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(errors.Is(err, broker.ErrInvalid))
		fmt.Println(ve.Localize(language.Chinese))
	}
	// Output:
	// ach-000001 深远海养殖网箱水质在线监测系统 [水质监测 深远海养殖] 1200000.00 1
	// true
	// 无效的科技成果：标题(title)不能为空; 报价(asking_price)不能为负数（当前为-5）
}

// Import a CSV; by default a bad row makes the whole import write nothing.
func ExampleLibrary_Import() {
	ctx := context.Background()
	admin := broker.PlatformAdmin("admin")
	sys := broker.New(memstore.New(), nil)
	csv := "title,owner,asking_price,readiness_scale,readiness_level\n" +
		"新生儿黄疸无创经皮检测仪,新华医院,80万元,nasa-trl,7\n" +
		"儿童哮喘智能雾化系统,新华医院,abc,nasa-trl,11\n"
	rep, err := sys.Achievements.Import(ctx, admin, strings.NewReader(csv), broker.ImportOptions{})
	fmt.Println(errors.Is(err, broker.ErrInvalid), len(rep.Created))
	for _, f := range rep.Errors {
		fmt.Println(f.Message(language.English))
	}
	rep, _ = sys.Achievements.Import(ctx, admin, strings.NewReader(csv), broker.ImportOptions{Partial: true})
	fmt.Println(len(rep.Created), "created,", len(rep.Errors), "bad fields")
	// Output:
	// true 0
	// row 3: asking_price: "abc" is not a valid number
	// row 3: readiness.level: level 11 is outside the scale nasa-trl 1–9
	// 1 created, 2 bad fields
}
