//go:build !amd64

package deepscan

// Without the amd64 routines, each pivot byte gets a bytes.IndexByte pass.
var search = searchPerPivot

var haveAVX512, pairsWithAVX512 = false, false

func searchable(k searchKind) bool { return k == searchPerPivot }

func findPairs(b []byte, t *pairTables, out []int32) (n int, scanned int) {
	panic("deepscan: findPairs without AVX2")
}
