// Package zonefeed owns keeping DNS in step with the store: it loads every
// hosted zone with its record sets, compiles them into a zone.Snapshot,
// publishes it, and then follows the store's watch, recompiling only the zones
// an event touches and publishing a new snapshot per batch of revisions.
package zonefeed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"github.com/vedette-dns/vedette/internal/catalog"
	"github.com/vedette-dns/vedette/internal/model"
	"github.com/vedette-dns/vedette/internal/store"
	"github.com/vedette-dns/vedette/internal/zone"
)

// Publisher receives each new snapshot (the DNS server's SetSnapshot).
type Publisher interface {
	SetSnapshot(*zone.Snapshot)
}

// PublisherFunc adapts a function to a Publisher.
type PublisherFunc func(*zone.Snapshot)

// SetSnapshot calls f.
func (f PublisherFunc) SetSnapshot(s *zone.Snapshot) { f(s) }

// Feed follows the store and publishes snapshots.
type Feed struct {
	st  store.Store
	pub Publisher
	log *slog.Logger

	zones   map[string]model.HostedZone
	records map[string]map[string]model.RecordSet // zone id -> store key -> record set
	cidr    map[string]model.CidrCollection       // by collection id
	// locations are the operator-defined geoproximity locations.
	locations map[string][2]float64
	snap      *zone.Snapshot
}

// New returns a Feed; Run starts it. locations are the operator-defined
// geoproximity locations (LocalZoneGroup names), fixed for the feed's life.
func New(st store.Store, pub Publisher, log *slog.Logger, locations map[string][2]float64) *Feed {
	if log == nil {
		log = slog.Default()
	}
	return &Feed{st: st, pub: pub, log: log, locations: locations}
}

// Run loads, publishes and follows until ctx ends. It reloads from scratch
// when the store reports that its watch fell behind compaction. It returns
// ctx's error, or a store error.
func (f *Feed) Run(ctx context.Context) error {
	for {
		rev, err := f.load(ctx)
		if err != nil {
			return err
		}
		err = f.follow(ctx, rev+1)
		if errors.Is(err, store.ErrCompacted) {
			f.log.Warn("zone feed fell behind the store's history; reloading")
			continue
		}
		return err
	}
}

// load reads every zone and record set and publishes a full snapshot. Zones
// are read before records; the watch then starts after the zones' revision,
// and replaying the events in between is idempotent.
func (f *Feed) load(ctx context.Context) (int64, error) {
	zkvs, rev, err := f.st.Range(ctx, catalog.ZonesPrefix)
	if err != nil {
		return 0, fmt.Errorf("load zones: %w", err)
	}
	rkvs, _, err := f.st.Range(ctx, catalog.RecordsPrefix)
	if err != nil {
		return 0, fmt.Errorf("load records: %w", err)
	}
	ckvs, _, err := f.st.Range(ctx, catalog.CidrCollectionsPrefix)
	if err != nil {
		return 0, fmt.Errorf("load CIDR collections: %w", err)
	}
	f.zones = map[string]model.HostedZone{}
	f.records = map[string]map[string]model.RecordSet{}
	f.cidr = map[string]model.CidrCollection{}
	for _, kv := range ckvs {
		f.apply(store.Event{Type: store.EventPut, KV: kv})
	}
	for _, kv := range zkvs {
		f.apply(store.Event{Type: store.EventPut, KV: kv})
	}
	for _, kv := range rkvs {
		f.apply(store.Event{Type: store.EventPut, KV: kv})
	}
	var compiled []*zone.Zone
	for id := range f.zones {
		if z := f.compile(id); z != nil {
			compiled = append(compiled, z)
		}
	}
	// The records may be newer than rev; claiming only rev keeps GetChange
	// honest until the watch has replayed everything after it.
	f.snap = zone.NewSnapshot(rev, compiled...)
	f.pub.SetSnapshot(f.snap)
	f.log.Info("zones loaded", "zones", len(compiled), "revision", rev)
	return rev, nil
}

