package model

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Batch limits (reference §7.4, §10).
const (
	MaxBatchRecords    = 1000
	MaxBatchValueChars = 32000
	MaxRecordsPerZone  = 10000
)

// Error codes a change batch can fail with.
const (
	CodeInvalidInput       = "InvalidInput"
	CodeInvalidChangeBatch = "InvalidChangeBatch"
)

// BatchError reports why a change batch was refused. Code is InvalidInput for
// a malformed request and InvalidChangeBatch for a well-formed batch that
// cannot be applied; Messages lists every problem found.
type BatchError struct {
	Code     string
	Messages []string
}

func (e *BatchError) Error() string {
	if e.Code == CodeInvalidChangeBatch {
		return "[" + strings.Join(e.Messages, ", ") + "]"
	}
	return strings.Join(e.Messages, "; ")
}

// BatchResult is the outcome of applying a valid batch to a zone: the record
// sets to write (their full new state) and the keys to delete.
type BatchResult struct {
	Puts    []RecordSet
	Deletes []RecordKey
	// RecordSetCount is the zone's record-set count after the batch.
	RecordSetCount int64
}

// ApplyBatch validates batch against zone and its current record sets and, when
// every change is valid, returns what to write. It is pure: the caller applies
// the result atomically. Names in the batch may be in Route 53's API form;
// they are canonicalised here (the batch is modified in place).
func ApplyBatch(zone *HostedZone, current []RecordSet, batch *ChangeBatch) (*BatchResult, *BatchError) {
	if len(batch.Changes) == 0 {
		return nil, &BatchError{Code: CodeInvalidInput, Messages: []string{"Invalid request: ChangeBatch must contain at least one Change"}}
	}
	if len(batch.Comment) > 256 {
		return nil, &BatchError{Code: CodeInvalidInput, Messages: []string{"Invalid parameter : Comment is longer than 256 characters"}}
	}
	var msgs []string
	for i := range batch.Changes {
		c := &batch.Changes[i]
		bad, semantic := checkChange(zone, c)
		if bad != "" {
			return nil, &BatchError{Code: CodeInvalidInput, Messages: []string{bad}}
		}
		msgs = append(msgs, semantic...)
	}
	msgs = append(msgs, checkBatchSize(batch)...)
	// Keep going after content problems so one answer names every problem.
	work := make(map[RecordKey]RecordSet, len(current))
	for _, r := range current {
		work[r.Key()] = r
	}
	touched := map[RecordKey]bool{}
	for _, c := range batch.Changes {
		if m := applyOne(work, c); m != "" {
			msgs = append(msgs, m)
		}
		touched[c.RecordSet.Key()] = true
	}
	msgs = append(msgs, checkNames(zone, work, touched)...)
	msgs = append(msgs, checkGroups(zone, work, touched)...)
	if len(work) > MaxRecordsPerZone {
		msgs = append(msgs, fmt.Sprintf("The number of resource record sets in hosted zone %s would exceed the limit of %d", zone.ID, MaxRecordsPerZone))
	}
	if len(msgs) > 0 {
		return nil, &BatchError{Code: CodeInvalidChangeBatch, Messages: msgs}
	}
	res := &BatchResult{RecordSetCount: int64(len(work))}
	keys := make([]RecordKey, 0, len(touched))
	for k := range touched {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keyLess(keys[i], keys[j]) })
	before := make(map[RecordKey]bool, len(current))
	for _, r := range current {
		before[r.Key()] = true
	}
	for _, k := range keys {
		if r, ok := work[k]; ok {
			res.Puts = append(res.Puts, r)
		} else if before[k] {
			res.Deletes = append(res.Deletes, k)
		}
	}
	return res, nil
}

func keyLess(a, b RecordKey) bool {
	if a.Name != b.Name {
		return a.Name < b.Name
	}
	if a.Type != b.Type {
		return a.Type < b.Type
	}
	return a.SetIdentifier < b.SetIdentifier
}

// describe renders a record set's identity the way Route 53 messages do.
func describe(r *RecordSet) string {
	if r.SetIdentifier != "" {
		return fmt.Sprintf("[name='%s', type='%s', set-identifier='%s']", APIName(r.Name), r.Type, r.SetIdentifier)
	}
	return fmt.Sprintf("[name='%s', type='%s']", APIName(r.Name), r.Type)
}

