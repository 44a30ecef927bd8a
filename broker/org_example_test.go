package broker_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/text/language"

	"github.com/kexie/techbroker/broker"
	"github.com/kexie/techbroker/broker/memstore"
)

func evExampleSystem() *broker.System {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	sys := broker.New(memstore.New(), &broker.Options{Clock: func() time.Time { return now }, NewID: broker.SequentialIDs()})
	if _, err := sys.Brokers.Create(context.Background(), broker.PlatformAdmin("admin"),
		broker.IndustryBroker{Meta: broker.Meta{ID: "marine-tech"}, Name: "海洋技术"}); err != nil {
		panic(err)
	}
	return sys
}

func ExampleSystem_MergeOrganizations() {
	ctx := context.Background()
	admin := broker.PlatformAdmin("admin")
	sys := evExampleSystem()
	orgs := sys.Organizations

	// A wrong check character is refused, naming the position.
	_, err := orgs.Create(ctx, admin, broker.Organization{Name: "某公司", Roles: []broker.OrgRole{broker.OrgEnterprise}, CreditCode: "91350100M000100Y42"})
	var ve *broker.ValidationError
	if errors.As(err, &ve) {
		fmt.Println(ve.Fields[0].Message(language.English))
		fmt.Println(ve.Fields[0].Message(language.Chinese))
	}

	keep, _ := orgs.Create(ctx, admin, broker.Organization{Name: "上海海洋大学", Roles: []broker.OrgRole{broker.OrgUniversity}})
	dup, _ := orgs.Create(ctx, admin, broker.Organization{Name: "上海水产大学", Roles: []broker.OrgRole{broker.OrgUniversity}})
	a, _ := sys.Achievements.Create(ctx, admin, broker.Achievement{Title: "深远海养殖网箱", Owner: dup.Name, OwnerID: dup.ID})

	rep, err := sys.MergeOrganizations(ctx, admin, keep.ID, dup.ID)
	if err != nil {
		panic(err)
	}
	a, _ = sys.Achievements.Get(ctx, admin, a.ID)
	fmt.Println(rep.Kept.Name, rep.Kept.Aliases, rep.Rewritten[broker.KindAchievement])
	fmt.Println(a.Owner, a.OwnerID)
	// Output:
	// credit_code: position 18: check character "2" does not match the first 17 characters (they call for 3)
	// 统一社会信用代码(credit_code)：第18位校验码"2"与前17位不符（应为3）
	// 上海海洋大学 [上海水产大学] 1
	// 上海海洋大学 org-000001
}
