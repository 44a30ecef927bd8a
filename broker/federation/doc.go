// Package federation is cross-regional cooperation (跨区域协同) between
// broker Systems, one per region, after the Enterprise Europe Network's
// practice: the exchange's listings (technology offers) and the demand
// library's needs (technology requests) travel as anonymous profiles; an
// expression of interest travels from the interested party's broker to the
// owner's broker; contact details are revealed only after the owner
// accepts. Agreements between organizations and workstations in other
// regions are records (Cooperation), and a workstation forwards its
// region's offers and requests home (Forward).
//
//	x := exchange.New(sys) // sys is a *broker.System
//	node, err := federation.New(sys, x, &federation.Options{
//		Region:     federation.Region{Code: "310110", Name: "上海市杨浦区"},
//		Agreements: []federation.Agreement{taizhou},
//		Transport:  transport,
//	})
//	prof, err := node.Share(ctx, staff, listingID, "331000")
//	report, err := node.Sync(ctx) // handle what other regions sent
//
// Every write goes through the System's transaction (broker.System.Update)
// and the core's record operations, so validation, the access policy
// (broker.Rules) and the audit log apply to the federation's records as to
// every other record. The package never sees the store.
//
// # Words
//
// Where to find each concept, by its Chinese or English name:
//
//   - 跨区域协同 federation: Federation, New, Options; a node per region,
//     Sync handling its feed (sync.go).
//   - 区域 region: Region, by its code (GB/T 2260 or a slug).
//   - 协议 agreement: Agreement — 战略合作协议 (AgreementStrategic),
//     意向合作协议 to cultivate model rooms (AgreementIntent, fulfilled by
//     replicating a blueprint: Cooperation.Fulfil, package
//     broker/blueprint), workstation agreements. Stored by Cooperation.Sign,
//     or configured in Options. Profiles and interests flow only between
//     regions with one in force (Agreement.ActiveAt), possibly limited to
//     some industry brokers; ErrNoAgreement otherwise (agreement.go).
//   - 工作站 workstation: Workstation, a platform's presence in another
//     region under an agreement, stored by Cooperation.Open; it collects
//     its region's offers and requests and forwards them home
//     (Federation.Forward); Federation.Workstations lists the configured
//     ones.
//   - 项目画像 anonymous profile: Profile, built from a listing by ProfileOf
//     and checked by CheckProfile (profile.go); Share sends it, Profiles
//     lists those received (SharedProfile).
//   - 需求画像 technology request: a demand's profile (TechnologyRequest),
//     built by ProfileOfDemand with PrivateOfDemand; ShareDemand sends it
//     (request.go), and interests in it reach the enterprise.
//   - 联系方式泄露 leak of contact data: the leak rule, Private, PrivateOf
//     and the Leak… kinds (leak.go).
//   - 合作意向 expression of interest: Interest, ExpressInterest, Respond
//     (accept or decline), Interests (interest.go).
//   - 消息 message, 传输 transport: Message, Transport, MemoryTransport
//     (transport.go).
//
// # Leaks
//
// Before the owner accepts, nothing that crosses to another region may
// reveal who the parties are or how to reach them. The rule has one home,
// leak.go, and for profiles one entry, CheckProfile: every text of a
// profile is checked against every item of the record's private data
// (PrivateOf: phone, e-mail, WeChat, the contact person and the inventors,
// the owner, completing unit, right holders and agreed buyer, patent and
// registration numbers), compared
// after folding full-width forms, case, spaces, punctuation and invisible
// characters, so "ｗａｎｇｈａｉ＿ｓｈｏｕ", "w a n g h a i _ s h o u" and
// "138 0013 8000" are found; and, whoever's they are, e-mail addresses,
// Chinese phone numbers, labelled WeChat IDs and QQ numbers, and patent
// and registration numbers. ProfileOf, the one builder Share sends from,
// applies it with the record's private data; Sync applies it to every
// profile received, and SharedProfile.Validate to every profile stored. An
// interest's note and organization, and a decline's reason, are checked
// the same way. A refusal is a *broker.ValidationError whose "leak" errors
// name the field, the kind of data and the value as written.
//
// # Access
//
// Sharing a listing or a demand is operating it (broker.ActOperate: its
// broker's staff or a platform admin), and so is running a workstation.
// Agreements and workstations are process records: platform admins sign
// and open them; public agreements are read by everyone, and their parties
// read them in any case. Received profiles are members' records: any
// signed-in principal reads them. An interest is a confidential process
// record, seen by its owners — the interested organization at the
// interested side, the listing's owner at the owner's side — by the desk
// handling it and by platform admins. Expressing interest is taking part
// (broker.ActTakePart) in the profile and in the interest; answering it is
// taking part as the listing's owner or operating it as its desk. What a
// node stores from its feed it writes as its service principal.
package federation
