// Command deepscanbench measures the deep scan against dd on the same multi-GiB ext4 image,
// side by side: wall time, throughput, bytes read and peak memory, with the page cache
// cold (dropped with posix_fadvise before each run) and warm.
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
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

type measure struct {
	wall  time.Duration
	rssKB int64
	out   []byte
}

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

func cacheDir() string {
	if d := os.Getenv("SANITIZE_CACHE"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "packer-plugin-sanitize")
}

func bench(sizeGiB, rounds int) error {
	img, err := cachedImage(cacheDir(), sizeGiB)
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
		} else if _, err := timed(exec.Command("dd", "if="+img, "of=/dev/null", "bs=4M")); err != nil {
			return err // warms the cache
		}
		dd, err := best(rounds, img, cold, func() *exec.Cmd {
			return exec.Command("dd", "if="+img, "of=/dev/null", "bs=4M", "status=none")
		})
		if err != nil {
			return err
		}
		scan, err := best(rounds, img, cold, func() *exec.Cmd { return exec.Command(self, "-child-scan", img) })
		if err != nil {
			return err
		}
		if err := json.Unmarshal(scan.out, &report); err != nil {
			return fmt.Errorf("scan child output: %w: %s", err, scan.out)
		}
		row(state, "dd bs=4M", dd, fi.Size(), dd.wall)
		row(state, "deep scan (+ owner mapping)", scan, report.BytesRead, dd.wall)
	}
	fmt.Printf("\ndeep scan: %.2fs scanning, %.3fs mapping %d hits to files\n", report.ScanSeconds, report.LocateSeconds, report.Total)
	for _, h := range report.Hits {
		fmt.Printf("  %s\n", h)
	}
	return nil
}

func row(state, name string, m measure, bytes int64, ddWall time.Duration) {
	fmt.Printf("| %-5s | %-26s | %8.2f | %8.0f | %13d | %12.1f | %7.2fx |\n", state, name, m.wall.Seconds(),
		float64(bytes)/1e6/m.wall.Seconds(), bytes, float64(m.rssKB)/1024, m.wall.Seconds()/ddWall.Seconds())
}

// best runs the command rounds times (dropping the image from the page cache first when
// cold) and keeps the fastest run.
func best(rounds int, img string, cold bool, cmd func() *exec.Cmd) (measure, error) {
	var b measure
	for i := 0; i < rounds; i++ {
		if cold {
			if err := dropCache(img); err != nil {
				return b, err
			}
		}
		m, err := timed(cmd())
		if err != nil {
			return b, err
		}
		if i == 0 || m.wall < b.wall {
			b = m
		}
	}
	return b, nil
}

func timed(c *exec.Cmd) (measure, error) {
	c.Stderr = os.Stderr
	t0 := time.Now()
	out, err := c.Output()
	m := measure{wall: time.Since(t0), out: out}
	if err != nil {
		return m, fmt.Errorf("%s: %w", c.String(), err)
	}
	if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.rssKB = ru.Maxrss
	}
	return m, nil
}

// dropCache evicts the image's pages, so the next read comes from the disk.
func dropCache(img string) error {
	f, err := os.Open(img)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := unix.Fdatasync(int(f.Fd())); err != nil {
		return err
	}
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}
