package deepscan

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// The one-pass pivot search finds exactly the bytes four IndexByte passes find: every
// length (whole 64-byte blocks and the tail), pivots at block edges, and an output
// buffer too small for all of them (the search stops and resumes).
func TestFindPivotsFindsEveryPivotByte(t *testing.T) {
	if !onePass {
		t.Skip("no AVX2 here: the scan uses one IndexByte pass per pivot")
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range []int{0, 1, 63, 64, 65, 127, 128, 129, 1000, 4096 + 7} {
		for _, density := range []int{2, 50, 1000} {
			b := make([]byte, size)
			for i := range b {
				if rng.IntN(density) == 0 {
					b[i] = pivotBytes[rng.IntN(len(pivotBytes))]
				} else {
					b[i] = byte(rng.IntN(256))
				}
			}
			if size >= 64 {
				b[0], b[63] = 'K', ':'
			}
			var want []int32
			for i, c := range b {
				if groupOf[c] >= 0 {
					want = append(want, int32(i))
				}
			}
			for _, outLen := range []int{64, 65, 200, 4096} {
				var got []int32
				out := make([]int32, outLen)
				q := 0
				for {
					n, scanned := findPivots(b[q:], pivotSet, out)
					for _, p := range out[:n] {
						got = append(got, int32(q)+p)
					}
					q += scanned
					if len(b)-q < 64 {
						break
					}
					if scanned == 0 {
						t.Fatalf("size %d, out %d: no progress at %d", size, outLen, q)
					}
				}
				for ; q < len(b); q++ {
					if groupOf[b[q]] >= 0 {
						got = append(got, int32(q))
					}
				}
				if !slices.Equal(got, want) {
					t.Fatalf("size %d, density 1/%d, out %d: found %d pivots, want %d", size, density, outLen, len(got), len(want))
				}
			}
		}
	}
}

// Both ways of finding the pivots give the same hits on data dense with pivot bytes and
// secrets placed at every alignment around 64-byte blocks, zero blocks and chunk edges.
func TestOnePassAndPerPivotSearchesAgree(t *testing.T) {
	if !onePass {
		t.Skip("no AVX2 here: only the per-pivot search runs")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	data := make([]byte, 1<<20)
	for i := range data {
		if i/4096%5 == 3 {
			continue // a zero block now and then
		}
		data[i] = "KIy:ab\n= /"[rng.IntN(10)]
	}
	secrets := []string{pemKey, awsPair, shadow, aliyun, putty}
	for at := 1000; at+2000 < len(data); at += 9973 + rng.IntN(64) {
		s := secrets[rng.IntN(len(secrets))]
		copy(data[at:], s)
	}
	opt := Options{ChunkSize: 64 << 10, MaxHits: 100000}
	one := scanBytes(t, data, opt)
	onePass = false
	defer func() { onePass = true }()
	per := scanBytes(t, data, opt)
	if len(one.Hits) < 50 || !reflect.DeepEqual(one, per) {
		t.Fatalf("one pass: %d hits; per pivot: %d hits", len(one.Hits), len(per.Hits))
	}
}
