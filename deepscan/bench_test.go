package deepscan

import (
	"context"
	"os"
	"testing"
)

// BenchmarkScanImage scans the image named by $DEEPSCAN_BENCH_IMAGE (cmd/deepscanbench
// makes one), finding the candidates as pairs (AVX-512), pivot bytes in one pass (AVX2) and with one IndexByte pass each: go test -bench ScanImage -cpuprofile cpu.out ./deepscan/
func BenchmarkScanImage(b *testing.B) {
	path := os.Getenv("DEEPSCAN_BENCH_IMAGE")
	if path == "" {
		b.Skip("DEEPSCAN_BENCH_IMAGE is not set")
	}
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()
	kinds := map[string]searchKind{"pairs": searchPairs, "one-pass": searchOnePass, "per-pivot": searchPerPivot}
	for _, name := range []string{"pairs", "one-pass", "per-pivot"} {
		b.Run(name, func(b *testing.B) {
			if !searchable(kinds[name]) {
				b.Skip("not on this CPU")
			}
			defer func(was searchKind) { search = was }(search)
			search = kinds[name]
			b.SetBytes(fi.Size())
			for b.Loop() {
				if _, err := Scan(context.Background(), path, f, fi.Size(), Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
