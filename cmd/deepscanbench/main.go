// Command deepscanbench measures the deep scan against dd on the same multi-GiB ext4 image,
// side by side (each round runs dd, the scan alone and the scan with owner mapping, in
// turn): wall time, throughput, bytes read and peak memory (VmHWM of each child process
// alone), with the page cache cold (dropped with posix_fadvise before each run) and warm.
//
//	go run ./cmd/deepscanbench [-size 2] [-rounds 3]
//
// The image (rootfs copies, a live and a deleted private key, an AWS credentials file) is
// cached under $SANITIZE_CACHE (default ~/.cache/packer-plugin-sanitize).
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cmd/internal/benchrun"
)

func main() {
	child := flag.String("child-scan", "", "internal: deep-scan this image and print JSON")
	owners := flag.Bool("owners", true, "internal, with -child-scan: map the hits to the files owning them")
	size := flag.Int("size", 2, "image size in GiB")
	rounds := flag.Int("rounds", 3, "runs of each tool per cache state; the best is shown")
	flag.Parse()
	if *child != "" {
		if err := childScan(*child, *owners); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := bench(*size, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "deepscanbench:", err)
		os.Exit(1)
	}
}

func bench(sizeGiB, rounds int) error {
	img, err := cachedImage(benchrun.CacheDir(), sizeGiB)
	if err != nil {
		return err
	}
	fi, err := os.Stat(img)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Printf("Deep scan vs dd: %s (%.1f GiB ext4), side by side, best of %d rounds\n\n", filepath.Base(img), float64(fi.Size())/(1<<30), rounds)
	fmt.Printf("| %-5s | %-30s | %8s | %8s | %13s | %12s | %8s |\n", "cache", "reader", "wall s", "MB/s", "bytes read", "peak RSS MiB", "vs dd")
	fmt.Printf("|-------|--------------------------------|----------|----------|---------------|--------------|----------|\n")
	var reports [2]scanReport
	for _, cold := range []bool{true, false} {
		state := "warm"
		if cold {
			state = "cold"
		} else if _, err := benchrun.Run(exec.Command("dd", "if="+img, "of=/dev/null", "bs=4M", "status=none")); err != nil {
			return err // warms the cache
		}
		res, err := benchrun.BestEach(rounds, img, cold,
			func() *exec.Cmd { return exec.Command("dd", "if="+img, "of=/dev/null", "bs=4M", "status=none") },
			func() *exec.Cmd { return exec.Command(self, "-child-scan", img, "-owners=false") },
			func() *exec.Cmd { return exec.Command(self, "-child-scan", img) })
		if err != nil {
			return err
		}
		dd := res[0]
		row(state, "dd bs=4M", dd, fi.Size(), fi.Size(), dd.Wall)
		for i, name := range []string{"deep scan (no owner mapping)", "deep scan + owner mapping"} {
			scan := res[1+i]
			var rep scanReport
			if err := json.Unmarshal(scan.Stdout, &rep); err != nil {
				return fmt.Errorf("scan child output: %w: %s", err, scan.Stdout)
			}
			scan.PeakRSSKB = max(scan.PeakRSSKB, rep.PeakRSSKB) // the child's own, at exit
			row(state, name, scan, rep.BytesRead, fi.Size(), dd.Wall)
			if cold {
				reports[i] = rep
			}
		}
	}
	withOwners := reports[1]
	fmt.Printf("\nBest cold run with owners: %.2fs opening the image, %.2fs scanning (%d MiB read, %d MiB of holes known zeros, not read), %.3fs mapping %d hits after the scan\n",
		withOwners.OpenSeconds, withOwners.ScanSeconds, withOwners.BytesRead>>20, withOwners.KnownZeros>>20, withOwners.LocateSeconds, withOwners.Total)
	for _, h := range withOwners.Hits {
		fmt.Printf("  %s\n", h)
	}
	return nil
}

// row prints one reader's best run: MB/s of the image's size, whatever it read of it.
func row(state, name string, m benchrun.Result, read, size int64, ddWall time.Duration) {
	fmt.Printf("| %-5s | %-30s | %8.2f | %8.0f | %13d | %12.1f | %7.2fx |\n", state, name, m.Wall.Seconds(),
		float64(size)/1e6/m.Wall.Seconds(), read, float64(m.PeakRSSKB)/1024, m.Wall.Seconds()/ddWall.Seconds())
}
