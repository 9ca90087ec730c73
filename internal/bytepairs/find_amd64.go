package bytepairs

import "golang.org/x/sys/cpu"

// findAVX512 is in find_amd64.s.
//
//go:noescape
func findAVX512(b []byte, t *Table, out []int32) (n int, scanned int)

// findAVX2 is in find_amd64.s.
//
//go:noescape
func findAVX2(b []byte, t *Table, out []int32) (n int, scanned int)

var (
	// Available tells whether Find runs on this CPU: it needs AVX2.
	Available = cpu.X86.HasAVX2
	// HaveAVX512 tells whether this CPU has the AVX-512 that Find uses when AVX512 is set.
	HaveAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW
	// AVX512 makes Find take 64 bytes a vector, else two vectors of 32 (AVX2); tests and
	// benchmarks set it to compare the two.
	AVX512 = HaveAVX512
)

// Find writes to out every j from 1 on where t.Holds(b[j-1], b[j]), in order, 64 bytes
// at a time. It looks at whole 64-byte blocks only, stopping before one that b cannot
// fill (j+64 > len(b)) or whose places out might not hold, and returns how many it wrote
// and the first j it did not look at. Only where Available.
func Find(b []byte, t *Table, out []int32) (n int, scanned int) {
	if AVX512 && HaveAVX512 {
		return findAVX512(b, t, out)
	}
	return findAVX2(b, t, out)
}
