package main

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/shopspring/decimal"

	"github.com/kexie/techbroker/broker"
)

// sector holds the vocabulary the generator draws from for one model room:
// real technical subjects, methods and benefits a broker in that field would
// recognise, so that matching and routing have meaningful text to work on.
type sector struct {
	room        string
	society     string   // the academic society docked for the room
	owners      []string // universities, hospitals and institutes that own results
	subjects    []string // what the result is about
	methods     []string // how it works
	forms       []string // what kind of result it is
	problems    []string // the gap it closes, also what enterprises complain about
	benefits    []string // quantified benefit templates, %d is filled in
	keywords    []string
	disciplines []string
	industry    []string
	enterprises []string // companies with demands in the field
	expertOrgs  []string
	titles      []string // expert titles
}

// rate is one room's calibrated yearly rates: how many achievements and
// demands it collects, the merit of what it collects (which sets how many
// pass the expert panels), the share of its promoted results it lists on
// the exchange, and the value of a result in its field. Together they are
// the generator's calibration against the source article: the seven rooms
// listed 45 results in 2021–2022 with deals above 4.15亿元. The figures a
// run reports are counted from the records it writes (the exchange's
// ledger), never from these constants.
type rate struct {
	achievements int     // collected per year at scale 1
	demands      int     // enterprise demands per year at scale 1
	merit        float64 // centre of the hidden merit (0..1): the panels pass what scores 60 or more
	list         float64 // share of the year's promoted results listed
	value        float64 // median value of a result in 万元 (the income approach's profit base)
	spread       float64 // lognormal spread of values
}

// rates are the calibrated rates per room. Rooms with hospital and
// chip results trade fewer, dearer results; printing, design and indoor
// air more, cheaper ones.
var rates = map[string]rate{
	"info-eng":       {achievements: 8, demands: 5, merit: 0.66, list: 0.95, value: 1267, spread: 0.40},
	"smart-design":   {achievements: 6, demands: 4, merit: 0.63, list: 0.90, value: 541, spread: 0.35},
	"marine-tech":    {achievements: 6, demands: 5, merit: 0.64, list: 0.90, value: 769, spread: 0.40},
	"pediatrics":     {achievements: 4, demands: 4, merit: 0.65, list: 0.95, value: 1442, spread: 0.40},
	"green-printing": {achievements: 4, demands: 4, merit: 0.62, list: 0.90, value: 454, spread: 0.35},
	"indoor-air":     {achievements: 5, demands: 4, merit: 0.62, list: 0.90, value: 420, spread: 0.35},
	"mech-digital":   {achievements: 6, demands: 5, merit: 0.64, list: 0.95, value: 944, spread: 0.40},
}

