package memory

import "container/heap"

// dueHeap orders the unfinished messages by NextAttemptAt, then by the order they
// were stored. Each entry knows its slot, so that a message that changes (claimed,
// rescheduled, finished) moves or leaves in O(log n).
type dueHeap []*entry

func (h dueHeap) Len() int { return len(h) }

func (h dueHeap) Less(i, j int) bool {
	if c := h[i].env.NextAttemptAt.Compare(h[j].env.NextAttemptAt); c != 0 {
		return c < 0
	}
	return h[i].seq < h[j].seq
}

func (h dueHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].slot, h[j].slot = i, j
}

// Push implements heap.Interface; use push.
func (h *dueHeap) Push(x any) {
	e := x.(*entry)
	e.slot = len(*h)
	*h = append(*h, e)
}

// Pop implements heap.Interface; use remove.
func (h *dueHeap) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil // let the collector have it
	*h = old[:len(old)-1]
	e.slot = -1
	return e
}

func (h *dueHeap) push(e *entry) { heap.Push(h, e) }

// first returns the message due soonest, nil if none waits.
func (h dueHeap) first() *entry {
	if len(h) == 0 {
		return nil
	}
	return h[0]
}

// fix restores the order after e's NextAttemptAt changed.
func (h *dueHeap) fix(e *entry) { heap.Fix(h, e.slot) }

// remove takes e out, if it is in.
func (h *dueHeap) remove(e *entry) {
	if e.slot >= 0 {
		heap.Remove(h, e.slot)
	}
}
