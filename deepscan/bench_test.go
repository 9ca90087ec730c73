package deepscan

import (
	"context"
	"os"
	"testing"
)

// BenchmarkScanImage scans the image named by $DEEPSCAN_BENCH_IMAGE (cmd/deepscanbench
// makes one), finding the pivot bytes in one AVX2 pass and with one IndexByte pass each: go test -bench ScanImage -cpuprofile cpu.out ./deepscan/
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
	search := map[string]bool{"one-pass": true, "per-pivot": false}
	for _, name := range []string{"one-pass", "per-pivot"} {
		b.Run(name, func(b *testing.B) {
			if search[name] && !onePass {
				b.Skip("no AVX2 here")
			}
			defer func(was bool) { onePass = was }(onePass)
			onePass = search[name]
			b.SetBytes(fi.Size())
			for b.Loop() {
				if _, err := Scan(context.Background(), path, f, fi.Size(), Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
