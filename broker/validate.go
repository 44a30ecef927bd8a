package broker

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/go-playground/validator/v10"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// FieldError is one bad field.
type FieldError struct {
	// Row is the line of an import's input where the bad row starts,
	// counted from 1 as an editor or a spreadsheet shows it: a CSV file's
	// header is line 1, so its first data row is line 2. 0 outside imports.
	Row   int    `json:"row,omitempty"`
	Field string `json:"field"` // JSON path, e.g. "inventors[1].share"
	Code  string `json:"code"`  // the rule broken, e.g. "required", "max_len", "negative"
	Param string `json:"param,omitempty"`
	Value string `json:"value,omitempty"` // the offending value, shortened
}

// Message renders the error in the language tag (Chinese or English; others
// fall back to English).
func (f FieldError) Message(tag language.Tag) string {
	p := printer(tag)
	label := f.Field
	if isChinese(tag) {
		if l := zhLabel(f.Field); l != "" {
			label = l + "(" + f.Field + ")"
		}
	}
	param := f.Param
	if isChinese(tag) {
		if zh, ok := zhParams[param]; ok {
			param = zh
		}
	}
	msg := p.Sprintf(msgKey(f.Code), label, param, f.Value)
	if f.Row > 0 {
		msg = p.Sprintf("row %d: %s", f.Row, msg)
	}
	return msg
}

// ValidationError lists every bad field of one record or one import. It
// matches ErrInvalid with errors.Is.
type ValidationError struct {
	Kind   Kind
	Fields []FieldError
}

// Error renders all fields in English.
func (e *ValidationError) Error() string { return e.Localize(language.English) }

// Localize renders all fields in the language tag, separated by "; ".
func (e *ValidationError) Localize(tag language.Tag) string {
	msgs := e.Messages(tag)
	prefix := "invalid " + string(e.Kind)
	if isChinese(tag) {
		prefix = "无效的" + zhKind(e.Kind)
	}
	sep := ": "
	if isChinese(tag) {
		sep = "："
	}
	return prefix + sep + strings.Join(msgs, "; ")
}

// Messages returns one message per bad field in the language tag.
func (e *ValidationError) Messages(tag language.Tag) []string {
	out := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		out[i] = f.Message(tag)
	}
	return out
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func isChinese(tag language.Tag) bool {
	b, _ := tag.Base()
	return b.String() == "zh"
}

// structErrors runs the struct tags and appends their failures to c. A
// value that its type's tag plan (package internal/tagplan) vouches for skips the
// validator.
func (s *System) structErrors(c *Check, x any) {
	if s.plans.Passes(x) {
		return
	}
	err := s.validate.Struct(x)
	if err == nil {
		return
	}
	structFieldErrors(c, err)
}

// structFieldErrors adds the validator's failures to c, one per field.
func structFieldErrors(c *Check, err error) {
	var ves validator.ValidationErrors
	if !errors.As(err, &ves) {
		c.Add("", "invalid", "", err.Error())
		return
	}
	for _, fe := range ves {
		ns := fe.Namespace()
		if _, rest, ok := strings.Cut(ns, "."); ok {
			ns = rest
		}
		// Embedded Meta fields appear under "Meta.".
		ns = strings.TrimPrefix(ns, "Meta.")
		code := fe.Tag()
		switch fe.Kind() {
		case reflect.String, reflect.Slice, reflect.Map, reflect.Array:
			switch code {
			case "max", "lte":
				code = "max_len"
			case "min", "gte":
				code = "min_len"
			}
		}
		val := ""
		if fe.Kind() != reflect.Slice && fe.Kind() != reflect.Map && fe.Kind() != reflect.Struct {
			val = fmt.Sprint(fe.Value())
		}
		c.Add(ns, code, fe.Param(), val)
	}
}

