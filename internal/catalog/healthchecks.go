package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/store"
)

// Health-check key layout:
//
//	healthchecks/<id>          model.HealthCheck
//	hcrefs/<caller-reference>  hcRef (kept after deletion: a deleted check's reference stays used)
//	hcuse/<id>                 []string of referencing record keys; absent when unused
//	tags/<type>/<id>           []model.Tag
const (
	HealthChecksPrefix = "healthchecks/"
	HCRefsPrefix       = "hcrefs/"
	HCUsePrefix        = "hcuse/"
	TagsPrefix         = "tags/"
)

// Health-check errors.
var (
	ErrNoSuchHealthCheck   = errors.New("no such health check")
	ErrHealthCheckExists   = errors.New("caller reference used by another health check")
	ErrHealthCheckInUse    = errors.New("health check in use")
	ErrVersionMismatch     = errors.New("health check version mismatch")
	ErrNoSuchResource      = errors.New("no such resource")
	errHealthCheckConflict = errConflict
)

type hcRef struct {
	ID      string                  `json:"id"`
	Deleted bool                    `json:"deleted,omitempty"`
	Config  model.HealthCheckConfig `json:"config"`
}

// HealthCheckKey returns the key of a health check.
func HealthCheckKey(id string) string { return HealthChecksPrefix + id }

// CreateHealthCheck stores hc unless its caller reference is taken. A reuse
// with the same configuration of a live check returns that check and
// created=false (idempotent retry); any other reuse is ErrHealthCheckExists.
func (c *Catalog) CreateHealthCheck(ctx context.Context, hc model.HealthCheck) (model.HealthCheck, bool, error) {
	refKey := HCRefsPrefix + hc.CallerReference
	for range maxConflictRetries {
		res, err := c.st.Txn(ctx, store.Txn{
			If: []store.Compare{store.NotExists(refKey)},
			Then: []store.Op{
				store.Put(HealthCheckKey(hc.ID), mustJSON(hc)),
				store.Put(refKey, mustJSON(hcRef{ID: hc.ID, Config: hc.Config})),
			},
		})
		if err != nil {
			return hc, false, fmt.Errorf("create health check: %w", err)
		}
		if res.Succeeded {
			return hc, true, nil
		}
		kv, ok, _, err := c.st.Get(ctx, refKey)
		if err != nil {
			return hc, false, err
		}
		if !ok {
			continue // the reference vanished meanwhile; try again
		}
		var ref hcRef
		if err := json.Unmarshal(kv.Value, &ref); err != nil {
			return hc, false, fmt.Errorf("decode %s: %w", refKey, err)
		}
		if ref.Deleted || !reflect.DeepEqual(ref.Config, hc.Config) {
			return hc, false, ErrHealthCheckExists
		}
		existing, _, err := c.HealthCheck(ctx, ref.ID)
		if errors.Is(err, ErrNoSuchHealthCheck) {
			return hc, false, ErrHealthCheckExists
		}
		return existing, false, err
	}
	return hc, false, fmt.Errorf("create health check: %w", errConflict)
}

// HealthCheck returns one health check and its key's ModRevision.
func (c *Catalog) HealthCheck(ctx context.Context, id string) (model.HealthCheck, int64, error) {
	var hc model.HealthCheck
	kv, ok, _, err := c.st.Get(ctx, HealthCheckKey(id))
	if err != nil {
		return hc, 0, fmt.Errorf("get health check %s: %w", id, err)
	}
	if !ok {
		return hc, 0, ErrNoSuchHealthCheck
	}
	if err := json.Unmarshal(kv.Value, &hc); err != nil {
		return hc, 0, fmt.Errorf("decode health check %s: %w", id, err)
	}
	return hc, kv.ModRevision, nil
}

// HealthChecks returns every health check in id order.
func (c *Catalog) HealthChecks(ctx context.Context) ([]model.HealthCheck, error) {
	kvs, _, err := c.st.Range(ctx, HealthChecksPrefix)
	if err != nil {
		return nil, fmt.Errorf("list health checks: %w", err)
	}
	out := make([]model.HealthCheck, 0, len(kvs))
	for _, kv := range kvs {
		var hc model.HealthCheck
		if err := json.Unmarshal(kv.Value, &hc); err != nil {
			return nil, fmt.Errorf("decode %s: %w", kv.Key, err)
		}
		out = append(out, hc)
	}
	return out, nil
}

// UpdateHealthCheck applies update to the stored check. When version is
// non-zero it must equal the stored version (else ErrVersionMismatch).
// update changes the check in place or returns an error that is passed
// through.
func (c *Catalog) UpdateHealthCheck(ctx context.Context, id string, version int64, update func(*model.HealthCheck) error) (model.HealthCheck, error) {
	for range maxConflictRetries {
		hc, rev, err := c.HealthCheck(ctx, id)
		if err != nil {
			return hc, err
		}
		if version != 0 && version != hc.Version {
			return hc, ErrVersionMismatch
		}
		if err := update(&hc); err != nil {
			return hc, err
		}
		hc.Version++
		res, err := c.st.Txn(ctx, store.Txn{
			If:   []store.Compare{store.ModRevisionIs(HealthCheckKey(id), rev)},
			Then: []store.Op{store.Put(HealthCheckKey(id), mustJSON(hc))},
		})
		if err != nil {
			return hc, fmt.Errorf("update health check %s: %w", id, err)
		}
		if res.Succeeded {
			return hc, nil
		}
	}
	return model.HealthCheck{}, fmt.Errorf("update health check %s: %w", id, errHealthCheckConflict)
}

