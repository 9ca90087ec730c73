//go:build !amd64

package bytepairs

// Without the amd64 routines, Search tests every place in Go.
var Available, HaveAVX512, AVX512 = false, false, false

// Find is not available here (Available is false).
func Find(b []byte, t *Table, out []int32) (n int, scanned int) {
	panic("bytepairs: Find without AVX2")
}
