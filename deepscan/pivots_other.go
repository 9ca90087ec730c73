//go:build !amd64

package deepscan

// onePass is false: without the AVX2 routine, each pivot byte gets a bytes.IndexByte pass.
var onePass = false

func findPivots(b []byte, set uint32, out []int32) (n int, scanned int) {
	panic("deepscan: findPivots without AVX2")
}
