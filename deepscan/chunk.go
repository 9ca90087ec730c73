package deepscan

import (
	"bytes"
	"fmt"

	"github.com/goldenimage/packer-plugin-sanitize/internal/bytepairs"
)

// The hot loop. Most of a disk is zeros (free space never written) or bytes that hold no
// secret; each rule is found through anchors, and each anchor through its pivot, a byte
// of it that is rare on disks, and the pivot's neighbour in the anchor. The candidates
// are found 64 bytes at a time as pivot-and-neighbour pairs, each byte classed by two
// nibble table lookups (AVX2 or AVX-512, pairs_amd64.s), else with one bytes.IndexByte
// pass per pivot byte (vectorized by Go's runtime). Only at a candidate is the anchor
// compared, and only around an anchor does a rule's regexp run. All-zero blocks are
// skipped after one comparison.

// pivotBytes, in order of preference: an anchor's pivot is the first of these it holds.
// Four bytes cover every anchor (four passes a chunk without AVX2); each is among the
// rarest bytes of a Debian root filesystem (K 0.10%, y 0.19%, : 0.16%, I 0.40% of
// non-zero bytes).
const pivotBytes = "KIy:"

// anchor is one literal of a rule, found through the byte at text[pivot].
type anchor struct {
	text  []byte
	pivot int
	rule  *rule
	id    int // index into a worker's done
}

// pivotGroup is the anchors one pass over a chunk finds.
type pivotGroup struct {
	b       byte
	anchors []anchor
	// near is where a pivot's neighbour is (-1 before it, +1 after it, 0 not used) and
	// accept the bytes an anchor of the group has there: one table lookup rejects most
	// pivot bytes before the anchors are compared.
	near   int
	accept [256]bool
}

var pivots, anchorCount, maxAnchorLen = groupAnchors(rules, pivotBytes)

// searchKind is a way of finding candidates (see search).
type searchKind int

const (
	searchPerPivot searchKind = iota
	searchPairs
)

// search is how the hot loop finds candidates on this CPU: pairs of bytes (a pivot and
// its neighbour) 64 bytes at a time with AVX2 or AVX-512 (package bytepairs); else, or
// for anchors whose pairs do not fit its classes, one bytes.IndexByte pass per pivot.
var search = func() searchKind {
	if searchable(searchPairs) {
		return searchPairs
	}
	return searchPerPivot
}()

// searchable tells whether a way to search runs on this CPU.
func searchable(k searchKind) bool { return k != searchPairs || (bytepairs.Available && pairsOK) }

// pairTable is every (pivot, neighbour) pair of the anchors, one class each (see package
// bytepairs). pairsOK is false when the pairs do not fit its classes or a group has no
// neighbour to pair with.
var pairTable, pairsOK = packPairs(pivots)

func packPairs(groups []pivotGroup) (t bytepairs.Table, ok bool) {
	var pairs [][2]byte
	for _, g := range groups {
		if g.near == 0 {
			return t, false
		}
		for c, yes := range g.accept {
			switch {
			case !yes:
			case g.near < 0:
				pairs = append(pairs, [2]byte{byte(c), g.b})
			default:
				pairs = append(pairs, [2]byte{g.b, byte(c)})
			}
		}
	}
	if len(pairs) == 0 || len(pairs) > bytepairs.Classes {
		return t, false
	}
	for i, p := range pairs {
		t.Add(i, p[:1], p[1:])
	}
	return t, true
}

// groupOf finds a pivot byte's group (-1 for any other byte).
var groupOf = groupsByByte(pivots)

func groupsByByte(groups []pivotGroup) [256]int8 {
	var of [256]int8
	for i := range of {
		of[i] = -1
	}
	for i, g := range groups {
		of[g.b] = int8(i)
	}
	return of
}

