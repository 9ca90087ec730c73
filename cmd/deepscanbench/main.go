// Command deepscanbench measures the deep scan against dd on the same multi-GiB ext4 image,
// side by side: wall time, throughput, bytes read and peak memory (VmHWM of each child
// process alone), with the page cache cold (dropped with posix_fadvise before each run)
// and warm.
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
	size := flag.Int("size", 2, "image size in GiB")
	rounds := flag.Int("rounds", 3, "runs of each tool per cache state; the best is shown")
	flag.Parse()
	if *child != "" {
		if err := childScan(*child); err != nil {
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
	fmt.Printf("Deep scan vs dd: %s (%.1f GiB ext4), best of %d\n\n", filepath.Base(img), float64(fi.Size())/(1<<30), rounds)
	fmt.Printf("| %-5s | %-26s | %8s | %8s | %13s | %12s | %8s |\n", "cache", "reader", "wall s", "MB/s", "bytes read", "peak RSS MiB", "vs dd")
	fmt.Printf("|-------|----------------------------|----------|----------|---------------|--------------|----------|\n")
	var report scanReport
	for _, cold := range []bool{true, false} {
		state := "warm"
		if cold {
			state = "cold"
		} else if _, err := benchrun.Run(exec.Command("dd", "if="+img, "of=/dev/null", "bs=4M", "status=none")); err != nil {
			return err // warms the cache
		}
		dd, err := benchrun.Best(rounds, img, cold, func() *exec.Cmd {
			return exec.Command("dd", "if="+img, "of=/dev/null", "bs=4M", "status=none")
		})
		if err != nil {
			return err
		}
		scan, err := benchrun.Best(rounds, img, cold, func() *exec.Cmd { return exec.Command(self, "-child-scan", img) })
		if err != nil {
			return err
		}
		if err := json.Unmarshal(scan.Stdout, &report); err != nil {
			return fmt.Errorf("scan child output: %w: %s", err, scan.Stdout)
		}
		scan.PeakRSSKB = max(scan.PeakRSSKB, report.PeakRSSKB) // the child's own, at exit
		row(state, "dd bs=4M", dd, fi.Size(), dd.Wall)
		row(state, "deep scan (+ owner mapping)", scan, report.BytesRead, dd.Wall)
	}
	fmt.Printf("\ndeep scan: %.2fs scanning, %.3fs mapping %d hits to files\n", report.ScanSeconds, report.LocateSeconds, report.Total)
	for _, h := range report.Hits {
		fmt.Printf("  %s\n", h)
	}
	return nil
}

func row(state, name string, m benchrun.Result, bytes int64, ddWall time.Duration) {
	fmt.Printf("| %-5s | %-26s | %8.2f | %8.0f | %13d | %12.1f | %7.2fx |\n", state, name, m.Wall.Seconds(),
		float64(bytes)/1e6/m.Wall.Seconds(), bytes, float64(m.PeakRSSKB)/1024, m.Wall.Seconds()/ddWall.Seconds())
}
