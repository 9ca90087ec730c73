//go:build !amd64

package deepscan

// Without the amd64 routines, each pivot byte gets a bytes.IndexByte pass.
var search = searchPerPivot

func searchable(k searchKind) bool { return k == searchPerPivot }

func findPivots(b []byte, set uint32, out []int32) (n int, scanned int) {
	panic("deepscan: findPivots without AVX2")
}

func findPairs(b []byte, pairs *[16]byte, out []int32) (n int, scanned int) {
	panic("deepscan: findPairs without AVX-512")
}
