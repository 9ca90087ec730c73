package deepscan

import "golang.org/x/sys/cpu"

// findPivotsAVX2 is in pivots_amd64.s.
//
//go:noescape
func findPivotsAVX2(b []byte, set uint32, out []int32) (n int, scanned int)

// findPairsAVX512 is in pairs_amd64.s.
//
//go:noescape
func findPairsAVX512(b []byte, pairs *[16]byte, out []int32) (n int, scanned int)

// search is how the hot loop finds candidates on this CPU: with AVX-512, pairs of
// bytes (a pivot and its neighbour) 64 bytes at a time; with AVX2, the four pivot bytes
// in one pass; else one bytes.IndexByte pass per pivot byte.
var search = func() searchKind {
	switch {
	case cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && pairsOK:
		return searchPairs
	case cpu.X86.HasAVX2:
		return searchOnePass
	}
	return searchPerPivot
}()

func findPivots(b []byte, set uint32, out []int32) (n int, scanned int) {
	return findPivotsAVX2(b, set, out)
}

func findPairs(b []byte, pairs *[16]byte, out []int32) (n int, scanned int) {
	return findPairsAVX512(b, pairs, out)
}

// searchable tells whether a way to search runs on this CPU.
func searchable(k searchKind) bool {
	switch k {
	case searchPairs:
		return cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && pairsOK
	case searchOnePass:
		return cpu.X86.HasAVX2
	}
	return true
}