func groupAnchors(rules []*rule, order string) ([]pivotGroup, int, int) {
	var groups []pivotGroup
	n, longest := 0, 0
	for _, r := range rules {
		for _, a := range r.anchors {
			gi := -1
			for i := 0; i < len(order) && gi < 0; i++ {
				if p := bytes.IndexByte([]byte(a), order[i]); p >= 0 {
					for j := range groups {
						if groups[j].b == order[i] {
							gi = j
						}
					}
					if gi < 0 {
						groups = append(groups, pivotGroup{b: order[i]})
						gi = len(groups) - 1
					}
					groups[gi].anchors = append(groups[gi].anchors, anchor{text: []byte(a), pivot: p, rule: r, id: n})
				}
			}
			if gi < 0 {
				panic(fmt.Sprintf("deepscan: anchor %q holds none of the pivot bytes %q", a, order))
			}
			n++
			longest = max(longest, len(a))
		}
	}
	for i := range groups {
		groups[i].setNeighbour()
	}
	return groups, n, longest
}

// setNeighbour picks the side of the pivot every anchor of the group has a byte on,
// before it if it can.
func (g *pivotGroup) setNeighbour() {
	before, after := true, true
	for _, a := range g.anchors {
		before = before && a.pivot > 0
		after = after && a.pivot+1 < len(a.text)
	}
	switch {
	case before:
		g.near = -1
	case after:
		g.near = 1
	default:
		return
	}
	for _, a := range g.anchors {
		g.accept[a.text[a.pivot+g.near]] = true
	}
}

// zeroBlockSize is the unit of the zero test: a filesystem block.
const zeroBlockSize = 4096

var zeroBlock = make([]byte, zeroBlockSize)

// sliceBytes is the part of a chunk all pivots are searched in before moving on, so the
// passes read the L1/L2 cache, not memory.
const sliceBytes = 128 << 10

// worker reads and scans chunks with buffers of its own, reused from chunk to chunk.
type worker struct {
	s       *scanner
	buf     []byte // a chunk and the tail an anchor starting in it may run into
	window  []byte // the context of an anchor at a chunk's edge, read again
	done    []int64
	found   []Hit
	at      []int32 // pair ends found by the pair search
	base    int64   // the volume offset of buf[0]
	own     int     // anchors starting in buf[:own] are this chunk's
	winBase int64
}

func newWorker(s *scanner) *worker {
	return &worker{s: s, buf: make([]byte, s.opt.ChunkSize+maxAnchorLen-1),
		window: make([]byte, 2*contextBytes), done: make([]int64, anchorCount), at: make([]int32, 4096)}
}

// chunk reads and scans the chunk starting at volume offset start.
func (w *worker) chunk(start int64) error {
	own := min(int64(w.s.opt.ChunkSize), w.s.size-start)
	// a chunk the image knows to be zeros (a hole of a sparse file, qcow2 clusters never
	// written) holds no secret, nor the start of one; one it cannot tell about is read
	if w.s.knownZeros(start, own) == own {
		w.s.zeros.Add(own)
		return nil
	}
	data := w.buf[:min(own+int64(maxAnchorLen-1), w.s.size-start)]
	if err := w.s.readAt(data, start); err != nil {
		return err
	}
	w.base, w.own = start, int(own)
	for i := range w.done {
		w.done[i] = -1
	}
	// Spans of blocks holding a non-zero byte; an anchor, having no zero byte, lies
	// within one. The last span runs into the tail.
	for lo := 0; lo < w.own; {
		for lo < w.own && bytes.Equal(data[lo:min(lo+zeroBlockSize, w.own)], zeroBlock[:min(zeroBlockSize, w.own-lo)]) {
			lo += zeroBlockSize
		}
		if lo >= w.own {
			break
		}
		hi := lo + zeroBlockSize
		for hi < w.own && !bytes.Equal(data[hi:min(hi+zeroBlockSize, w.own)], zeroBlock[:min(zeroBlockSize, w.own-hi)]) {
			hi += zeroBlockSize
		}
		if hi >= w.own {
			hi = len(data)
		}
		if err := w.span(data, lo, hi); err != nil {
			return err
		}
		lo = hi
	}
	if len(w.found) > 0 {
		w.s.add(w.found)
		w.found = w.found[:0]
	}
	return nil
}

// span looks for every pivot in data[lo:hi].
func (w *worker) span(data []byte, lo, hi int) error {
	switch search {
	case searchPairs:
		return w.spanPairs(data, lo, hi)
	}
	return w.spanByPivot(data, lo, hi)
}