var sectors = []sector{
	{
		room:        "info-eng",
		society:     "上海市计算机学会",
		owners:      []string{"复旦大学", "上海理工大学", "同济大学", "上海财经大学"},
		subjects:    []string{"边缘设备目标检测", "工业视觉缺陷识别", "5G专网切片调度", "低功耗物联网终端", "中文医疗文本结构化", "隐私计算联合建模", "存算一体推理芯片", "视频流实时语义分割"},
		methods:     []string{"轻量化卷积神经网络", "知识蒸馏", "联邦学习", "图神经网络", "多模态大模型", "神经网络量化", "强化学习调度"},
		forms:       []string{"方法", "系统", "芯片架构", "平台", "装置"},
		problems:    []string{"终端算力不足导致推理延迟高", "缺陷样本少、人工质检漏检率高", "多业务并发时网络时延抖动大", "数据不出域难以联合建模", "模型部署成本高"},
		benefits:    []string{"推理延迟降低%d%%", "检测准确率提升到9%d%%", "能耗降低%d%%", "部署成本下降%d%%"},
		keywords:    []string{"人工智能", "深度学习", "边缘计算", "芯片", "5G", "物联网", "大数据", "隐私计算", "计算机视觉"},
		disciplines: []string{"520", "510"}, industry: []string{"I65", "I64", "C39"},
		enterprises: []string{"上海智芯微电子有限公司", "杨浦云图信息科技有限公司", "东方通信设备股份有限公司", "沪联物联网技术有限公司"},
		expertOrgs:  []string{"复旦大学", "上海交通大学", "华东师范大学", "中国科学院上海微系统与信息技术研究所", "上海大学"},
		titles:      []string{"教授", "研究员", "高级工程师", "副教授"},
	},
	{
		room:        "smart-design",
		society:     "上海市建筑学会",
		owners:      []string{"同济大学", "上海理工大学", "东华大学"},
		subjects:    []string{"装配式建筑构件", "城市更新街区", "适老化室内空间", "智能座舱交互界面", "文创产品", "建筑立面光伏一体化"},
		methods:     []string{"参数化建模", "BIM协同设计", "生成式设计", "数字孪生", "用户行为数据驱动设计", "虚拟现实评审"},
		forms:       []string{"设计方法", "设计系统", "工具平台", "评价方法"},
		problems:    []string{"设计周期长、返工多", "多专业协同效率低", "用户体验难以量化评估", "方案与施工脱节"},
		benefits:    []string{"设计周期缩短%d%%", "返工率降低%d%%", "用户满意度提升%d%%", "材料用量减少%d%%"},
		keywords:    []string{"设计", "BIM", "参数化", "工业设计", "交互设计", "数字孪生", "智能建造", "城市更新"},
		disciplines: []string{"560", "535"}, industry: []string{"M74", "E48"},
		enterprises: []string{"上海城建设计集团有限公司", "杨浦创意设计有限公司", "华东装配式建筑科技有限公司"},
		expertOrgs:  []string{"同济大学", "上海交通大学", "中国美术学院", "上海建工集团"},
		titles:      []string{"教授", "正高级建筑师", "副教授", "高级工程师"},
	},
	{
		room:        "marine-tech",
		society:     "上海市水产学会",
		owners:      []string{"上海海洋大学", "中国水产科学研究院东海水产研究所", "上海海事大学"},
		subjects:    []string{"深远海养殖网箱水质监测", "南美白对虾循环水养殖", "大黄鱼智能投喂", "远洋渔获物超低温保鲜", "海藻多糖提取", "养殖尾水生态处理", "海洋牧场资源评估"},
		methods:     []string{"多参数传感器阵列", "机器视觉摄食识别", "微生物絮团", "超低温速冻", "酶法提取", "声学探测"},
		forms:       []string{"系统", "工艺", "装置", "技术"},
		problems:    []string{"饵料浪费严重、养殖成本高", "尾水排放氨氮超标", "渔获物保鲜期短、品质下降", "养殖病害频发难以预警"},
		benefits:    []string{"饵料系数降低%d%%", "氨氮去除率达9%d%%", "保鲜期延长%d天", "成活率提高%d%%"},
		keywords:    []string{"海洋", "水产", "养殖", "渔业", "水质监测", "冷链", "海洋牧场", "藻类"},
		disciplines: []string{"240", "170"}, industry: []string{"A04", "C13", "C37"},
		enterprises: []string{"舟山远洋渔业有限公司", "上海东海水产养殖有限公司", "台州海盛水产食品有限公司", "浙江海洋牧场开发有限公司"},
		expertOrgs:  []string{"上海海洋大学", "中国海洋大学", "中国水产科学研究院", "宁波大学"},
		titles:      []string{"教授", "研究员", "副研究员"},
	},
	{
		room:        "pediatrics",
		society:     "上海市医学会儿科专科分会",
		owners:      []string{"上海交通大学医学院附属新华医院", "复旦大学附属儿科医院", "上海市儿童医院"},
		subjects:    []string{"新生儿黄疸无创检测", "儿童哮喘雾化给药管理", "早产儿视网膜病变筛查", "儿童先天性心脏病超声辅助诊断", "儿童用药剂量计算", "罕见病基因筛查"},
		methods:     []string{"经皮光谱测量", "深度学习影像识别", "可穿戴传感", "基因测序分析", "智能依从性提醒"},
		forms:       []string{"检测仪", "系统", "试剂盒", "方法"},
		problems:    []string{"反复采血给患儿带来痛苦", "基层医院筛查能力不足", "家长用药依从性差", "罕见病确诊周期长"},
		benefits:    []string{"与金标准相关系数0.9%d", "筛查时间缩短%d%%", "依从性提升%d%%", "确诊周期缩短%d%%"},
		keywords:    []string{"儿科", "新生儿", "儿童", "医疗器械", "临床诊断", "早产儿", "罕见病"},
		disciplines: []string{"320", "310"}, industry: []string{"Q84", "C35", "C27"},
		enterprises: []string{"上海康宁医疗器械有限公司", "华瑞儿童健康科技有限公司", "申康医药股份有限公司"},
		expertOrgs:  []string{"上海交通大学医学院附属新华医院", "复旦大学附属儿科医院", "上海市儿童医院", "上海交通大学医学院"},
		titles:      []string{"主任医师", "教授", "副主任医师"},
	},
	{
		room:        "green-printing",
		society:     "上海市印刷技术协会",
		owners:      []string{"上海出版印刷高等专科学校", "上海理工大学", "东华大学"},
		subjects:    []string{"水性柔版油墨", "可降解纸基包装", "数字印刷色彩管理", "无溶剂复合软包装", "防伪印刷标签"},
		methods:     []string{"丙烯酸乳液改性", "阻隔涂层", "光谱色彩校正", "纳米纤维素增强", "微结构防伪"},
		forms:       []string{"配方", "材料", "工艺", "系统"},
		problems:    []string{"溶剂型油墨VOCs排放超标", "塑料包装难以降解", "批次间色差大", "包装假冒严重"},
		benefits:    []string{"VOCs排放降低%d%%", "降解率达9%d%%", "色差ΔE降低%d%%", "成本下降%d%%"},
		keywords:    []string{"印刷", "包装", "油墨", "VOCs", "可降解", "绿色印刷", "色彩管理"},
		disciplines: []string{"530", "430"}, industry: []string{"C23", "C22", "C26"},
		enterprises: []string{"上海新华印刷有限公司", "申美包装材料有限公司", "绿源环保包装科技有限公司"},
		expertOrgs:  []string{"上海出版印刷高等专科学校", "北京印刷学院", "东华大学", "西安理工大学"},
		titles:      []string{"教授", "高级工程师", "副教授"},
	},
	{
		room:        "indoor-air",
		society:     "上海市环境科学学会",
		owners:      []string{"上海市室内环境净化行业协会", "复旦大学", "上海理工大学"},
		subjects:    []string{"可见光催化甲醛降解涂层", "室内空气质量在线监测", "新风系统高效过滤", "公共场所除菌消毒", "装修污染快速治理"},
		methods:     []string{"二氧化钛掺杂改性", "低成本传感器校准", "静电驻极过滤", "等离子体消毒", "活性炭复合吸附"},
		forms:       []string{"材料", "系统", "装置", "方法"},
		problems:    []string{"装修后甲醛长期超标", "PM2.5与细菌难以同时去除", "监测数据不准确", "治理效果难以验证"},
		benefits:    []string{"甲醛去除率达9%d%%", "PM2.5过滤效率9%d%%", "能耗降低%d%%", "检测误差小于%d%%"},
		keywords:    []string{"室内", "空气", "净化", "甲醛", "VOCs", "PM2.5", "新风", "光催化"},
		disciplines: []string{"610", "530"}, industry: []string{"N77", "C34"},
		enterprises: []string{"上海洁净空气科技有限公司", "申城新风设备有限公司", "绿居环境检测有限公司"},
		expertOrgs:  []string{"复旦大学", "同济大学", "上海市环境科学研究院", "上海理工大学"},
		titles:      []string{"教授", "研究员", "高级工程师"},
	},
	{
		room:        "mech-digital",
		society:     "上海市机械工程学会",
		owners:      []string{"上海理工大学", "上海交通大学", "同济大学", "上海市机械工程学会"},
		subjects:    []string{"数控机床主轴故障诊断", "工业机器人离线编程", "产线数字孪生", "轴承剩余寿命预测", "焊接质量在线检测", "设备预测性维护"},
		methods:     []string{"振动信号深度学习", "数字孪生仿真", "迁移学习", "工业互联网平台", "机器视觉"},
		forms:       []string{"系统", "平台", "方法", "装置"},
		problems:    []string{"设备突发停机损失大", "产线调试周期长", "加工精度不稳定", "焊缝缺陷人工检测效率低"},
		benefits:    []string{"非计划停机减少%d%%", "调试时间缩短%d%%", "加工精度提升%d%%", "检测效率提升%d倍"},
		keywords:    []string{"机械", "智能制造", "数控", "机器人", "工业互联网", "故障诊断", "数字孪生"},
		disciplines: []string{"460", "470"}, industry: []string{"C34", "C35", "C40"},
		enterprises: []string{"上海重型机床厂有限公司", "杨浦精工机械有限公司", "申达智能装备股份有限公司", "沪东焊接技术有限公司"},
		expertOrgs:  []string{"上海交通大学", "上海理工大学", "同济大学", "华东理工大学", "上海电气集团"},
		titles:      []string{"教授", "教授级高级工程师", "研究员", "副教授"},
	},
}

