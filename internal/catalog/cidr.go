package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/store"
)

// CIDR collection key layout:
//
//	cidrcollections/<id>       model.CidrCollection
//	cidrrefs/<caller-ref>      collection id
const (
	CidrCollectionsPrefix = "cidrcollections/"
	CidrRefsPrefix        = "cidrrefs/"
)

// CIDR collection errors.
var (
	ErrNoSuchCidrCollection = errors.New("no such CIDR collection")
	ErrCidrCollectionExists = errors.New("CIDR collection name used with another caller reference")
	ErrCidrLimit            = errors.New("CIDR collection limit reached")
	ErrNoSuchCidrLocation   = errors.New("no such CIDR location")
	ErrCidrCollectionInUse  = errors.New("CIDR collection in use")
)

// checkCidrRefs checks that IP-based record sets name existing collections
// and locations ("*" is every collection's default location).
func (c *Catalog) checkCidrRefs(ctx context.Context, puts []model.RecordSet) error {
	for _, r := range puts {
		cfg := r.CidrRoutingConfig
		if cfg == nil {
			continue
		}
		cc, _, err := c.CidrCollection(ctx, cfg.CollectionID)
		if err != nil {
			return fmt.Errorf("%w: %s", err, cfg.CollectionID)
		}
		if _, ok := cc.Locations[cfg.LocationName]; !ok && cfg.LocationName != "*" {
			return fmt.Errorf("%w: %s in collection %s", ErrNoSuchCidrLocation, cfg.LocationName, cfg.CollectionID)
		}
	}
	return nil
}

// CidrCollections returns every collection, in id order.
func (c *Catalog) CidrCollections(ctx context.Context) ([]model.CidrCollection, error) {
	kvs, _, err := c.st.Range(ctx, CidrCollectionsPrefix)
	if err != nil {
		return nil, fmt.Errorf("list CIDR collections: %w", err)
	}
	out := make([]model.CidrCollection, 0, len(kvs))
	for _, kv := range kvs {
		var cc model.CidrCollection
		if err := json.Unmarshal(kv.Value, &cc); err != nil {
			return nil, fmt.Errorf("decode %s: %w", kv.Key, err)
		}
		out = append(out, cc)
	}
	return out, nil
}

// CidrCollection returns one collection and its key's ModRevision.
func (c *Catalog) CidrCollection(ctx context.Context, id string) (model.CidrCollection, int64, error) {
	var cc model.CidrCollection
	kv, ok, _, err := c.st.Get(ctx, CidrCollectionsPrefix+id)
	if err != nil {
		return cc, 0, err
	}
	if !ok {
		return cc, 0, ErrNoSuchCidrCollection
	}
	return cc, kv.ModRevision, json.Unmarshal(kv.Value, &cc)
}

// CreateCidrCollection stores cc unless its name is taken by a collection
// with another caller reference; the same name and reference return the
// existing collection (created=false).
func (c *Catalog) CreateCidrCollection(ctx context.Context, cc model.CidrCollection) (model.CidrCollection, bool, error) {
	for range maxConflictRetries {
		all, err := c.CidrCollections(ctx)
		if err != nil {
			return cc, false, err
		}
		for _, o := range all {
			if o.Name == cc.Name {
				if o.CallerReference == cc.CallerReference {
					return o, false, nil
				}
				return cc, false, ErrCidrCollectionExists
			}
		}
		if len(all) >= model.MaxCidrCollections {
			return cc, false, ErrCidrLimit
		}
		refKey := CidrRefsPrefix + cc.CallerReference
		cmps := []store.Compare{store.NotExists(refKey)}
		for _, o := range all {
			_, rev, err := c.CidrCollection(ctx, o.ID)
			if err != nil {
				return cc, false, err
			}
			cmps = append(cmps, store.ModRevisionIs(CidrCollectionsPrefix+o.ID, rev))
		}
		// Guard the count: any collection created meanwhile changes the range.
		cmps = append(cmps, store.NotExists(CidrCollectionsPrefix+cc.ID))
		res, err := c.st.Txn(ctx, store.Txn{If: cmps, Then: []store.Op{
			store.Put(CidrCollectionsPrefix+cc.ID, mustJSON(cc)), store.Put(refKey, []byte(cc.ID))}})
		if err != nil {
			return cc, false, fmt.Errorf("create CIDR collection: %w", err)
		}
		if res.Succeeded {
			return cc, true, nil
		}
		if _, used, _, _ := c.st.Get(ctx, refKey); used {
			return cc, false, ErrCidrCollectionExists
		}
	}
	return cc, false, fmt.Errorf("create CIDR collection: %w", errConflict)
}

// ChangeCidrCollection applies changes when version is 0 or the stored version.
func (c *Catalog) ChangeCidrCollection(ctx context.Context, id string, version int64, changes []model.CidrChange) (model.CidrCollection, error) {
	for range maxConflictRetries {
		cc, rev, err := c.CidrCollection(ctx, id)
		if err != nil {
			return cc, err
		}
		if version != 0 && version != cc.Version {
			return cc, ErrVersionMismatch
		}
		locs, err := model.ApplyCidrChanges(cc, changes)
		if err != nil {
			return cc, err
		}
		cc.Locations, cc.Version = locs, cc.Version+1
		res, err := c.st.Txn(ctx, store.Txn{If: []store.Compare{store.ModRevisionIs(CidrCollectionsPrefix+id, rev)},
			Then: []store.Op{store.Put(CidrCollectionsPrefix+id, mustJSON(cc))}})
		if err != nil {
			return cc, fmt.Errorf("change CIDR collection %s: %w", id, err)
		}
		if res.Succeeded {
			return cc, nil
		}
	}
	return model.CidrCollection{}, fmt.Errorf("change CIDR collection %s: %w", id, errConflict)
}

// DeleteCidrCollection removes a collection no record set uses
// (ErrCidrCollectionInUse otherwise).
func (c *Catalog) DeleteCidrCollection(ctx context.Context, id string) error {
	cc, rev, err := c.CidrCollection(ctx, id)
	if err != nil {
		return err
	}
	kvs, _, err := c.st.Range(ctx, RecordsPrefix)
	if err != nil {
		return err
	}
	for _, kv := range kvs {
		var r model.RecordSet
		if json.Unmarshal(kv.Value, &r) == nil && r.CidrRoutingConfig != nil && r.CidrRoutingConfig.CollectionID == id {
			return ErrCidrCollectionInUse
		}
	}
	res, err := c.st.Txn(ctx, store.Txn{If: []store.Compare{store.ModRevisionIs(CidrCollectionsPrefix+id, rev)},
		Then: []store.Op{store.Delete(CidrCollectionsPrefix + id), store.Delete(CidrRefsPrefix + cc.CallerReference)}})
	if err != nil {
		return fmt.Errorf("delete CIDR collection %s: %w", id, err)
	}
	if !res.Succeeded {
		return fmt.Errorf("delete CIDR collection %s: %w", id, errConflict)
	}
	return nil
}
