// Package routing chooses the records a DNS answer is made of among the
// record sets of one name and type, with Route 53's routing policies and its
// health rules (reference §6), as a pure function of the configuration, the
// query, a health view and an injected source of randomness.
//
// The package does no I/O, starts no goroutines and reads no clock. It knows
// nothing of DNS wire data: a Record's Data is whatever the caller answers
// with. The zone compiler builds Groups once per zone snapshot; they are
// immutable afterwards and may be shared by any number of goroutines.
//
// # Health of one record (§6.2)
//
// A record is healthy when its own HealthCheckID (if any) is healthy and,
// for an alias with EvaluateTargetHealth, its target group can yield a
// healthy record (Healthy, with no last resort: an alias whose whole target
// is unhealthy is itself unhealthy, so the parent backs out of the branch).
// An alias without EvaluateTargetHealth is healthy unless its own check says
// otherwise. A record without a check and without target evaluation is
// always healthy.
//
// Check ids are resolved through Health. Route 53 calls records that name a
// missing check "unpredictable" (§14 #23); here the Health implementation
// decides, and should report unknown ids healthy. A nil Health reports every
// check healthy.
//
// # Selection (§6.3)
//
// Select chooses by policy among the healthy records of a group; when none
// is healthy it chooses by policy among all of them (the last resort: health
// alone never empties an answer). When the chosen record is an alias,
// selection continues in the target group with the same rules; since an
// alias with EvaluateTargetHealth is only eligible while its target can
// yield a healthy record, backing out of a failing branch needs no special
// case, and an alias without it commits to its branch, inside which the
// last resort applies. Per policy:
//
//   - Simple: the group's record, whatever its health (a simple alias is
//     followed whatever its target's health). Route 53 allows one simple
//     record set per name and type (all its values in one Record); a group
//     with more is malformed and answers with its first record.
//   - Failover: the first healthy primary, else the first healthy secondary,
//     else (last resort) the primary. A group holding only one role answers
//     with it. Roles other than Primary count as Secondary.
//   - Weighted: among healthy records with Weight > 0, each with probability
//     weight/sum (renormalised over the healthy ones: 10/20/20 with the third
//     unhealthy answers the first 1/3 of the time). Weight-0 records are
//     considered only when no record with a positive weight is healthy, and
//     then they are equally likely (so a group whose weights are all 0 is
//     uniform). The last resort applies the same two steps to all records.
//     Negative weights count as 0.
//   - MultiValue: up to MaxMultiValue healthy records chosen uniformly at
//     random (all of them when there are at most MaxMultiValue), or, when
//     none is healthy, up to MaxMultiValue of all records. Records count
//     toward the limit, not the values inside them (§14 #27): a record with
//     three addresses counts once. The chosen records come back in group
//     order; ordering the values in the message is the DNS layer's choice.
//     Route 53 refuses aliases in multivalue groups; should one appear, its
//     branch's leaves are added, without duplicates and within the limit.
//   - IPBased: the record whose CIDR block most specifically contains the
//     client's prefix (a prefix shorter than a block does not match it),
//     else the default ("*") record; unhealthy, the default; both down, the
//     match (the last resort among the records that apply to the client).
//   - Geolocation: the records that apply to Query.Location, most specific
//     first — its subdivision (Country and Subdivision both match), its
//     country, its continent, the default ("*") — and the first healthy one
//     answers (walking outward, §6.4); when all applicable records are
//     down, the most specific. A client with no known location, or none
//     that matches, gets the default; no default, nothing (NODATA). A US
//     client without a known state gets the US record.
//   - Latency: records in the order of Query.LatencyRegions (the client's
//     preference, best first, which the caller derives from an operator
//     map or from distance: Amazon's latency data is not available); records
//     whose Region the list omits come after, by region name, so an empty
//     list orders by name. A cn-north-1 record comes first for a client
//     whose Location.Country is CN (§6.4: it always answers queries from
//     inside China). First healthy; all down, the first.
//   - Geoproximity: the smallest biased distance from the client's
//     coordinates to the record's point (Distance, haversine; bias b > 0:
//     d×(1−b/100), b < 0: d/(1+b/100)); unhealthy, the next nearest (§6.4
//     leaves it open; this is the natural reading); all down, the nearest.
//     A client without coordinates is at distance 0 from every record, so
//     group order decides.
//
// Ties in the last three go to group order. These four policies depend on
// the client: they are not Deterministic, and UsesClient reports trees
// holding them, so the DNS layer neither caches their answers nor fails to
// set the client-subnet scope. The package stays free of databases: the
// caller fills Query.Location and Query.LatencyRegions (see internal/geo).
//
// A Group with no records, an alias with a nil Target (dangling) and an
// alias whose target is already on the path from the root (a cycle) or
// deeper than MaxDepth groups all yield nothing, and with
// EvaluateTargetHealth they are unhealthy. Route 53 makes aliases target
// existing records, but later edits can still form loops (§14 #44); a cycle
// is thus an empty branch, never a hang. A tree deeper than MaxDepth is
// treated the same way below that depth.
//
// # Determinism and cost
//
// Deterministic reports the trees for which Select never consults its Rand
// (simple and failover groups, weighted groups with at most one record of
// positive weight and one of weight 0, multivalue groups of at most
// MaxMultiValue records, and aliases to such; never a client-dependent
// policy): their answers depend only on the health view, so the DNS layer
// can cache them per health epoch. A nil Rand behaves as one that always
// returns 0.
//
// Select does not allocate unless the answer holds several records: a
// single record comes back as a one-element slice of its group's Records
// (callers must not modify it). AppendSelect appends instead, for callers
// that reuse a buffer. Each call evaluates a group's health at most once
// (for up to 32 alias-target groups), so its work is linear in the size of
// the tree even when aliases share targets.
package routing
