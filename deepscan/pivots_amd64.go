package deepscan

import "golang.org/x/sys/cpu"

// findPivotsAVX2 is in pivots_amd64.s.
//
//go:noescape
func findPivotsAVX2(b []byte, set uint32, out []int32) (n int, scanned int)

// onePass: the four pivot bytes are found in one AVX2 pass over the data instead of one
// bytes.IndexByte pass each.
var onePass = cpu.X86.HasAVX2

func findPivots(b []byte, set uint32, out []int32) (n int, scanned int) {
	return findPivotsAVX2(b, set, out)
}