// surnames and givenNames make people's names: a common surname and a
// whole given name, so that names read as names (王海峰, 李欣怡), never
// as stray characters.
var (
	surnames   = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "方", "邹", "熊", "孟", "秦", "白", "江", "顾", "毛", "龚", "邵", "钱", "严", "戴", "欧阳", "司马"}
	givenNames = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明", "超", "霞", "平", "刚", "华", "萍", "玲", "飞", "鹏", "宇", "晨", "浩然", "欣怡", "子轩", "梓涵", "思远", "博文", "雨泽", "一鸣", "天佑", "俊杰", "海峰", "建国", "志强", "建华", "晓东", "立新", "振华", "文静", "佳怡", "明轩", "雅琪", "嘉怡", "国庆", "海燕", "丽娟", "春梅", "志刚", "建军", "晓明", "卫东", "秀英", "文博", "思琪", "子涵", "宏伟", "永康", "德华", "玉兰", "慧敏", "晓燕", "少华", "振宇", "家豪", "若曦"}
)

// gen draws records deterministically from one seed. It never gives two
// achievements the same title, nor two people the same name.
type gen struct {
	r      *rand.Rand
	titles map[string]bool
	names  map[string]bool
}

func newGen(seed uint64) *gen {
	return &gen{r: rand.New(rand.NewPCG(seed, seed^0x5eed)), titles: map[string]bool{}, names: map[string]bool{}}
}

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