// checkChange canonicalises one change and returns an InvalidInput message
// (malformed request) or InvalidChangeBatch messages (invalid content).
func checkChange(zone *HostedZone, c *Change) (string, []string) {
	r := &c.RecordSet
	switch c.Action {
	case ActionCreate, ActionDelete, ActionUpsert:
	default:
		return fmt.Sprintf("Invalid parameter : Action '%s' is not one of CREATE, DELETE, UPSERT", c.Action), nil
	}
	if _, ok := SupportedTypes[r.Type]; !ok {
		return fmt.Sprintf("Invalid parameter : Type '%s' is not a supported record type", r.Type), nil
	}
	if m := checkRouting(r); m != "" {
		return m, nil
	}
	if r.AliasTarget != nil {
		if m := checkAliasFields(c); m != "" {
			return m, nil
		}
		return canonicalName(zone, r)
	}
	if r.TrafficPolicyInstanceID != "" || r.TTL == nil || len(r.Values) == 0 {
		return fmt.Sprintf("Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords], or TrafficPolicyInstanceId], but found none in Change with [Action=%s, Name=%s, Type=%s, SetIdentifier=%s]",
			c.Action, r.Name, r.Type, nullable(r.SetIdentifier)), nil
	}
	if *r.TTL < 0 || *r.TTL > MaxTTL {
		return fmt.Sprintf("Invalid parameter : TTL %d is outside 0..%d", *r.TTL, MaxTTL), nil
	}
	if len(r.Values) > MaxValuesPerSet {
		return fmt.Sprintf("Invalid parameter : a record set may hold at most %d values", MaxValuesPerSet), nil
	}
	bad, msgs := canonicalName(zone, r)
	if bad != "" || r.Name == "" {
		return bad, msgs
	}
	return "", append(msgs, checkValues(zone, r)...)
}

// canonicalName canonicalises r.Name and checks that it lies in the zone.
func canonicalName(zone *HostedZone, r *RecordSet) (string, []string) {
	name, err := ParseAPIName(r.Name)
	if err != nil {
		return "", []string{fmt.Sprintf("Invalid domain name: '%s'", r.Name)}
	}
	r.Name = name
	if !IsInZone(name, zone.Name) {
		return "", []string{fmt.Sprintf("RRSet with DNS name %s is not permitted in zone %s", APIName(name), APIName(zone.Name))}
	}
	return "", nil
}

func nullable(s string) string {
	if s == "" {
		return "null"
	}
	return s
}

func checkValues(zone *HostedZone, r *RecordSet) []string {
	var msgs []string
	seen := map[string]bool{}
	for _, v := range r.Values {
		rr, err := ParseRR(r.Name, r.Type, uint32(*r.TTL), v)
		if err != nil {
			msgs = append(msgs, err.Error())
			continue
		}
		k := rdataKey(rr)
		if seen[k] {
			msgs = append(msgs, fmt.Sprintf("Duplicate Resource Record: '%s'", v))
		}
		seen[k] = true
	}
	switch {
	case (r.Type == "CNAME" || r.Type == "SOA") && len(r.Values) > 1:
		msgs = append(msgs, fmt.Sprintf("RRSet of type %s with DNS name %s %s", r.Type, APIName(r.Name), singleValueReason))
	case r.Type == "SOA" && r.Name != zone.Name:
		msgs = append(msgs, fmt.Sprintf("RRSet of type SOA with DNS name %s is not permitted because SOA records are only allowed at the zone apex %s", APIName(r.Name), APIName(zone.Name)))
	case r.Type == "NS" && strings.HasPrefix(r.Name, "*."):
		msgs = append(msgs, fmt.Sprintf("RRSet of type NS with DNS name %s is not permitted because wildcard NS records are not allowed", APIName(r.Name)))
	case r.Type == "CNAME" && r.Name == zone.Name:
		msgs = append(msgs, fmt.Sprintf("RRSet of type CNAME with DNS name %s is not permitted at apex in zone %s", APIName(r.Name), APIName(zone.Name)))
	}
	return msgs
}