// DeleteHealthCheck removes a check that no record set references
// (ErrHealthCheckInUse otherwise). Its caller reference stays used.
func (c *Catalog) DeleteHealthCheck(ctx context.Context, id string) error {
	for range maxConflictRetries {
		hc, rev, err := c.HealthCheck(ctx, id)
		if err != nil {
			return err
		}
		if _, used, _, err := c.st.Get(ctx, HCUsePrefix+id); err != nil {
			return err
		} else if used {
			return ErrHealthCheckInUse
		}
		res, err := c.st.Txn(ctx, store.Txn{
			If: []store.Compare{store.ModRevisionIs(HealthCheckKey(id), rev), store.NotExists(HCUsePrefix + id)},
			Then: []store.Op{
				store.Delete(HealthCheckKey(id)),
				store.Put(HCRefsPrefix+hc.CallerReference, mustJSON(hcRef{ID: id, Deleted: true, Config: hc.Config})),
				store.Delete(tagsKey("healthcheck", id)),
			},
		})
		if err != nil {
			return fmt.Errorf("delete health check %s: %w", id, err)
		}
		if res.Succeeded {
			return nil
		}
	}
	return fmt.Errorf("delete health check %s: %w", id, errHealthCheckConflict)
}

// HealthCheckUsers returns the record keys that reference a health check.
func (c *Catalog) HealthCheckUsers(ctx context.Context, id string) ([]string, error) {
	kv, ok, _, err := c.st.Get(ctx, HCUsePrefix+id)
	if err != nil || !ok {
		return nil, err
	}
	var users []string
	return users, json.Unmarshal(kv.Value, &users)
}

// referenceOps returns the compares and writes that keep hcuse/<id> in step
// with a batch's puts and deletes, and refuses references to missing checks.
func (c *Catalog) referenceOps(ctx context.Context, zoneID string, before map[model.RecordKey]string, res *model.BatchResult) ([]store.Compare, []store.Op, error) {
	delta := map[string]map[string]bool{} // check id -> record key -> referenced
	mark := func(hcID, key string, on bool) {
		if hcID == "" {
			return
		}
		if delta[hcID] == nil {
			delta[hcID] = map[string]bool{}
		}
		delta[hcID][key] = on
	}
	for _, k := range res.Deletes {
		mark(before[k], RecordKey(zoneID, k), false)
	}
	for _, r := range res.Puts {
		key := RecordKey(zoneID, r.Key())
		if old := before[r.Key()]; old != r.HealthCheckID {
			mark(old, key, false)
		}
		mark(r.HealthCheckID, key, true)
	}
	ids := make([]string, 0, len(delta))
	for id := range delta {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var cmps []store.Compare
	var ops []store.Op
	for _, id := range ids {
		c2, o, err := c.referenceOp(ctx, id, delta[id])
		if err != nil {
			return nil, nil, err
		}
		cmps, ops = append(cmps, c2...), append(ops, o)
	}
	return cmps, ops, nil
}

func (c *Catalog) referenceOp(ctx context.Context, id string, delta map[string]bool) ([]store.Compare, store.Op, error) {
	useKey := HCUsePrefix + id
	kv, ok, _, err := c.st.Get(ctx, useKey)
	if err != nil {
		return nil, store.Op{}, err
	}
	users := map[string]bool{}
	if ok {
		var list []string
		if err := json.Unmarshal(kv.Value, &list); err != nil {
			return nil, store.Op{}, fmt.Errorf("decode %s: %w", useKey, err)
		}
		for _, u := range list {
			users[u] = true
		}
	}
	adds := false
	for k, on := range delta {
		if on {
			users[k], adds = true, true
		} else {
			delete(users, k)
		}
	}
	cmps := []store.Compare{store.ModRevisionIs(useKey, kv.ModRevision)}
	if adds {
		_, rev, err := c.HealthCheck(ctx, id)
		if errors.Is(err, ErrNoSuchHealthCheck) {
			return nil, store.Op{}, fmt.Errorf("%w: a resource record set names HealthCheckId %s, which does not exist", err, id)
		}
		if err != nil {
			return nil, store.Op{}, err
		}
		cmps = append(cmps, store.ModRevisionIs(HealthCheckKey(id), rev))
	}
	if len(users) == 0 {
		return cmps, store.Delete(useKey), nil
	}
	list := make([]string, 0, len(users))
	for u := range users {
		list = append(list, u)
	}
	sort.Strings(list)
	return cmps, store.Put(useKey, mustJSON(list)), nil
}

func tagsKey(resourceType, id string) string { return TagsPrefix + resourceType + "/" + id }

// Tags returns a resource's tags, or ErrNoSuchResource.
func (c *Catalog) Tags(ctx context.Context, resourceType, id string) ([]model.Tag, error) {
	if err := c.resourceExists(ctx, resourceType, id); err != nil {
		return nil, err
	}
	kv, ok, _, err := c.st.Get(ctx, tagsKey(resourceType, id))
	if err != nil || !ok {
		return nil, err
	}
	var tags []model.Tag
	return tags, json.Unmarshal(kv.Value, &tags)
}

// HealthCheckNames returns the Name tag of every health check that has one,
// by id, from one read.
func (c *Catalog) HealthCheckNames(ctx context.Context) (map[string]string, error) {
	prefix := tagsKey("healthcheck", "")
	kvs, _, err := c.st.Range(ctx, prefix)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(kvs))
	for _, kv := range kvs {
		var tags []model.Tag
		if err := json.Unmarshal(kv.Value, &tags); err != nil {
			return nil, fmt.Errorf("tags %s: %w", kv.Key, err)
		}
		for _, t := range tags {
			if t.Key == "Name" {
				out[strings.TrimPrefix(kv.Key, prefix)] = t.Value
			}
		}
	}
	return out, nil
}

