// Package store owns Vedette's configuration storage contract: an etcd-shaped,
// revisioned key-value store with atomic compare-and-swap transactions, ordered
// watches and leases. Implementations live in sub-packages (bolt for a single
// node, etcd for a cluster) and are held to one conformance suite in storetest.
package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors callers can test with errors.Is.
var (
	// ErrCompacted is returned by Watch when the requested start revision is
	// older than the oldest event the store still keeps; the caller must
	// reload with Range and watch from the revision it returns.
	ErrCompacted = errors.New("store: revision compacted")
	// ErrFutureRevision is returned by Watch for a start revision beyond the
	// next one to be written.
	ErrFutureRevision = errors.New("store: revision is in the future")
	// ErrLeaseNotFound is returned for operations on an unknown or expired lease.
	ErrLeaseNotFound = errors.New("store: lease not found")
	// ErrClosed is returned by every call made after Close.
	ErrClosed = errors.New("store: closed")
	// ErrSchema is returned by Open when the data on disk has a schema
	// version this build does not understand.
	ErrSchema = errors.New("store: unsupported schema version")
)

// LeaseID names a lease. Zero means "no lease".
type LeaseID int64

// KeyValue is one stored key with its metadata.
type KeyValue struct {
	Key   string
	Value []byte
	// CreateRevision is the revision at which the key was last created.
	CreateRevision int64
	// ModRevision is the revision of the last write to the key.
	ModRevision int64
	// Version counts writes since the key was created (1 after creation).
	Version int64
	// Lease is the lease the key is attached to, or zero.
	Lease LeaseID
}

// CompareKind says what a Compare checks.
type CompareKind int

const (
	// ModRevisionEquals holds when the key's ModRevision equals Compare.ModRevision.
	// A ModRevision of 0 holds exactly when the key does not exist.
	ModRevisionEquals CompareKind = iota
	// ValueEquals holds when the key exists and its value equals Compare.Value.
	ValueEquals
)

// Compare is one condition of a transaction.
type Compare struct {
	Kind        CompareKind
	Key         string
	ModRevision int64
	Value       []byte
}

// OpKind says what an Op does.
type OpKind int

const (
	// OpPut writes Op.Value at Op.Key (attached to Op.Lease when non-zero).
	OpPut OpKind = iota
	// OpDelete removes Op.Key; deleting a missing key is not an error and
	// produces no event.
	OpDelete
	// OpDeletePrefix removes every key starting with Op.Key.
	OpDeletePrefix
)

// Op is one write of a transaction.
type Op struct {
	Kind  OpKind
	Key   string
	Value []byte
	Lease LeaseID
}

// Put returns an OpPut.
func Put(key string, value []byte) Op { return Op{Kind: OpPut, Key: key, Value: value} }

// Delete returns an OpDelete.
func Delete(key string) Op { return Op{Kind: OpDelete, Key: key} }

// DeletePrefix returns an OpDeletePrefix.
func DeletePrefix(prefix string) Op { return Op{Kind: OpDeletePrefix, Key: prefix} }

// NotExists is a Compare that holds when key is absent.
func NotExists(key string) Compare { return Compare{Kind: ModRevisionEquals, Key: key} }

// ModRevisionIs is a Compare that holds when key's ModRevision is rev.
func ModRevisionIs(key string, rev int64) Compare {
	return Compare{Kind: ModRevisionEquals, Key: key, ModRevision: rev}
}

// Txn is an all-or-nothing transaction: if every Compare in If holds, every Op
// in Then is applied under one new revision; otherwise every Op in Else is
// (also under one new revision when it writes anything).
type Txn struct {
	If   []Compare
	Then []Op
	Else []Op
}

// TxnResult reports the outcome of a transaction.
type TxnResult struct {
	// Succeeded is true when every Compare held and Then was applied.
	Succeeded bool
	// Revision is the store revision after the transaction: the new revision
	// when it wrote something, otherwise the current one.
	Revision int64
}

// EventType is the kind of a watch event.
type EventType int

const (
	EventPut EventType = iota
	EventDelete
)

// Event is one change to one key. For EventDelete, KV.Value is empty and
// KV.ModRevision is the revision of the deletion.
type Event struct {
	Type EventType
	KV   KeyValue
}

// WatchResponse carries the events of one or more revisions, in order. Events
// of one revision are never split across two responses. Err is set on the
// last response before the channel closes abnormally (e.g. ErrCompacted).
type WatchResponse struct {
	Events []Event
	// Revision is the revision of the last event in Events.
	Revision int64
	Err      error
}

// Store is Vedette's configuration store.
//
// Contract:
//   - Every committed transaction that writes gets the next store-wide revision,
//     starting at 1; revisions never go backwards, including across restarts.
//   - A call that writes returns only after the write is durable: a crash after
//     the return never loses it, and a crash before leaves no part of it.
//   - Range returns a consistent snapshot together with the revision it was read at;
//     Watch(prefix, rev+1) then delivers every later change without gaps.
//   - Keys attached to a lease are deleted (with events) when the lease expires
//     or is revoked.
//
// Implementations are safe for concurrent use.
type Store interface {
	// Get returns the key, or ok=false when it does not exist, and the
	// revision of the store at the time of the read.
	Get(ctx context.Context, key string) (kv KeyValue, ok bool, rev int64, err error)
	// Range returns every key starting with prefix in ascending key order and
	// the revision the snapshot reflects. An empty prefix means every key.
	Range(ctx context.Context, prefix string) (kvs []KeyValue, rev int64, err error)
	// Txn applies t atomically.
	Txn(ctx context.Context, t Txn) (TxnResult, error)
	// Watch delivers, in revision order, every event on keys starting with
	// prefix at revision fromRev or later. fromRev <= 0 means the revision
	// after the current one. The channel closes when ctx ends or the store
	// closes. A fromRev older than the store keeps yields one response with
	// Err ErrCompacted and the channel closes; so does a consumer that falls
	// further behind than the store keeps history for. A fromRev beyond the
	// next revision yields one response with Err ErrFutureRevision. After
	// Close, the channel yields one response with Err ErrClosed. Events in
	// responses may be shared between watchers and must not be modified.
	Watch(ctx context.Context, prefix string, fromRev int64) <-chan WatchResponse
	// Grant creates a lease that expires ttl after its last renewal.
	Grant(ctx context.Context, ttl time.Duration) (LeaseID, error)
	// KeepAlive renews a lease once.
	KeepAlive(ctx context.Context, id LeaseID) error
	// Revoke ends a lease now, deleting its keys.
	Revoke(ctx context.Context, id LeaseID) error
	// Close releases the store; pending watches are closed. Every call
	// after Close, including a second Close, returns ErrClosed.
	Close() error
}

// Clock is the time source leases use; tests inject a fake one.
type Clock interface {
	Now() time.Time
}
