// Package techbroker is a Go SDK for technology-transfer broker platforms
// on the "3+3+N" model that Shanghai's Yangpu district runs with the
// Shanghai Technology Exchange (上海技术交易所). It has no runtime of its own:
// services import its packages.
//
// # The 3+3+N model
//
// Three libraries (三个基础库) hold the records: achievements (成果库),
// enterprise technology demands (需求库) and experts (专家库). Three
// platforms work on them: academic-society docking (学会资源对接平台), the
// broker service platform (技术券商服务平台: collect → screen → cultivate →
// promote & match → list & trade → incubate) and the activity platform
// (科创中国活动平台: roadshows, seminars, investment salons). N industry
// brokers (样板间) each take one sector; a blueprint builds a whole system so
// that another city can copy it.
//
// # Packages
//
//   - broker: the domain — the three libraries (Achievement, Demand, Expert),
//     industry brokers and blueprints, the System users call, validation,
//     normalization, import and access control.
//   - broker/driver: what a storage adapter implements; broker/drivertest:
//     the conformance suite every adapter passes; broker/memstore: the
//     in-memory default.
//   - matching: Chinese-aware text analysis, a BM25 index, explainable
//     matching of achievements and demands, routing to industry brokers;
//     matching/assign: optimal expert-panel assignment (min-cost flow).
//   - evaluation: expert panels, scoring methods (weighted, AHP, fuzzy),
//     agreement between experts, readiness scales; evaluation/valuation:
//     valuation in decimal.
//   - assessment: indicators, weights, composite indices, the broker
//     scorecard (技术券商考核体系) and reports with charts.
//   - money: CNY amounts formatted for Chinese (万元, 亿元) and English readers.
//
// evaluation, assessment and money are pure: no storage, no context.
// matching knows nothing of broker; broker adapts its records to it.
package techbroker
