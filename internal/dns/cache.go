package dns

import (
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"sync/atomic"
)

// cacheWays is the number of slots per set of the answer cache.
const cacheWays = 4

// cacheBudget bounds the bytes held by one answer cache (keys and packets).
// Once it is reached, misses are answered but no longer cached until a
// replaced entry frees room or the next snapshot brings a new cache.
const cacheBudget = 64 << 20

// answerCache maps a query's cache key to its packed reply. It belongs to one
// snapshot: SetSnapshot installs a new, empty cache with the new snapshot, so
// a swap invalidates every entry at once. Readers never lock: the table is a
// fixed array of atomic pointers to immutable entries, in sets of cacheWays
// slots; a full set evicts a random slot.
type answerCache struct {
	seed  maphash.Seed
	mask  uint64 // number of sets - 1
	slots []atomic.Pointer[cacheEntry]
	bytes atomic.Int64
}

type cacheEntry struct {
	key string
	pkt []byte
}

func (e *cacheEntry) size() int64 { return int64(len(e.key) + len(e.pkt) + 64) }

// newAnswerCache returns a cache of at least entries slots, or nil when
// entries is not positive (caching off).
func newAnswerCache(entries int) *answerCache {
	if entries <= 0 {
		return nil
	}
	sets := uint64(1) << bits.Len64(uint64(max(entries/cacheWays, 1)-1))
	return &answerCache{
		seed:  maphash.MakeSeed(),
		mask:  sets - 1,
		slots: make([]atomic.Pointer[cacheEntry], sets*cacheWays),
	}
}

func (c *answerCache) set(key []byte) []atomic.Pointer[cacheEntry] {
	i := (maphash.Bytes(c.seed, key) & c.mask) * cacheWays
	return c.slots[i : i+cacheWays]
}

// get returns the packed reply cached for key, or nil.
func (c *answerCache) get(key []byte) []byte {
	set := c.set(key)
	for i := range set {
		if e := set[i].Load(); e != nil && e.key == string(key) {
			return e.pkt
		}
	}
	return nil
}

// put caches a copy of pkt under key, replacing an entry with the same key,
// else filling an empty slot, else evicting a random one of the set.
func (c *answerCache) put(key, pkt []byte) {
	e := &cacheEntry{key: string(key), pkt: append([]byte(nil), pkt...)}
	if c.bytes.Add(e.size()) > cacheBudget {
		c.bytes.Add(-e.size())
		return
	}
	set := c.set(key)
	victim := -1
	for i := range set {
		old := set[i].Load()
		if old != nil && old.key == e.key {
			victim = i
			break
		}
		if old == nil && victim < 0 {
			victim = i
		}
	}
	if victim < 0 {
		victim = rand.IntN(cacheWays)
	}
	if old := set[victim].Swap(e); old != nil {
		c.bytes.Add(-old.size())
	}
}