// Message catalog: one key per rule; arguments are (field label, param, value).
var messages = sync.OnceValue(func() catalog.Catalog {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	set := func(key, en, zh string) {
		_ = b.SetString(language.English, key, en)
		_ = b.SetString(language.Chinese, key, zh)
	}
	set("required", "%[1]s is required", "%[1]s不能为空")
	set("max_len", "%[1]s must have at most %[2]s characters or items", "%[1]s最多%[2]s个字符或条目")
	set("min_len", "%[1]s must have at least %[2]s characters or items", "%[1]s至少%[2]s个字符或条目")
	set("max", "%[1]s must be at most %[2]s (got %[3]s)", "%[1]s不能大于%[2]s（当前为%[3]s）")
	set("min", "%[1]s must be at least %[2]s (got %[3]s)", "%[1]s不能小于%[2]s（当前为%[3]s）")
	set("oneof", "%[1]s must be one of [%[2]s] (got %[3]q)", "%[1]s必须是[%[2]s]之一（当前为%[3]q）")
	set("printascii", "%[1]s must be printable ASCII (got %[3]q)", "%[1]s只能包含可打印ASCII字符（当前为%[3]q）")
	set("negative", "%[1]s must not be negative (got %[3]s)", "%[1]s不能为负数（当前为%[3]s）")
	set("malformed", "%[1]s: %[3]q is not a valid %[2]s", "%[1]s：%[3]q不是有效的%[2]s")
	set("range_order", "%[1]s must not be below %[2]s (got %[3]s)", "%[1]s不能低于%[2]s（当前为%[3]s）")
	set("level_range", "%[1]s: level %[3]s is outside the scale %[2]s", "%[1]s：等级%[3]s超出了量表%[2]s的范围")
	set("code", "%[1]s: unknown %[2]s code %[3]q", "%[1]s：未知的%[2]s代码%[3]q")
	set("share_total", "%[1]s: shares add up to %[3]s%%, more than 100%%", "%[1]s：份额合计%[3]s%%，超过100%%")
	set("share_range", "%[1]s: a share must be between 0 and 100 (got %[3]s)", "%[1]s：份额必须在0到100之间（当前为%[3]s）")
	set("duplicate", "%[1]s: duplicate of %[2]s", "%[1]s：与%[2]s重复")
	set("unknown_field", "%[1]s: unknown field", "%[1]s：未知字段")
	set("unique", "%[1]s: %[3]q appears more than once", "%[1]s：%[3]q重复出现")
	set("ref", "%[1]s: %[3]q does not exist", "%[1]s：%[3]q不存在")
	set("guarded", "%[1]s changes only through %[2]s", "%[1]s只能通过%[2]s修改")
	set("invalid", "%[1]s is invalid: %[3]s", "%[1]s无效：%[3]s")
	set("credit_code_length", "%[1]s: a unified social credit code has %[2]s characters (got %[3]s)", "%[1]s：统一社会信用代码应为%[2]s位（当前为%[3]s位）")
	set("credit_code_symbol", "%[1]s: position %[2]s: %[3]q is not a credit code symbol (0-9, A-Y without I O S V Z)", "%[1]s：第%[2]s位的%[3]q不是统一社会信用代码字符（0-9及除I、O、S、V、Z外的大写字母）")
	set("credit_code_division", "%[1]s: position %[2]s: %[3]q must be a digit (administrative division code, positions 3-8)", "%[1]s：第%[2]s位的%[3]q应为数字（第3-8位为行政区划码）")
	set("credit_code_org_check", "%[1]s: position 17: organization code check character %[3]q does not match positions 9-16 (they call for %[2]s)", "%[1]s：第17位组织机构代码校验码%[3]q与第9-16位不符（应为%[2]s）")
	set("credit_code_check", "%[1]s: position 18: check character %[3]q does not match the first 17 characters (they call for %[2]s)", "%[1]s：第18位校验码%[3]q与前17位不符（应为%[2]s）")
	set("date_order", "%[1]s must not be before %[2]s (got %[3]s)", "%[1]s不能早于%[2]s（当前为%[3]s）")
	set("leak", "%[1]s must not reveal contact data: it holds the %[2]s %[3]q", "%[1]s不得透露联系方式：其中含有%[2]s%[3]q")
	set("quantified", "%[1]s must be quantified: both values need a number (got %[3]s)", "%[1]s须量化：双方数值都要有数字（当前为%[3]s）")
	set("closes_range", "%[1]s must be in the future and no later than %[2]s (got %[3]s)", "%[1]s须晚于当前时间且不晚于%[2]s（当前为%[3]s）")
	set("score_range", "%[1]s: score %[3]s is outside the scale %[2]s", "%[1]s：评分%[3]s超出评分范围%[2]s")
	set("not_criterion", "%[1]s: %[3]q is not a criterion of the template %[2]s", "%[1]s：%[3]q不是评分表模板%[2]s的指标")
	set("not_on_panel", "%[1]s: %[3]q is not on the panel", "%[1]s：%[3]q不是评审组成员")
	set("not_accepted", "%[1]s: %[3]q has not accepted the invitation (seat %[2]s)", "%[1]s：%[3]q尚未接受邀请（席位状态%[2]s）")
	set("late", "%[1]s: the deadline %[2]s has passed (now %[3]s)", "%[1]s：已超过截止时间%[2]s（当前为%[3]s）")
	set("row %d: %s", "row %d: %s", "第%d行：%s")
	return b
})

