package deepscan

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// The pair search finds exactly the places where two bytes of a pair follow each other,
// at every length, with pairs across 64-byte block edges, and with an output buffer too
// small for all of them.
func TestFindPairsFindsEveryPair(t *testing.T) {
	if !searchable(searchPairs) {
		t.Skip("no AVX2 here")
	}
	for _, wide := range pairWidths() {
		t.Run(fmt.Sprintf("avx512=%t", wide), func(t *testing.T) {
			defer func(was bool) { pairsWithAVX512 = was }(pairsWithAVX512)
			pairsWithAVX512 = wide
			testFindPairs(t)
		})
	}
}

// pairWidths are the pair searches this CPU runs: AVX2's, and AVX-512's.
func pairWidths() []bool {
	if haveAVX512 {
		return []bool{false, true}
	}
	return []bool{false}
}

func testFindPairs(t *testing.T) {
	// the pairs, from the anchors' pivots and their neighbours
	isPair := map[[2]byte]bool{}
	var alphabet []byte
	for _, g := range pivots {
		for c, yes := range g.accept {
			if !yes {
				continue
			}
			if g.near < 0 {
				isPair[[2]byte{byte(c), g.b}] = true
			} else {
				isPair[[2]byte{g.b, byte(c)}] = true
			}
			alphabet = append(alphabet, byte(c), g.b)
		}
	}
	if len(isPair) < 7 {
		t.Fatalf("the pair table holds %d pairs, want the 7 of today's anchors", len(isPair))
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for _, size := range []int{0, 1, 2, 63, 64, 65, 66, 127, 128, 129, 130, 1000, 4096 + 7} {
		for _, density := range []int{1, 3, 100} {
			b := make([]byte, size)
			for i := range b {
				if rng.IntN(density) == 0 {
					b[i] = alphabet[rng.IntN(len(alphabet))]
				} else {
					b[i] = byte(rng.IntN(256))
				}
			}
			if size >= 130 { // pairs across the first block edges
				copy(b[64:], "AK")
				copy(b[128:], ":$")
			}
			var want []int32
			for j := 1; j < len(b); j++ {
				if isPair[[2]byte{b[j-1], b[j]}] {
					want = append(want, int32(j))
				}
			}
			for _, outLen := range []int{64, 65, 200, 4096} {
				var got []int32
				out := make([]int32, outLen)
				q := 1
				for q < len(b) {
					n, scanned := findPairs(b[q-1:], &pairTable, out)
					for _, j := range out[:n] {
						got = append(got, int32(q-1)+j)
					}
					if scanned == 1 { // nothing scanned: too short, or out full at once
						if len(b)-q >= 64 {
							t.Fatalf("size %d, out %d: no progress at %d", size, outLen, q)
						}
						break
					}
					q += scanned - 1
				}
				for ; q < len(b); q++ {
					if isPair[[2]byte{b[q-1], b[q]}] {
						got = append(got, int32(q))
					}
				}
				if !slices.Equal(got, want) {
					t.Fatalf("size %d, density 1/%d, out %d: found %d pairs, want %d", size, density, outLen, len(got), len(want))
				}
			}
		}
	}
}

// The pair search, in each width this CPU runs, gives the hits the per-pivot search gives, on data dense
// with pivot bytes, neighbours and secrets placed at every alignment around 64-byte
// blocks, zero blocks and chunk edges.
func TestSearchesAgree(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	data := make([]byte, 1<<20)
	for i := range data {
		if i/4096%5 == 3 {
			continue // a zero block now and then
		}
		const alphabet = "KIy:$ASe-ab\n= /"
		data[i] = alphabet[rng.IntN(len(alphabet))]
	}
	secrets := []string{pemKey, awsPair, shadow, aliyun, putty}
	for at := 1000; at+2000 < len(data); at += 9973 + rng.IntN(64) {
		s := secrets[rng.IntN(len(secrets))]
		copy(data[at:], s)
	}
	opt := Options{ChunkSize: 64 << 10, MaxHits: 100000}
	defer func(was searchKind) { search = was }(search)
	search = searchPerPivot
	want := scanBytes(t, data, opt)
	if len(want.Hits) < 50 {
		t.Fatalf("per pivot: %d hits, want the secrets placed", len(want.Hits))
	}
	if !searchable(searchPairs) {
		t.Skip("no AVX2 here: only the per-pivot search runs")
	}
	defer func(was bool) { pairsWithAVX512 = was }(pairsWithAVX512)
	search = searchPairs
	for _, wide := range pairWidths() {
		pairsWithAVX512 = wide
		if got := scanBytes(t, data, opt); !reflect.DeepEqual(got, want) {
			t.Errorf("pair search (avx512 %t): %d hits; per pivot: %d hits", wide, len(got.Hits), len(want.Hits))
		}
	}
}
