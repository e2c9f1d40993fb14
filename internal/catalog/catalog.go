// Package catalog owns the key layout of Vedette's configuration in the
// store and the typed, transactional reads and writes of hosted zones,
// record sets and changes on top of store.Store.
//
// Key layout (values are JSON of the model types):
//
//	zones/<zone-id>                              model.HostedZone
//	zonerefs/<caller-reference>                  zone id (CreateHostedZone idempotency)
//	records/<zone-id>/<name>/<type>/<set-id>     model.RecordSet (name canonical)
//	changes/<change-id>                          model.ChangeInfo
//
// Every change to a zone's records also rewrites zones/<zone-id> (its record
// count), so a transaction guarded by the zone key's ModRevision sees a
// consistent zone: concurrent batches on one zone serialise, batches on
// different zones do not contend.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/store"
)

// Key prefixes.
const (
	ZonesPrefix    = "zones/"
	ZoneRefsPrefix = "zonerefs/"
	RecordsPrefix  = "records/"
	ChangesPrefix  = "changes/"
)

// Sentinel errors.
var (
	ErrNoSuchZone      = errors.New("no such hosted zone")
	ErrZoneRefExists   = errors.New("caller reference already used")
	ErrZoneNotEmpty    = errors.New("hosted zone not empty")
	ErrNoSuchChange    = errors.New("no such change")
	errConflict        = errors.New("concurrent modification")
	maxConflictRetries = 32
)

// ZoneKey returns the key of a zone.
func ZoneKey(id string) string { return ZonesPrefix + id }

// RecordsKeyPrefix returns the prefix of a zone's record sets.
func RecordsKeyPrefix(zoneID string) string { return RecordsPrefix + zoneID + "/" }

// RecordKey returns the key of one record set.
func RecordKey(zoneID string, k model.RecordKey) string {
	return RecordsKeyPrefix(zoneID) + k.Name + "/" + k.Type + "/" + k.SetIdentifier
}

// ZoneIDOfRecordKey returns the zone id of a records/ key.
func ZoneIDOfRecordKey(key string) (string, bool) {
	rest, ok := strings.CutPrefix(key, RecordsPrefix)
	if !ok {
		return "", false
	}
	id, _, ok := strings.Cut(rest, "/")
	return id, ok
}

// Catalog reads and writes configuration in a store.
type Catalog struct {
	st store.Store
}

// New returns a Catalog over st.
func New(st store.Store) *Catalog { return &Catalog{st: st} }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("catalog: marshal %T: %v", v, err))
	}
	return b
}

// CreateZone stores a new zone with its initial record sets and change, unless
// its caller reference was used before (ErrZoneRefExists).
func (c *Catalog) CreateZone(ctx context.Context, z model.HostedZone, records []model.RecordSet, ch *model.ChangeInfo) error {
	z.RecordSetCount = int64(len(records))
	refKey := ZoneRefsPrefix + z.CallerReference
	ops := []store.Op{
		store.Put(ZoneKey(z.ID), mustJSON(z)),
		store.Put(refKey, []byte(z.ID)),
	}
	for _, r := range records {
		ops = append(ops, store.Put(RecordKey(z.ID, r.Key()), mustJSON(r)))
	}
	ch.ZoneID = z.ID
	res, err := c.st.Txn(ctx, store.Txn{
		If:   []store.Compare{store.NotExists(refKey), store.NotExists(ZoneKey(z.ID))},
		Then: append(ops, changeOp(ch)),
	})
	if err != nil {
		return fmt.Errorf("create zone %s: %w", z.ID, err)
	}
	if !res.Succeeded {
		return ErrZoneRefExists
	}
	ch.Revision = res.Revision
	return nil
}

// changeOp writes a change record in the transaction that carries the change,
// so the record's ModRevision is the change's revision.
func changeOp(ch *model.ChangeInfo) store.Op {
	return store.Put(ChangesPrefix+ch.ID, mustJSON(ch))
}

// Zone returns one zone and the ModRevision of its key.
func (c *Catalog) Zone(ctx context.Context, id string) (model.HostedZone, int64, error) {
	var z model.HostedZone
	kv, ok, _, err := c.st.Get(ctx, ZoneKey(id))
	if err != nil {
		return z, 0, fmt.Errorf("get zone %s: %w", id, err)
	}
	if !ok {
		return z, 0, ErrNoSuchZone
	}
	if err := json.Unmarshal(kv.Value, &z); err != nil {
		return z, 0, fmt.Errorf("decode zone %s: %w", id, err)
	}
	return z, kv.ModRevision, nil
}

// Zones returns every zone, in id order.
func (c *Catalog) Zones(ctx context.Context) ([]model.HostedZone, error) {
	kvs, _, err := c.st.Range(ctx, ZonesPrefix)
	if err != nil {
		return nil, fmt.Errorf("list zones: %w", err)
	}
	out := make([]model.HostedZone, 0, len(kvs))
	for _, kv := range kvs {
		var z model.HostedZone
		if err := json.Unmarshal(kv.Value, &z); err != nil {
			return nil, fmt.Errorf("decode %s: %w", kv.Key, err)
		}
		out = append(out, z)
	}
	return out, nil
}

