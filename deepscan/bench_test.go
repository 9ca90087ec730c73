package deepscan

import (
	"context"
	"os"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/internal/bytepairs"
)

// BenchmarkScanImage scans the image named by $DEEPSCAN_BENCH_IMAGE (cmd/deepscanbench
// makes one), finding the candidates as pairs (AVX-512, AVX2) and with one IndexByte pass per pivot byte: go test -bench ScanImage -cpuprofile cpu.out ./deepscan/
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
	kinds := map[string]searchKind{"pairs-avx512": searchPairs, "pairs-avx2": searchPairs, "per-pivot": searchPerPivot}
	for _, name := range []string{"pairs-avx512", "pairs-avx2", "per-pivot"} {
		b.Run(name, func(b *testing.B) {
			if !searchable(kinds[name]) || (name == "pairs-avx512" && !bytepairs.HaveAVX512) {
				b.Skip("not on this CPU")
			}
			defer func(was searchKind, wide bool) { search, bytepairs.AVX512 = was, wide }(search, bytepairs.AVX512)
			search, bytepairs.AVX512 = kinds[name], name == "pairs-avx512"
			b.SetBytes(fi.Size())
			for b.Loop() {
				if _, err := Scan(context.Background(), path, f, fi.Size(), Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