func (c *Catalog) resourceExists(ctx context.Context, resourceType, id string) (rerr error) {
	key := ZoneKey(id)
	if resourceType == "healthcheck" {
		key = HealthCheckKey(id)
	}
	_, ok, _, err := c.st.Get(ctx, key)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoSuchResource
	}
	return nil
}

// ChangeTags adds (or replaces) and removes tags atomically; check validates
// the resulting set (limits) before it is written.
func (c *Catalog) ChangeTags(ctx context.Context, resourceType, id string, add []model.Tag, remove []string, check func([]model.Tag) error) error {
	key := tagsKey(resourceType, id)
	for range maxConflictRetries {
		if err := c.resourceExists(ctx, resourceType, id); err != nil {
			return err
		}
		kv, _, _, err := c.st.Get(ctx, key)
		if err != nil {
			return err
		}
		var tags []model.Tag
		if len(kv.Value) > 0 {
			if err := json.Unmarshal(kv.Value, &tags); err != nil {
				return fmt.Errorf("decode %s: %w", key, err)
			}
		}
		tags = mergeTags(tags, add, remove)
		if err := check(tags); err != nil {
			return err
		}
		op := store.Put(key, mustJSON(tags))
		if len(tags) == 0 {
			op = store.Delete(key)
		}
		ownerKey := ZoneKey(id)
		if resourceType == "healthcheck" {
			ownerKey = HealthCheckKey(id)
		}
		owner, ok, _, err := c.st.Get(ctx, ownerKey)
		if err != nil {
			return err
		}
		if !ok {
			return ErrNoSuchResource
		}
		res, err := c.st.Txn(ctx, store.Txn{
			If:   []store.Compare{store.ModRevisionIs(key, kv.ModRevision), store.ModRevisionIs(ownerKey, owner.ModRevision)},
			Then: []store.Op{op},
		})
		if err != nil {
			return fmt.Errorf("change tags of %s %s: %w", resourceType, id, err)
		}
		if res.Succeeded {
			return nil
		}
	}
	return fmt.Errorf("change tags of %s %s: %w", resourceType, id, errConflict)
}

func mergeTags(tags, add []model.Tag, remove []string) []model.Tag {
	byKey := map[string]string{}
	var order []string
	for _, t := range append(tags, add...) {
		if _, ok := byKey[t.Key]; !ok {
			order = append(order, t.Key)
		}
		byKey[t.Key] = t.Value
	}
	for _, k := range remove {
		delete(byKey, k)
	}
	out := []model.Tag{}
	for _, k := range order {
		if v, ok := byKey[k]; ok {
			out = append(out, model.Tag{Key: k, Value: v})
			delete(byKey, k)
		}
	}
	return out
}

// Routing-control switches (RECOVERY_CONTROL health checks):
//
//	switches/<routing-control-arn>   "On" or "Off"; absent means On
const SwitchesPrefix = "switches/"

// Switch values.
const (
	SwitchOn  = "On"
	SwitchOff = "Off"
)

// SetSwitch records a routing control's state.
func (c *Catalog) SetSwitch(ctx context.Context, arn string, on bool) error {
	v := SwitchOff
	if on {
		v = SwitchOn
	}
	if _, err := c.st.Txn(ctx, store.Txn{Then: []store.Op{store.Put(SwitchesPrefix+arn, []byte(v))}}); err != nil {
		return fmt.Errorf("set routing control %s: %w", arn, err)
	}
	return nil
}

// Switch returns a routing control's state (On when never set).
func (c *Catalog) Switch(ctx context.Context, arn string) (bool, error) {
	kv, ok, _, err := c.st.Get(ctx, SwitchesPrefix+arn)
	if err != nil {
		return false, err
	}
	return !ok || string(kv.Value) == SwitchOn, nil
}