// spanPairs finds the pivots whose neighbour is one an anchor has (pairTable), 64
// bytes at a time (bytepairs.Search): a pair is rarer than its pivot byte alone (in
// text, "ey" is far rarer than "y"), so fewer candidates reach Go code. Pairs are found
// where they end, in data[lo:hi]; none ends at 0, where a pivot would need a neighbour
// before the data.
func (w *worker) spanPairs(data []byte, lo, hi int) error {
	return bytepairs.Search(data[:hi], max(lo, 1), &pairTable, w.at, func(j int) error { return w.pairAt(data, j) })
}

// pairAt checks the pivots of a pair that may end at data[r]: data[r] for a group
// whose neighbour comes before it, data[r-1] for one whose neighbour comes after.
func (w *worker) pairAt(data []byte, r int) error {
	if r > 0 {
		if g := groupOf[data[r-1]]; g >= 0 && pivots[g].near > 0 {
			if err := w.pivot(data, r-1); err != nil {
				return err
			}
		}
	}
	if g := groupOf[data[r]]; g >= 0 && pivots[g].near < 0 {
		return w.pivot(data, r)
	}
	return nil
}

// pivot checks the anchors of the pivot byte at data[q].
func (w *worker) pivot(data []byte, q int) error {
	g := &pivots[groupOf[data[q]]]
	if g.near != 0 {
		// out of data: the anchor starts in the chunk before (whose tail holds it) or
		// ends past this chunk's tail; either way not this chunk's
		if i := q + g.near; i < 0 || i >= len(data) || !g.accept[data[i]] {
			return nil
		}
	}
	for ai := range g.anchors {
		a := &g.anchors[ai]
		// The anchor's first and last bytes, compared here, reject almost every pivot
		// byte before a call.
		if p, end := q-a.pivot, q-a.pivot+len(a.text)-1; p < 0 || end >= len(data) || data[p] != a.text[0] || data[end] != a.text[len(a.text)-1] {
			continue
		}
		if err := w.candidate(data, q, a); err != nil {
			return err
		}
	}
	return nil
}

// spanByPivot looks for each pivot with bytes.IndexByte, one pass per pivot over a
// slice at a time (kept in the L1/L2 cache across the passes).
func (w *worker) spanByPivot(data []byte, lo, hi int) error {
	for sl := lo; sl < hi; sl += sliceBytes {
		sh := min(sl+sliceBytes, hi)
		for gi := range pivots {
			g := &pivots[gi]
			for q := sl; q < sh; q++ {
				i := bytes.IndexByte(data[q:sh], g.b)
				if i < 0 {
					break
				}
				q += i
				if err := w.pivot(data, q); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// candidate checks for anchor a with its pivot at data[q], and runs its rule there.
func (w *worker) candidate(data []byte, q int, a *anchor) error {
	p := q - a.pivot
	if p < 0 || p >= w.own || p+len(a.text) > len(data) || !bytes.Equal(data[p:p+len(a.text)], a.text) {
		return nil // not the anchor, or one that starts in the previous chunk (its tail)
	}
	at := w.base + int64(p)
	if at < w.done[a.id] {
		return nil // inside the last match of this anchor: the same secret
	}
	if p+32 <= len(data) && quickReject(a.rule, data, p) {
		return nil // before reading anything again: most candidates end here
	}
	// The rule may read contextBytes on each side; at a chunk's edge, those bytes are
	// read again around the anchor.
	ctx, cp := data, p
	if (p < contextBytes && w.base > 0) || (p+contextBytes > len(data) && w.base+int64(len(data)) < w.s.size) {
		from := max(at-contextBytes, 0)
		win := w.window[:min(at+contextBytes, w.s.size)-from]
		if err := w.s.readAt(win, from); err != nil {
			return err
		}
		ctx, cp = win, int(at-from)
	}
	if h, end, ok := match(a.rule, ctx, cp, len(a.text)); ok {
		h.Offset += at - int64(cp)
		w.done[a.id] = at - int64(cp) + int64(end)
		w.found = append(w.found, h)
	}
	return nil
}