func checkBatchSize(b *ChangeBatch) []string {
	records, chars := 0, 0
	for _, c := range b.Changes {
		n, ch := len(c.RecordSet.Values), 0
		if c.RecordSet.AliasTarget != nil {
			n = 1
		}
		for _, v := range c.RecordSet.Values {
			ch += len(v)
		}
		if c.Action == ActionUpsert {
			n, ch = 2*n, 2*ch
		}
		records += n
		chars += ch
	}
	var msgs []string
	if records > MaxBatchRecords {
		msgs = append(msgs, fmt.Sprintf("Number of records limit of %d exceeded.", MaxBatchRecords))
	}
	if chars > MaxBatchValueChars {
		msgs = append(msgs, fmt.Sprintf("Number of characters limit of %d exceeded.", MaxBatchValueChars))
	}
	return msgs
}

// applyOne applies one change to the working set, returning a message when it
// cannot be applied.
func applyOne(work map[RecordKey]RecordSet, c Change) string {
	k := c.RecordSet.Key()
	old, exists := work[k]
	switch c.Action {
	case ActionCreate:
		if exists {
			return fmt.Sprintf("Tried to create resource record set %s but it already exists", describe(&c.RecordSet))
		}
		work[k] = c.RecordSet
	case ActionUpsert:
		work[k] = c.RecordSet
	case ActionDelete:
		if !exists {
			return fmt.Sprintf("Tried to delete resource record set %s but it was not found", describe(&c.RecordSet))
		}
		if !SameRecordSet(&old, &c.RecordSet) {
			return fmt.Sprintf("Tried to delete resource record set %s but the values provided do not match the current values", describe(&c.RecordSet))
		}
		delete(work, k)
	}
	return ""
}

// SameRecordSet reports whether two record sets with the same key have the
// same TTL, values (in any order, compared as parsed data) and settings.
func SameRecordSet(a, b *RecordSet) bool {
	if a.Key() != b.Key() || !eqInt(a.TTL, b.TTL) || len(a.Values) != len(b.Values) ||
		a.HealthCheckID != b.HealthCheckID || (a.AliasTarget == nil) != (b.AliasTarget == nil) {
		return false
	}
	if a.AliasTarget != nil && *a.AliasTarget != *b.AliasTarget {
		return false
	}
	ka, kb := valueKeys(a), valueKeys(b)
	return ka != nil && kb != nil && slices.Equal(ka, kb)
}

func eqInt(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func valueKeys(r *RecordSet) []string {
	out := make([]string, 0, len(r.Values))
	for _, v := range r.Values {
		rr, err := ParseRR(r.Name, r.Type, 0, v)
		if err != nil {
			return nil
		}
		out = append(out, rdataKey(rr))
	}
	sort.Strings(out)
	return out
}

// checkNames checks the rules that involve several record sets of a name:
// CNAME exclusivity and the apex SOA/NS requirements.
func checkNames(zone *HostedZone, work map[RecordKey]RecordSet, touched map[RecordKey]bool) []string {
	names := map[string]bool{}
	for k := range touched {
		names[k.Name] = true
	}
	byName := map[string][]string{}
	for k := range work {
		if names[k.Name] {
			byName[k.Name] = append(byName[k.Name], k.Type)
		}
	}
	var msgs []string
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		types := byName[n]
		sort.Strings(types)
		if slices.Contains(types, "CNAME") && len(types) > 1 {
			for _, t := range types {
				if t != "CNAME" && touched[RecordKey{Name: n, Type: t}] {
					msgs = append(msgs, fmt.Sprintf("RRSet of type %s with DNS name %s is not permitted because a conflicting RRSet of type  CNAME with the same DNS name already exists in zone %s.", t, APIName(n), APIName(zone.Name)))
				}
			}
			if touched[RecordKey{Name: n, Type: "CNAME"}] {
				msgs = append(msgs, fmt.Sprintf("RRSet of type CNAME with DNS name %s is not permitted as it conflicts with other records with the same DNS name in zone %s", APIName(n), APIName(zone.Name)))
			}
		}
		if n == zone.Name {
			if !slices.Contains(types, "SOA") {
				msgs = append(msgs, "A HostedZone must contain exactly one SOA record.")
			}
			if !slices.Contains(types, "NS") {
				msgs = append(msgs, "A HostedZone must contain at least one NS record for the zone itself.")
			}
		}
	}
	return msgs
}