func msgKey(code string) message.Reference {
	switch code {
	case "required", "max_len", "min_len", "max", "min", "oneof", "printascii", "negative",
		"malformed", "range_order", "level_range", "code", "share_total", "share_range",
		"duplicate", "unknown_field", "unique", "ref", "invalid",
		"credit_code_length", "credit_code_symbol", "credit_code_division", "credit_code_org_check",
		"credit_code_check", "date_order", "leak", "quantified", "closes_range", "guarded",
		"score_range", "not_criterion", "not_on_panel", "not_accepted", "late":
		return code
	case "lte":
		return "max"
	case "gte":
		return "min"
	}
	return "invalid"
}

func printer(tag language.Tag) *message.Printer {
	if isChinese(tag) {
		tag = language.Chinese
	} else {
		tag = language.English
	}
	return message.NewPrinter(tag, message.Catalog(messages()))
}

// zhParams translates the type names used as the parameter of "malformed"
// and "code" errors.
var zhParams = map[string]string{
	"amount in yuan with at most 2 decimal places": "金额（元，最多两位小数）",
	"percentage with at most 4 decimal places":     "百分比（最多四位小数）",
	"percentage":                             "百分比",
	"number":                                 "数字",
	"integer":                                "整数",
	"date (YYYY-MM-DD)":                      "日期（YYYY-MM-DD）",
	"UTF-8 text":                             "UTF-8文本",
	"text":                                   "文本",
	"list of texts":                          "文本列表",
	"true or false":                          "true或false",
	"date and time (RFC 3339)":               "日期时间（RFC 3339）",
	"object":                                 "对象",
	"list":                                   "列表",
	"amount (a number, e.g. \"1200000.00\")": "金额（数字，如\"1200000.00\"）",
	"discipline":                             "学科",
	"e-mail address":                         "电子邮箱",
	"phone number":                           "电话号码",
	"name":                                   "姓名或名称",
	"patent number":                          "专利号或登记号",
	"WeChat ID":                              "微信号",
	"QQ number":                              "QQ号",
	"organization":                           "单位名称",
	"industry":                               "行业",
}

