package bytepairs

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// widths are the searches this CPU runs: AVX2's, and AVX-512's.
func widths() []bool {
	if HaveAVX512 {
		return []bool{false, true}
	}
	return []bool{false}
}

// testTable is eight classes like the scans': a pivot byte, in both cases for some,
// before one or a few neighbours, or before any byte.
func testTable() (*Table, []byte) {
	var t Table
	classes := []struct{ first, second string }{
		{"A", "K"}, {" ", "K"}, {"-", "K"}, {"S", "I"}, {"xX", "_aA"}, {"kK", "eE"}, {"#", ""}, {":", "$/"},
	}
	var alphabet []byte
	for i, c := range classes {
		second := []byte(c.second)
		if c.second == "" {
			for b := range 256 {
				second = append(second, byte(b))
			}
		}
		t.Add(i, []byte(c.first), second)
		alphabet = append(append(alphabet, c.first...), c.second...)
	}
	return &t, alphabet
}

// Add holds exactly the pairs added when each class's bytes share a nibble, and Holds
// says so.
func TestAddHoldsThePairs(t *testing.T) {
	tab, _ := testTable()
	for _, p := range []string{"AK", " K", "-K", "SI", "x_", "Xa", "XA", "ke", "KE", "#\x00", "#z", ":$", ":/"} {
		if !tab.Holds(p[0], p[1]) {
			t.Errorf("%q not held", p)
		}
	}
	for _, p := range []string{"KA", "AI", "SK", "x-", "kA", "$:", "::", "a_"} {
		if tab.Holds(p[0], p[1]) {
			t.Errorf("%q held", p)
		}
	}
}

// Find and Search report exactly the places Holds says, at every length, with pairs
// across 64-byte block edges, and with an output buffer too small for all of them; in
// each width this CPU runs, and in Go alone.
func TestSearchFindsEveryPair(t *testing.T) {
	tab, alphabet := testTable()
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
				copy(b[63:], "AK")
				copy(b[127:], ":$")
			}
			var want []int
			for j := 1; j < len(b); j++ {
				if tab.Holds(b[j-1], b[j]) {
					want = append(want, j)
				}
			}
			for _, mode := range searchModes() {
				for _, outLen := range []int{0, 64, 65, 200, 4096} {
					var got []int
					mode.run(func() {
						err := Search(b, 1, tab, make([]int32, outLen), func(j int) error { got = append(got, j); return nil })
						if err != nil {
							t.Fatal(err)
						}
					})
					if !slices.Equal(got, want) {
						t.Fatalf("%s: size %d, density 1/%d, out %d: found %d pairs, want %d", mode.name, size, density, outLen, len(got), len(want))
					}
				}
			}
		}
	}
}

type searchMode struct {
	name string
	run  func(func())
}

// searchModes sets Available and AVX512 for each search this CPU runs.
func searchModes() []searchMode {
	modes := []searchMode{{"go", func(f func()) {
		defer func(was bool) { Available = was }(Available)
		Available = false
		f()
	}}}
	if !Available {
		return modes
	}
	for _, wide := range widths() {
		modes = append(modes, searchMode{fmt.Sprintf("avx512=%t", wide), func(f func()) {
			defer func(was bool) { AVX512 = was }(AVX512)
			AVX512 = wide
			f()
		}})
	}
	return modes
}

// Search stops at found's first error and returns it.
func TestSearchStopsAtAnError(t *testing.T) {
	tab, _ := testTable()
	b := []byte("......AK......AK......AK" + string(make([]byte, 200)) + "AK")
	for _, mode := range searchModes() {
		calls := 0
		stop := fmt.Errorf("stop")
		var err error
		mode.run(func() {
			err = Search(b, 1, tab, nil, func(int) error { calls++; return stop })
		})
		if err != stop || calls != 1 {
			t.Errorf("%s: %v after %d calls, want stop after 1", mode.name, err, calls)
		}
	}
}
