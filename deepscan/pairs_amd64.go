package deepscan

import "golang.org/x/sys/cpu"

// findPairsAVX512 is in pairs_amd64.s.
//
//go:noescape
func findPairsAVX512(b []byte, t *pairTables, out []int32) (n int, scanned int)

// findPairsAVX2 is in pairs_amd64.s.
//
//go:noescape
func findPairsAVX2(b []byte, t *pairTables, out []int32) (n int, scanned int)

// pairsWithAVX512: the pair search takes 64 bytes a vector, else two of 32 (AVX2).
var (
	haveAVX512      = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW
	pairsWithAVX512 = haveAVX512
)

// search is how the hot loop finds candidates on this CPU: with AVX2 (or AVX-512), pairs
// of bytes (a pivot and its neighbour) 64 bytes at a time; else, or for anchors whose
// pairs the tables cannot hold, one bytes.IndexByte pass per pivot byte.
var search = func() searchKind {
	if cpu.X86.HasAVX2 && pairsOK {
		return searchPairs
	}
	return searchPerPivot
}()

func findPairs(b []byte, t *pairTables, out []int32) (n int, scanned int) {
	if pairsWithAVX512 {
		return findPairsAVX512(b, t, out)
	}
	return findPairsAVX2(b, t, out)
}

// searchable tells whether a way to search runs on this CPU.
func searchable(k searchKind) bool {
	switch k {
	case searchPairs:
		return cpu.X86.HasAVX2 && pairsOK
	}
	return true
}