// Records returns every record set of a zone (unordered for callers: sort as needed).
func (c *Catalog) Records(ctx context.Context, zoneID string) ([]model.RecordSet, error) {
	kvs, _, err := c.st.Range(ctx, RecordsKeyPrefix(zoneID))
	if err != nil {
		return nil, fmt.Errorf("list records of %s: %w", zoneID, err)
	}
	out := make([]model.RecordSet, 0, len(kvs))
	for _, kv := range kvs {
		var r model.RecordSet
		if err := json.Unmarshal(kv.Value, &r); err != nil {
			return nil, fmt.Errorf("decode %s: %w", kv.Key, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// ApplyChanges validates batch against the zone's current records and applies
// it atomically together with ch. A *model.BatchError reports an invalid batch.
func (c *Catalog) ApplyChanges(ctx context.Context, zoneID string, batch *model.ChangeBatch, ch *model.ChangeInfo) error {
	ch.ZoneID = zoneID
	for range maxConflictRetries {
		err := c.tryApply(ctx, zoneID, batch, ch)
		if !errors.Is(err, errConflict) {
			return err
		}
	}
	return fmt.Errorf("apply changes to %s: %w", zoneID, errConflict)
}

func (c *Catalog) tryApply(ctx context.Context, zoneID string, batch *model.ChangeBatch, ch *model.ChangeInfo) error {
	z, zrev, err := c.Zone(ctx, zoneID)
	if err != nil {
		return err
	}
	current, err := c.Records(ctx, zoneID)
	if err != nil {
		return err
	}
	b := cloneBatch(batch)
	res, berr := model.ApplyBatch(&z, current, b)
	if berr != nil {
		return berr
	}
	z.RecordSetCount = res.RecordSetCount
	before := make(map[model.RecordKey]string, len(current))
	for _, r := range current {
		if r.HealthCheckID != "" {
			before[r.Key()] = r.HealthCheckID
		}
	}
	refCmps, refOps, err := c.referenceOps(ctx, zoneID, before, res)
	if err != nil {
		return err
	}
	if err := c.checkCidrRefs(ctx, res.Puts); err != nil {
		return err
	}
	ops := append([]store.Op{store.Put(ZoneKey(zoneID), mustJSON(z))}, refOps...)
	for _, r := range res.Puts {
		ops = append(ops, store.Put(RecordKey(zoneID, r.Key()), mustJSON(r)))
	}
	for _, k := range res.Deletes {
		ops = append(ops, store.Delete(RecordKey(zoneID, k)))
	}
	ops = append(ops, changeOp(ch))
	cmps := append([]store.Compare{store.ModRevisionIs(ZoneKey(zoneID), zrev)}, refCmps...)
	tr, err := c.st.Txn(ctx, store.Txn{If: cmps, Then: ops})
	if err != nil {
		return fmt.Errorf("apply changes to %s: %w", zoneID, err)
	}
	if !tr.Succeeded {
		return errConflict
	}
	*batch = *b
	ch.Revision = tr.Revision
	return nil
}

// cloneBatch copies a batch so a retry starts from the caller's input.
func cloneBatch(b *model.ChangeBatch) *model.ChangeBatch {
	out := &model.ChangeBatch{Comment: b.Comment, Changes: make([]model.Change, len(b.Changes))}
	copy(out.Changes, b.Changes)
	return out
}

// UpdateComment sets a zone's comment and returns the updated zone.
func (c *Catalog) UpdateComment(ctx context.Context, zoneID, comment string) (model.HostedZone, error) {
	for range maxConflictRetries {
		z, zrev, err := c.Zone(ctx, zoneID)
		if err != nil {
			return z, err
		}
		z.Comment = comment
		tr, err := c.st.Txn(ctx, store.Txn{
			If:   []store.Compare{store.ModRevisionIs(ZoneKey(zoneID), zrev)},
			Then: []store.Op{store.Put(ZoneKey(zoneID), mustJSON(z))},
		})
		if err != nil {
			return z, fmt.Errorf("update zone %s: %w", zoneID, err)
		}
		if tr.Succeeded {
			return z, nil
		}
	}
	return model.HostedZone{}, fmt.Errorf("update zone %s: %w", zoneID, errConflict)
}

// DeleteZone removes a zone that holds only its apex SOA and NS record sets.
func (c *Catalog) DeleteZone(ctx context.Context, zoneID string, ch *model.ChangeInfo) error {
	ch.ZoneID = zoneID
	for range maxConflictRetries {
		z, zrev, err := c.Zone(ctx, zoneID)
		if err != nil {
			return err
		}
		recs, err := c.Records(ctx, zoneID)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if r.Name != z.Name || (r.Type != "SOA" && r.Type != "NS") {
				return ErrZoneNotEmpty
			}
		}
		tr, err := c.st.Txn(ctx, store.Txn{
			If: []store.Compare{store.ModRevisionIs(ZoneKey(zoneID), zrev)},
			Then: []store.Op{
				store.Delete(ZoneKey(zoneID)),
				store.Delete(ZoneRefsPrefix + z.CallerReference),
				store.DeletePrefix(RecordsKeyPrefix(zoneID)),
				store.Delete(tagsKey("hostedzone", zoneID)),
				changeOp(ch),
			},
		})
		if err != nil {
			return fmt.Errorf("delete zone %s: %w", zoneID, err)
		}
		if tr.Succeeded {
			ch.Revision = tr.Revision
			return nil
		}
	}
	return fmt.Errorf("delete zone %s: %w", zoneID, errConflict)
}

// Change returns a recorded change.
func (c *Catalog) Change(ctx context.Context, id string) (model.ChangeInfo, error) {
	var ch model.ChangeInfo
	kv, ok, _, err := c.st.Get(ctx, ChangesPrefix+id)
	if err != nil {
		return ch, fmt.Errorf("get change %s: %w", id, err)
	}
	if !ok {
		return ch, ErrNoSuchChange
	}
	if err := json.Unmarshal(kv.Value, &ch); err != nil {
		return ch, fmt.Errorf("decode change %s: %w", id, err)
	}
	ch.Revision = kv.ModRevision
	return ch, nil
}