func (f *Feed) follow(ctx context.Context, from int64) error {
	for resp := range f.st.Watch(ctx, "", from) {
		if resp.Err != nil {
			return resp.Err
		}
		dirty := map[string]bool{}
		for _, ev := range resp.Events {
			if id := f.apply(ev); id == allZones {
				for zid := range f.zones {
					dirty[zid] = true
				}
			} else if id != "" {
				dirty[id] = true
			}
		}
		f.publish(dirty, resp.Revision)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return store.ErrClosed
}

// publish recompiles the dirty zones and publishes the snapshot at rev.
func (f *Feed) publish(dirty map[string]bool, rev int64) {
	s := f.snap.WithRevision(rev)
	for id := range dirty {
		if _, ok := f.zones[id]; !ok {
			s = s.WithoutZone(id, rev)
			continue
		}
		if z := f.compile(id); z != nil {
			s = s.WithZone(z, rev)
		}
	}
	f.snap = s
	f.pub.SetSnapshot(s)
}

// apply folds one event into the in-memory configuration and returns the id
// of the zone it touched, if any.
func (f *Feed) apply(ev store.Event) string {
	key := ev.KV.Key
	switch {
	case strings.HasPrefix(key, catalog.ZonesPrefix):
		id := strings.TrimPrefix(key, catalog.ZonesPrefix)
		if ev.Type == store.EventDelete {
			delete(f.zones, id)
			delete(f.records, id)
			return id
		}
		var z model.HostedZone
		if err := json.Unmarshal(ev.KV.Value, &z); err != nil {
			f.log.Error("undecodable zone in store", "key", key, "err", err)
			return ""
		}
		old, existed := f.zones[id]
		f.zones[id] = z
		if existed && old.Name == z.Name {
			return "" // count or comment changed: DNS is unaffected
		}
		return id
	case strings.HasPrefix(key, catalog.RecordsPrefix):
		return f.applyRecord(ev)
	case strings.HasPrefix(key, catalog.CidrCollectionsPrefix):
		id := strings.TrimPrefix(key, catalog.CidrCollectionsPrefix)
		if ev.Type == store.EventDelete {
			delete(f.cidr, id)
			return allZones
		}
		var cc model.CidrCollection
		if err := json.Unmarshal(ev.KV.Value, &cc); err != nil {
			f.log.Error("undecodable CIDR collection in store", "key", key, "err", err)
			return ""
		}
		f.cidr[id] = cc
		return allZones
	}
	return ""
}

// allZones is what apply returns for a change that may touch any zone (a
// CIDR collection): every zone is recompiled.
const allZones = "\x00all"

func (f *Feed) applyRecord(ev store.Event) string {
	id, ok := catalog.ZoneIDOfRecordKey(ev.KV.Key)
	if !ok {
		return ""
	}
	m := f.records[id]
	if ev.Type == store.EventDelete {
		delete(m, ev.KV.Key)
		return id
	}
	var r model.RecordSet
	if err := json.Unmarshal(ev.KV.Value, &r); err != nil {
		f.log.Error("undecodable record set in store", "key", ev.KV.Key, "err", err)
		return ""
	}
	if m == nil {
		m = map[string]model.RecordSet{}
		f.records[id] = m
	}
	m[ev.KV.Key] = r
	return id
}

// compile compiles one zone; on failure it logs and returns nil, leaving the
// previously published version of the zone in service.
func (f *Feed) compile(id string) *zone.Zone {
	recs := make([]model.RecordSet, 0, len(f.records[id]))
	for _, r := range f.records[id] {
		recs = append(recs, r)
	}
	z, err := zone.CompileWith(f.zones[id], recs, zone.Context{Collections: f.cidr, Locations: f.locations})
	if err != nil {
		f.log.Error("zone does not compile; serving its previous version", "zone", id, "err", err)
		return nil
	}
	return z
}
