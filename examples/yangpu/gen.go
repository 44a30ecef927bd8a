package main

import (
	"fmt"
	"math/rand/v2"

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

var (
	surnames   = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊孟秦白江阎薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	givenChars = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲飞鹏宇晨浩然欣怡子轩梓涵思远博文雨泽一鸣天佑俊杰海峰建国志强建华晓东立新振华")
)

// gen draws records deterministically from one seed.
type gen struct {
	r   *rand.Rand
	seq int
}

func newGen(seed uint64) *gen { return &gen{r: rand.New(rand.NewPCG(seed, seed^0x5eed))} }

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }

func (g *gen) name() string {
	n := string(surnames[g.r.IntN(len(surnames))]) + string(givenChars[g.r.IntN(len(givenChars))])
	if g.r.IntN(3) > 0 {
		n += string(givenChars[g.r.IntN(len(givenChars))])
	}
	return n
}

func (g *gen) subset(xs []string, n int) []string {
	idx := g.r.Perm(len(xs))
	out := make([]string, 0, n)
	for _, i := range idx[:min(n, len(xs))] {
		out = append(out, xs[i])
	}
	return out
}

// achievement draws one achievement of a sector. The sector's room is NOT
// set: routing decides it.
func (g *gen) achievement(s *sector) broker.Achievement {
	g.seq++
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
	title := fmt.Sprintf("基于%s的%s%s", meth, subj, form)
	if g.r.IntN(2) == 0 {
		title = fmt.Sprintf("一种%s%s", subj, form)
	}
	benefit := fmt.Sprintf(g.pick(s.benefits), 10+g.r.IntN(50))
	problem := g.pick(s.problems)
	abstract := fmt.Sprintf("针对%s的问题，本成果提出%s%s，采用%s，在%s等场景完成验证，%s。成果已申请发明专利，可通过许可或转让方式与企业合作实施。",
		problem, subj, form, meth, g.pick(s.enterprises), benefit)
	level := 3 + g.r.IntN(6)
	owner := g.pick(s.owners)
	inv := []broker.Inventor{{Name: g.name(), Share: decimal.NewFromInt(60)}, {Name: g.name(), Share: decimal.NewFromInt(40)}}
	modes := []broker.TransferMode{broker.ModeLicense}
	if g.r.IntN(2) == 0 {
		modes = []broker.TransferMode{broker.ModeTransfer, broker.ModeLicense}
	}
	if g.r.IntN(5) == 0 {
		modes = append(modes, broker.ModeInvestment)
	}
	price := decimal.NewFromInt(int64(50+g.r.IntN(950)) * 10000) // 50万 … 1000万
	return broker.Achievement{
		Title:         title,
		Summary:       fmt.Sprintf("%s，%s", subj, benefit),
		Abstract:      abstract,
		Keywords:      append(append([]string{subj}, g.subset(s.keywords, 2)...), borrowed...),
		Disciplines:   []string{s.disciplines[g.r.IntN(len(s.disciplines))]},
		IndustryCodes: g.subset(s.industry, 1+g.r.IntN(2)),
		Owner:         owner,
		Inventors:     inv,
		IPRights:      []broker.IPRight{{Type: broker.InventionPatent, Number: fmt.Sprintf("ZL2021%07d.%d", g.r.IntN(1e7), g.r.IntN(10)), Status: broker.IPGranted, Territory: "CN", Owners: []string{owner}}},
		Readiness:     broker.Readiness{Scale: broker.NASATRL, Level: level, Evidence: []string{fmt.Sprintf("TRL %d 验证报告", level)}},
		TransferModes: modes,
		AskingPrice:   price,
		Pricing:       broker.FloorPrice,
		Meta:          broker.Meta{Region: "上海市杨浦区"},
	}
}

// demand draws one enterprise demand of a sector.
func (g *gen) demand(s *sector) broker.Demand {
	ent := g.pick(s.enterprises)
	problem := g.pick(s.problems)
	subj := g.pick(s.subjects)
	min := decimal.NewFromInt(int64(20+g.r.IntN(100)) * 10000)
	return broker.Demand{
		Enterprise:    ent,
		Title:         fmt.Sprintf("寻求%s相关技术", subj),
		Problem:       fmt.Sprintf("我公司在生产中遇到%s，希望引进%s方面的成熟技术，能够尽快在产线上落地。", problem, subj),
		Keywords:      append([]string{subj}, g.subset(s.keywords, 2)...),
		Disciplines:   []string{s.disciplines[0]},
		IndustryCodes: []string{s.industry[0]},
		MinReadiness:  broker.Readiness{Scale: broker.NASATRL, Level: 5 + g.r.IntN(3)},
		Budget:        broker.Range{Min: min, Max: min.Mul(decimal.NewFromInt(int64(2 + g.r.IntN(8))))},
		Meta:          broker.Meta{Region: []string{"上海市杨浦区", "上海市杨浦区", "上海市", "浙江省台州市"}[g.r.IntN(4)], Visibility: []broker.Visibility{broker.Public, broker.Members, broker.Confidential}[g.r.IntN(3)]},
	}
}

// expert draws one expert of a sector.
func (g *gen) expert(s *sector, society string) broker.Expert {
	org := g.pick(s.expertOrgs)
	name := g.name()
	works := make([]broker.Work, 0, 3)
	for i := 0; i < 3; i++ {
		works = append(works, broker.Work{Title: fmt.Sprintf("%s中的%s研究", g.pick(s.subjects), g.pick(s.methods)), Year: 2015 + g.r.IntN(10), Kind: "paper", Coauthors: []string{g.name()}})
	}
	return broker.Expert{
		Name: name, Institution: org, Title: g.pick(s.titles),
		Disciplines:    []string{s.disciplines[g.r.IntN(len(s.disciplines))]},
		Keywords:       g.subset(append(append([]string{}, s.keywords...), s.subjects...), 5),
		Works:          works,
		Societies:      []string{society},
		Qualifications: []string{"科技成果评价"},
		MaxLoad:        5 + g.r.IntN(4),
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