// name returns a person's name not given before.
func (g *gen) name() string {
	for {
		n := g.pick(surnames) + g.pick(givenNames)
		if !g.names[n] {
			g.names[n] = true
			return n
		}
	}
}

func (g *gen) subset(xs []string, n int) []string {
	idx := g.r.Perm(len(xs))
	out := make([]string, 0, n)
	for _, i := range idx[:min(n, len(xs))] {
		out = append(out, xs[i])
	}
	return out
}

// strata returns n values in [0, 1), one in each of n equal strata, in a
// random order: stratified sampling, so that a room's handful of results
// spreads over the whole range of merit (or readiness) as a real cohort
// does, rather than by luck bunching on one side of the panels' pass mark.
func (g *gen) strata(n int) []float64 {
	out := make([]float64, n)
	for i, k := range g.r.Perm(n) {
		out[i] = (float64(k) + g.r.Float64()) / float64(n)
	}
	return out
}

// draft is a generated achievement and what the generator knows of it:
// its merit (the panels' view) and its value (万元: the profit base of the
// income approach), which the System never sees.
type draft struct {
	a     broker.Achievement
	merit float64
	value float64
}

// title returns a title of the sector not used before.
func (g *gen) title(s *sector, meth, subj, form string) string {
	patterns := []string{"基于%[1]s的%[2]s%[3]s", "一种%[2]s%[3]s", "%[2]s%[3]s：%[1]s", "面向%[2]s的%[1]s%[3]s"}
	for try := 0; ; try++ {
		t := fmt.Sprintf(patterns[g.r.IntN(len(patterns))], meth, subj, form)
		if !g.titles[t] {
			g.titles[t] = true
			return t
		}
		if try > 8 { // the combinations run low: draw the parts again
			meth, subj, form = g.pick(s.methods), g.pick(s.subjects), g.pick(s.forms)
		}
	}
}

