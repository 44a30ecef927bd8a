package report

import (
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// messages maps each key to its Chinese text and, where it differs from
// the key, its English text (third element).
var messages = [...][3]string{
	{"Broker assessment report", "技术券商考核报告"},
	{"Period %s", "考核期：%s"},
	{"Scheme: %s", "考核方案：%s"},
	{"Entities", "参评对象"},
	{"Listings", "挂牌项目"},
	{"Deals", "成交项目"},
	{"Deal value", "成交金额"},
	{"Mean score", "平均得分"},
	{"Ranking", "排名"},
	{"Rank", "名次"},
	{"Name", "名称"},
	{"Total", "总分"},
	{"Grade", "等级"},
	{"Points by group (maximum %s)", "各组得分（满分 %s）"},
	{"Profiles", "分组得分画像"},
	{"Share of each group's maximum points; dashed: mean of all entities.", "各组得分占该组满分的比例；虚线为全体平均。"},
	{"Peer mean", "全体平均"},
	{"Conversion funnel", "转化漏斗"},
	{"Cases that reached each stage, all brokers together.", "各环节累计到达的项目数（全部券商合计）。"},
	{"Stage", "环节"},
	{"Cases", "项目数"},
	{"Conversion", "转化率"},
	{"Funnel by broker", "各券商转化漏斗"},
	{"Trends", "趋势"},
	{"Growth", "增长"},
	{"Year", "年份"},
	{"Value", "数值"},
	{"Indicator values", "指标原始值"},
	{"Indicator", "指标"},
	{"Unit", "单位"},
	{"Weight (points)", "权重（分）"},
	{"Direction", "方向"},
	{"benefit", "正向"},
	{"cost", "逆向"},
	{"* imputed with the peers' mean (value undefined for this entity).", "* 该值无定义，按同组平均值填补。"},
	{"Skipped for missing values: %s", "因缺失值未参评：%s"},
	{"Method", "方法说明"},
	{"Normalization: %s. Missing values: %s. Indicator weighting: %s. Grading: %s.", "标准化：%s；缺失值：%s；组内权重：%s；分级：%s。"},
	{"AHP over groups, consistency ratio %.3f.", "指标组权重由层次分析法确定，一致性比率 %.3f。"},
	{"minmax", "极差标准化（最优 1，最差 0）", "min-max (best 1, worst 0)"},
	{"target", "目标值法（完成率，封顶 100%%）", "achievement of targets, capped at 100%%"},
	{"error", "报错", "reject the data"},
	{"skip", "剔除缺失对象", "drop incomplete entities"},
	{"impute-group-mean", "以同组均值填补", "imputed with the peer group's mean"},
	{"fixed", "固定权重", "fixed weights"},
	{"entropy", "熵权法", "entropy weights"},
	{"critic", "CRITIC 法", "CRITIC weights"},
	{"thresholds", "分数线", "score thresholds"},
	{"quantiles", "按名次比例", "shares by rank"},
	{"none", "无"},
	{"Charts need a browser that shows inline SVG; all figures are also in the tables.", "图表需浏览器支持内嵌 SVG；所有数据亦见表格。"},
	{"base = 100", "基期 = 100"},
	{"Contributions to the change in %s", "%s年变动的指标贡献"},
	{"Points", "点数"},
	{"Share of change", "占变动比例"},
	{"Grades by score thresholds (%s).", "等级按分数线评定（%s）。"},
	{"Grades by rank (%s).", "等级按名次比例评定（%s）。"},
	{"%s from %s points", "%s：%s分及以上"},
	{"%s below", "%s：其余"},
	{"%s the top %s", "%s：前%s"},
	{"%s the next %s", "%s：其后%s"},
	{"%s the rest", "%s：其余"},
	{"; ", "；"},
	{"Expert panels", "专家评审"},
	{"Verdicts", "评审结论"},
	{"Reviews", "评分表"},
	{"On time", "按时率"},
	{"Invitations accepted", "邀请接受率"},
	{"Panel agreement (Kendall's W)", "评审组一致性（肯德尔W）"},
	{"Panel agreement per broker: the mean of Kendall's W over the year's verdicts (1: the panelists rank the criteria alike; 0: no agreement).", "各券商评审组一致性：当年评审结论肯德尔W系数的平均值（1 为评审专家对各指标的排序完全一致，0 为毫无一致）。"},
	{"Ranking by total points", "总分排名"},
	{"Profiles by group", "分组得分画像"},
}

// newPrinter returns a printer for tag with the report's catalog; tags
// other than Chinese fall back to English.
func newPrinter(tag language.Tag) (*message.Printer, language.Tag) {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for _, m := range messages {
		en := m[0]
		if m[2] != "" {
			en = m[2]
		}
		_ = b.SetString(language.English, m[0], en)
		_ = b.SetString(language.Chinese, m[0], m[1])
	}
	matcher := language.NewMatcher([]language.Tag{language.English, language.Chinese})
	_, i, _ := matcher.Match(tag)
	lang := []language.Tag{language.English, language.Chinese}[i]
	return message.NewPrinter(lang, message.Catalog(b)), lang
}
