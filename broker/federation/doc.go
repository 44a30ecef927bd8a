// Package federation is cross-regional cooperation (跨区域协同) between
// broker Systems, one per region, after the Enterprise Europe Network's
// practice: the exchange's listings travel as anonymous profiles; an
// expression of interest travels from the interested party's broker to the
// owner's broker; contact details are revealed only after the owner
// accepts.
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
//   - 协议 agreement: Agreement — profiles and interests flow only between
//     regions with one in force (Agreement.ActiveAt), possibly limited to
//     some industry brokers; ErrNoAgreement otherwise.
//   - 工作站 workstation: Workstation, a platform's presence in another
//     region under an agreement; Federation.Workstations.
//   - 项目画像 anonymous profile: Profile, built from a listing by ProfileOf
//     and checked by CheckProfile (profile.go); Share sends it, Profiles
//     lists those received (SharedProfile).
//   - 合作意向 expression of interest: Interest, ExpressInterest, Respond
//     (accept or decline), Interests (interest.go).
//   - 消息 message, 传输 transport: Message, Transport, MemoryTransport
//     (transport.go).
//
// # Access
//
// Sharing a listing is operating it (broker.ActOperate: its broker's staff
// or a platform admin). Received profiles are members' records: any
// signed-in principal reads them. An interest is a confidential process
// record, seen by its owners — the interested organization at the
// interested side, the listing's owner at the owner's side — by the desk
// handling it and by platform admins. Expressing interest is taking part
// (broker.ActTakePart) in the profile and in the interest; answering it is
// taking part as the listing's owner or operating it as its desk. What a
// node stores from its feed it writes as its service principal.
package federation
