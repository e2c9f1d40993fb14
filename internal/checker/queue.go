package checker

// slot is a place in the queue: an entry and when it is due. A slot is stale
// when its gen is not its entry's gen (the entry was removed or moved), and is
// skipped when it comes up. Slots are values, so ordering the queue reads only
// its own array, not the entries.
type slot struct {
	due int64 // nanoseconds since the checker's epoch
	gen uint32
	e   *entry
}

// queue is a binary min-heap of slots by due time.
type queue []slot

func (q *queue) push(s slot) {
	*q = append(*q, s)
	q.up(len(*q) - 1)
}

// pop removes the first slot.
func (q *queue) pop() {
	h := *q
	n := len(h) - 1
	h[0] = h[n]
	h[n] = slot{}
	*q = h[:n]
	q.down(0)
}

func (q queue) init() {
	for i := len(q)/2 - 1; i >= 0; i-- {
		q.down(i)
	}
}

func (q queue) up(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if q[p].due <= q[i].due {
			return
		}
		q[p], q[i] = q[i], q[p]
		i = p
	}
}

func (q queue) down(i int) {
	for {
		m, l, r := i, 2*i+1, 2*i+2
		if l < len(q) && q[l].due < q[m].due {
			m = l
		}
		if r < len(q) && q[r].due < q[m].due {
			m = r
		}
		if m == i {
			return
		}
		q[i], q[m] = q[m], q[i]
		i = m
	}
}