// achievements draws a room's cohort of n achievements: merit, readiness
// and value each stratified over the cohort, values lognormal around the
// room's median and mostly following merit (what the panels rate higher is
// mostly worth more).
func (g *gen) achievements(s *sector, rt rate, n int, year int) []draft {
	merit, ready, worth := g.strata(n), g.strata(n), g.strata(n)
	out := make([]draft, n)
	for i := range out {
		// Readiness mostly follows merit too: what is nearer the market
		// scores better on maturity, and panels pass more of it.
		level := 3 + int(6*(0.6*merit[i]+0.4*ready[i])) // TRL 3–8
		m := math.Min(0.98, math.Max(0.05, rt.merit-0.22+0.44*merit[i]))
		q := 0.75*merit[i] + 0.25*worth[i]
		v := rt.value * math.Exp(rt.spread*math.Sqrt2*math.Erfinv(2*q-1))
		out[i] = draft{a: g.achievement(s, level, v, year), merit: m, value: v}
	}
	return out
}

// achievement draws one achievement of a sector at a readiness level. The
// sector's room is NOT set: routing decides it.
func (g *gen) achievement(s *sector, level int, value float64, year int) broker.Achievement {
	subj, meth, form := g.pick(s.subjects), g.pick(s.methods), g.pick(s.forms)
	// One result in five borrows its method from another field (a design
	// tool built on machine vision, a paediatric device using deep
	// learning), which is what makes routing hard.
	var borrowed []string
	if g.r.IntN(5) == 0 {
		o := &sectors[g.r.IntN(len(sectors))]
		meth = g.pick(o.methods)
		borrowed = append(borrowed, g.pick(o.keywords), g.pick(o.keywords))
	}
	title := g.title(s, meth, subj, form)
	benefit := fmt.Sprintf(g.pick(s.benefits), 10+g.r.IntN(50))
	problem := g.pick(s.problems)
	abstract := fmt.Sprintf("针对%s的问题，本成果提出%s%s，采用%s，在%s等场景完成验证，%s。成果已申请发明专利，可通过许可或转让方式与企业合作实施。",
		problem, subj, form, meth, g.pick(s.enterprises), benefit)
	owner := g.pick(s.owners)
	inv := []broker.Inventor{{Name: g.name(), Share: decimal.NewFromInt(60)}, {Name: g.name(), Share: decimal.NewFromInt(40)}}
	modes := []broker.TransferMode{broker.ModeLicense}
	if g.r.IntN(2) == 0 {
		modes = []broker.TransferMode{broker.ModeTransfer, broker.ModeLicense}
	}
	if g.r.IntN(5) == 0 {
		modes = append(modes, broker.ModeInvestment)
	}
	// The owner's own asking price: its hope, which the panels' valuation
	// later replaces.
	price := decimal.NewFromFloat(value * (0.9 + 0.4*g.r.Float64())).Round(0).Mul(decimal.NewFromInt(10000))
	return broker.Achievement{
		Title:         title,
		Summary:       fmt.Sprintf("%s，%s", subj, benefit),
		Abstract:      abstract,
		Keywords:      slices.Compact(append(append([]string{subj}, g.subset(s.keywords, 2)...), borrowed...)),
		Disciplines:   []string{s.disciplines[g.r.IntN(len(s.disciplines))]},
		IndustryCodes: g.subset(s.industry, 1+g.r.IntN(2)),
		Owner:         owner,
		Inventors:     inv,
		IPRights:      []broker.IPRight{{Type: broker.InventionPatent, Number: fmt.Sprintf("ZL%d%07d.%d", year-1-g.r.IntN(3), g.r.IntN(1e7), g.r.IntN(10)), Status: broker.IPGranted, Territory: "CN", Owners: []string{owner}}},
		Readiness:     broker.Readiness{Scale: broker.NASATRL, Level: level, Evidence: []string{fmt.Sprintf("TRL %d 验证报告", level)}},
		TransferModes: modes,
		AskingPrice:   price,
		Pricing:       broker.FloorPrice,
		Meta:          broker.Meta{Region: "上海市杨浦区"},
	}
}

