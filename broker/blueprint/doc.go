// Package blueprint is the whole replicable model (可复制推广的样板间模式)
// of a technology-broker platform as one declarative document, so that
// another city can copy it (复制推广): the rooms (样板间) by sector or by
// place with their standard service packages (标准服务产品包), the
// partners and their roles (上海技术交易所, 国家技术转移东部中心, 大学科技园,
// 园区科协, …), the societies with their evaluation qualification (评估资质)
// and service teams (科技服务团), the staff roles, the scorecard scheme
// (技术券商考核体系) and the policy rules.
//
//	m := blueprint.Yangpu()                      // the Yangpu model
//	sys, err := blueprint.Build(ctx, memstore.New(), m, admin, nil)
//	city, err := m.Replicate(file)               // another city's own blueprint, the rest copied
//	_, err = blueprint.Fulfil(ctx, coop, admin, intentID, city) // the 意向合作协议 it fulfils
//
// # Where to find what
//
//	蓝图 model                      Model, Parse, Validate, Yangpu, JSON, Clone (model.go)
//	样板间 room, by 产业 or 地点     Room (broker.Sector: a field, or Place and Streets)
//	标准服务产品包 service package   Package
//	合作方 partner                  Partner, the Partner… roles
//	学会 society, 评估资质, 科技服务团 Society, Qualification, broker.ServiceTeam
//	岗位 staff role                 StaffRole
//	考核体系 scorecard              Model.Scorecard (assessment.Scheme)
//	政策 policy rules               Model.Policies (policy.RuleSet)
//	建设 build                      Build, Stored (build.go)
//	复制推广 replicate              Model.Replicate, Fulfil (an intent agreement of package broker/federation)
//
// # Build
//
// Build creates, in one System, the rooms as industry brokers (through
// broker.Build), the partners as organizations with their roles, each
// room's service package, the societies with their teams and
// qualifications, and the model itself as a record (Stored), so that the
// System keeps its scheme, rules and staff roles. It is idempotent: what
// exists is kept. A model is validated first, every error listed
// (*broker.ValidationError), and nothing is written when it fails.
//
// # The Yangpu model
//
// The seven sector rooms of the source article (信息工程与应用, 智能设计,
// 海洋技术, 儿科医学, 绿色印刷与包装技术, 室内环境净化,
// 机械制造数字化转型) as package broker's Yangpu blueprint has them, and the
// 700米科创街区 room on 大学路, defined by its place and run with 上海创派投资咨询
// 有限公司 and the 科创街区共创联盟 (roadshows, seminars, investment salons);
// the 科协 as oversight and the exchange as its operator (the access roles
// broker.RoleOversight and broker.RoleExchangeOperator); the scorecard is
// assessment.DefaultScheme as the 技术券商考核体系（试行）; the policy rules
// are package policy's illustrative example set, marked as such.
package blueprint