var zhLabels = map[string]string{
	"id": "编号", "title": "标题", "summary": "一句话简介", "abstract": "摘要", "keywords": "关键词",
	"disciplines": "学科", "industry_codes": "行业代码", "owner": "权利人", "inventors": "完成人",
	"share": "份额", "name": "姓名/名称", "ip_rights": "知识产权", "type": "类型", "number": "编号",
	"status": "状态", "territory": "地域", "readiness": "技术成熟度", "scale": "量表", "level": "等级",
	"transfer_modes": "转化方式", "asking_price": "报价", "pricing": "定价方式", "visibility": "可见范围",
	"region": "地区", "broker": "技术券商", "enterprise": "企业", "problem": "问题描述",
	"spec": "技术规格", "min_readiness": "最低成熟度", "budget": "预算", "min": "下限", "max": "上限",
	"deadline": "截止日期", "institution": "单位", "grade": "职称/级别", "works": "代表成果",
	"qualifications": "资质", "conflicts": "利益冲突声明", "max_load": "最大评审量",
	"contact": "联系方式", "phone": "电话", "email": "电子邮箱", "sector": "领域", "members": "成员单位",
	"staff": "人员", "societies": "所属学会", "city": "城市", "evidence": "证据", "brokers": "技术券商",
	"row": "行", "price": "价格",
	"credit_code": "统一社会信用代码", "roles": "机构类型", "aliases": "曾用名", "contacts": "联系人",
	"stages": "投资阶段", "ticket": "单笔投资额", "regions": "地区", "milestones": "里程碑", "due": "到期日",
	"funding": "融资", "amount": "金额", "incubator": "孵化器", "spin_off": "衍生企业",
	"capacity": "容量", "seats_taken": "已报名人数", "start": "开始时间", "end": "结束时间", "participant": "参加者",
	"version": "版本", "reason": "原因", "party": "拒绝方", "text": "说明", "case": "服务案例", "subject": "对象",
	"scores": "评分", "comments": "指标评语", "comment": "评语", "expert": "专家", "submitted": "提交时间",
	"moderator": "主持人", "note": "说明", "template": "评分表模板", "scoring": "评审方法", "method": "方法",
	"seats": "席位", "evaluator": "评估人", "approach": "评估方法", "pairwise": "判断矩阵", "value": "评估值",
	"low": "区间下限", "high": "区间上限", "panel": "评审组", "society": "学会", "operator": "模糊算子",
	"min_sheets": "最少评分表数", "subjects": "评审对象", "revision": "版次",
	"place": "地点", "streets": "街道与地标", "parties": "签约方", "signed": "签订日期", "kind": "类别",
}

// zhLabel returns the Chinese label of a field path's last element.
func zhLabel(path string) string {
	last := path
	if i := strings.LastIndexByte(last, '.'); i >= 0 {
		last = last[i+1:]
	}
	if i := strings.IndexByte(last, '['); i >= 0 {
		last = last[:i]
	}
	return zhLabels[last]
}

// zhKinds names record kinds in Chinese for messages: the core's and the
// feature packages' (the message catalog is the one place that knows them
// all).
var zhKinds = map[Kind]string{
	KindAchievement: "科技成果", KindDemand: "技术需求", KindExpert: "专家", KindBroker: "技术券商",
	KindOrganization: "机构", KindStaff: "技术经理人", KindCase: "服务案例", KindSociety: "学会",
	KindServicePackage: "标准服务产品包", KindFeedback: "反馈", kindQualification: "评估资质",
	"investor": "投资机构", "incubation": "孵化记录", "investment_intent": "投资意向",
	"activity": "活动", "registration": "活动报名", "meeting": "对接洽谈", "lead": "活动成果线索",
	"listing": "挂牌项目", "bid": "竞价", "deposit": "保证金", "deal": "成交", "fed_profile": "共享项目",
	"fed_interest": "合作意向", "fed_agreement": "合作协议", "fed_workstation": "工作站", "blueprint_model": "蓝图", "blueprint": "蓝图",
	"review_panel": "评审组", "score_sheet": "评分表", "review_verdict": "评审结论", "valuation_report": "估值报告",
	"review_workload": "专家评审量",
}

func zhKind(k Kind) string {
	if zh, ok := zhKinds[k]; ok {
		return zh
	}
	return string(k)
}