// demand draws one enterprise demand of a sector.
func (g *gen) demand(s *sector, region string) broker.Demand {
	ent := g.pick(s.enterprises)
	problem := g.pick(s.problems)
	subj := g.pick(s.subjects)
	lo := decimal.NewFromInt(int64(50+g.r.IntN(200)) * 10000)
	title := ""
	for _, pattern := range []string{"寻求%s相关技术", "征集%s解决方案", "%s技术合作需求", "引进%s成熟技术"} {
		if t := fmt.Sprintf(pattern, subj); !g.titles[ent+t] {
			title = t
			break
		}
	}
	if title == "" { // the enterprise asked all of these already
		title = fmt.Sprintf("寻求%s相关技术（第%d期）", subj, len(g.titles))
	}
	g.titles[ent+title] = true
	return broker.Demand{
		Enterprise:    ent,
		Title:         title,
		Problem:       fmt.Sprintf("我公司在生产中遇到%s的问题，希望引进%s方面的成熟技术，能够尽快在产线上落地。", strings.TrimSuffix(problem, "的问题"), subj),
		Keywords:      append([]string{subj}, g.subset(s.keywords, 2)...),
		Disciplines:   []string{s.disciplines[0]},
		IndustryCodes: []string{s.industry[0]},
		MinReadiness:  broker.Readiness{Scale: broker.NASATRL, Level: 5 + g.r.IntN(3)},
		Budget:        broker.Range{Min: lo, Max: lo.Mul(decimal.NewFromInt(int64(4 + g.r.IntN(10))))},
		Meta:          broker.Meta{Region: region, Visibility: []broker.Visibility{broker.Public, broker.Members, broker.Members, broker.Confidential}[g.r.IntN(4)]},
	}
}

// expert draws one expert of a sector.
func (g *gen) expert(s *sector, society string) broker.Expert {
	org := g.pick(s.expertOrgs)
	works := make([]broker.Work, 0, 3)
	for i := 0; i < 3; i++ {
		works = append(works, broker.Work{Title: fmt.Sprintf("%s中的%s研究", g.pick(s.subjects), g.pick(s.methods)), Year: 2015 + g.r.IntN(6), Kind: "paper", Coauthors: []string{g.name()}})
	}
	return broker.Expert{
		Name: g.name(), Institution: org, Title: g.pick(s.titles),
		Disciplines:    []string{s.disciplines[g.r.IntN(len(s.disciplines))]},
		Keywords:       g.subset(append(append([]string{}, s.keywords...), s.subjects...), 5),
		Works:          works,
		Societies:      []string{society},
		Qualifications: []string{"科技成果评价"},
		MaxLoad:        6 + g.r.IntN(4),
		City:           "上海",
		Contact:        broker.Contact{Phone: fmt.Sprintf("1380000%04d", g.r.IntN(10000)), Email: fmt.Sprintf("expert%d@example.org", g.r.IntN(1e6))},
	}
}

func trimTitle(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
