package deepscan

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/internal/bytepairs"
)

// The pair table holds exactly the anchors' pivots with their neighbours, no crossing
// of their nibbles more: every place the pair search reports is a candidate.
func TestPairTableHoldsTheAnchorsPairs(t *testing.T) {
	if !pairsOK {
		t.Fatal("the anchors' pairs do not fit the pair search's classes")
	}
	isPair := map[[2]byte]bool{}
	for _, g := range pivots {
		for c, yes := range g.accept {
			switch {
			case !yes:
			case g.near < 0:
				isPair[[2]byte{byte(c), g.b}] = true
			default:
				isPair[[2]byte{g.b, byte(c)}] = true
			}
		}
	}
	if len(isPair) < 7 {
		t.Fatalf("the pair table holds %d pairs, want the 7 of today's anchors", len(isPair))
	}
	for a := range 256 {
		for b := range 256 {
			if held, want := pairTable.Holds(byte(a), byte(b)), isPair[[2]byte{byte(a), byte(b)}]; held != want {
				t.Errorf("pair %q: held %t, want %t", []byte{byte(a), byte(b)}, held, want)
			}
		}
	}
}

// pairWidths are the pair searches this CPU runs: AVX2's, and AVX-512's.
func pairWidths() []bool {
	if bytepairs.HaveAVX512 {
		return []bool{false, true}
	}
	return []bool{false}
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
	defer func(was bool) { bytepairs.AVX512 = was }(bytepairs.AVX512)
	search = searchPairs
	for _, wide := range pairWidths() {
		bytepairs.AVX512 = wide
		if got := scanBytes(t, data, opt); !reflect.DeepEqual(got, want) {
			t.Errorf("pair search (avx512 %t): %d hits; per pivot: %d hits", wide, len(got.Hits), len(want.Hits))
		}
	}
}
