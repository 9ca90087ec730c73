// Package bytepairs finds where two bytes of a pair follow each other in a buffer, 64
// bytes at a time with AVX-512 or AVX2: the first pass of the deep scan and of the
// content scan, whose literals are each found through a rare byte (a pivot) and the byte
// beside it. A pair is far rarer than its pivot alone, so far fewer candidates reach the
// Go code that compares literals.
//
// Each byte is classed by two nibble table lookups (VPSHUFB): bit i of its second-byte
// class is set when it may be a second byte of class i, bit i of the class of the byte
// before it when that may be a first byte of class i; a pair ends where both classes
// share a bit. Up to eight classes, each a set of first bytes and a set of second bytes.
package bytepairs

// Table holds up to eight classes of pairs for Find, as nibble lookup tables (the
// assembler reads them in this order).
type Table struct {
	secondLo, secondHi, firstLo, firstHi [16]byte
}

// Classes is how many classes a Table holds.
const Classes = 8

// Add makes class i (0 to 7) hold every pair of a byte of first then a byte of second.
// A class is kept as the low and high nibbles of its bytes, so when its bytes differ in
// both nibbles it also holds their crossings (first {0x41, 0x62} also holds 0x42 and
// 0x61): Find may report more than the pairs added, never fewer; the caller checks the
// bytes at each place it reports.
func (t *Table) Add(i int, first, second []byte) {
	bit := byte(1) << i
	for _, b := range first {
		t.firstLo[b&15] |= bit
		t.firstHi[b>>4] |= bit
	}
	for _, b := range second {
		t.secondLo[b&15] |= bit
		t.secondHi[b>>4] |= bit
	}
}

// Holds tells whether Find reports the pair (a, b): the classes as the lookups see them.
func (t *Table) Holds(a, b byte) bool {
	return t.firstLo[a&15]&t.firstHi[a>>4]&t.secondLo[b&15]&t.secondHi[b>>4] != 0
}

// Search reports where a pair of t ends in data from index from on (from ≥ 1): for every
// j from from to len(data)-1 where t.Holds(data[j-1], data[j]), in order, it calls
// found(j), stopping at its first error. out is scratch space for Find (at least 64
// long). Without AVX2, every j is tested in Go.
func Search(data []byte, from int, t *Table, out []int32, found func(j int) error) error {
	if len(out) < 64 {
		out = make([]int32, 64)
	}
	q := max(from, 1)
	for Available && q < len(data) {
		n, scanned := Find(data[q-1:], t, out)
		for _, j := range out[:n] {
			if err := found(q - 1 + int(j)); err != nil {
				return err
			}
		}
		q += scanned - 1
		if len(data)-q < 64 {
			break // too few bytes left for a block; else out was full
		}
	}
	for ; q < len(data); q++ {
		if t.Holds(data[q-1], data[q]) {
			if err := found(q); err != nil {
				return err
			}
		}
	}
	return nil
}
