// Command imagebench measures sanitize-verify's reading of a disk image against dd on the
// same image, side by side: a 2 GiB ext4 with about 50,000 files (built once with
// mkfs.ext4 -d from a generated tree, cached under $SANITIZE_CACHE), read by dd, by the
// path checks and by the content scan, each in a process of its own: wall time, bytes
// read, peak RSS (getrusage of the child), with the page cache cold and warm.
//
//	go run ./cmd/imagebench [-rounds 3]
//
// Targets: path checks under 1 s, content scan within 3x dd, peak memory under 256 MiB.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

func main() {
	childOf := flag.String("child", "", "internal: run one measurement (paths or scan) on -image")
	img := flag.String("image", "", "internal: the image a child measures")
	rounds := flag.Int("rounds", 3, "runs of each measurement per cache state; the best is shown")
	flag.Parse()
	if *childOf != "" {
		if err := child(*childOf, *img); err != nil {
			fmt.Fprintln(os.Stderr, "imagebench:", err)
			os.Exit(1)
		}
		return
	}
	if err := bench(*rounds); err != nil {
		fmt.Fprintln(os.Stderr, "imagebench:", err)
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

// measure is one child's run.
type measure struct {
	wall  time.Duration
	rssKB int64
	rep   childReport
}

func bench(rounds int) error {
	img, err := cachedImage(cacheDir())
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
	fmt.Printf("Image reading vs dd: %s (%.1f GiB ext4, ~50,000 files), best of %d\n\n", filepath.Base(img), float64(fi.Size())/(1<<30), rounds)
	fmt.Printf("| %-5s | %-24s | %7s | %6s | %13s | %12s | %-22s |\n", "cache", "reader", "wall s", "vs dd", "bytes read", "peak RSS MiB", "result")
	fmt.Printf("|-------|--------------------------|---------|--------|---------------|--------------|------------------------|\n")
	var warm [3]measure
	for _, cold := range []bool{true, false} {
		state := map[bool]string{true: "cold", false: "warm"}[cold]
		if !cold {
			if _, err := timed(exec.Command("dd", "if="+img, "of=/dev/null", "bs=4M", "status=none")); err != nil {
				return err // warms the cache
			}
		}
		runs := []func() *exec.Cmd{
			func() *exec.Cmd { return exec.Command("dd", "if="+img, "of=/dev/null", "bs=4M", "status=none") },
			func() *exec.Cmd { return exec.Command(self, "-child", "paths", "-image", img) },
			func() *exec.Cmd { return exec.Command(self, "-child", "scan", "-image", img) },
		}
		var ms [3]measure
		for i, cmd := range runs {
			if ms[i], err = best(rounds, img, cold, cmd); err != nil {
				return err
			}
		}
		ms[0].rep.BytesRead = fi.Size()
		for i, name := range []string{"dd bs=4M", "path checks", "content scan"} {
			m := ms[i]
			result := ""
			switch i {
			case 1:
				result = fmt.Sprintf("%d checks, %d findings", m.rep.Checks, m.rep.Findings)
			case 2:
				result = fmt.Sprintf("%d findings, %d errors", m.rep.Findings, m.rep.Errors)
			}
			fmt.Printf("| %-5s | %-24s | %7.2f | %5.2fx | %13d | %12.1f | %-22s |\n", state, name, m.wall.Seconds(),
				m.wall.Seconds()/ms[0].wall.Seconds(), m.rep.BytesRead, float64(m.rssKB)/1024, result)
		}
		warm = ms
	}
	verdict := func(ok bool) string { return map[bool]string{true: "met", false: "NOT met"}[ok] }
	peak := max(warm[1].rssKB, warm[2].rssKB)
	fmt.Printf("\nTargets (warm cache): path checks %.2f s < 1 s: %s; content scan %.2fx dd <= 3x: %s; peak RSS %.0f MiB < 256 MiB: %s\n",
		warm[1].wall.Seconds(), verdict(warm[1].wall < time.Second),
		warm[2].wall.Seconds()/warm[0].wall.Seconds(), verdict(warm[2].wall <= 3*warm[0].wall),
		float64(peak)/1024, verdict(peak < 256<<10))
	if warm[2].rep.Findings < len(planted) {
		return fmt.Errorf("the content scan found %d findings, fewer than the %d planted secrets", warm[2].rep.Findings, len(planted))
	}
	return nil
}

// best runs the command rounds times (the image dropped from the page cache first when
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

// timed runs a child. Its peak RSS is VmHWM of its own address space, polled while it
// runs (and reported by a Go child at its end): getrusage's ru_maxrss of a child counts
// the parent's peak too, since the child's address space was the parent's until exec.
func timed(c *exec.Cmd) (measure, error) {
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, os.Stderr
	t0 := time.Now()
	if err := c.Start(); err != nil {
		return measure{}, err
	}
	done := make(chan struct{})
	peak := make(chan int64)
	go func() {
		var max int64
		for {
			max = maxInt(max, vmHWM(fmt.Sprintf("/proc/%d/status", c.Process.Pid)))
			select {
			case <-done:
				peak <- max
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	err := c.Wait()
	m := measure{wall: time.Since(t0)}
	close(done)
	m.rssKB = <-peak
	if err != nil {
		return m, fmt.Errorf("%s: %w", c.String(), err)
	}
	if out.Len() > 0 {
		if err := json.Unmarshal(out.Bytes(), &m.rep); err != nil {
			return m, fmt.Errorf("%s: %w: %s", c.String(), err, out.Bytes())
		}
		m.rssKB = maxInt(m.rssKB, m.rep.PeakRSSKB)
	}
	return m, nil
}

func maxInt(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// vmHWM reads the "VmHWM:  1234 kB" line of a /proc status file; 0 if it is gone.
func vmHWM(status string) int64 {
	b, err := os.ReadFile(status)
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// dropCache evicts the image's pages, so the next read comes from the disk.
func dropCache(img string) error {
	f, err := os.Open(img)
	if err != nil {
		return err
	}
	defer f.Close()
	return unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED)
}
