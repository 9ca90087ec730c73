// Package benchrun runs the benches' measured children: each measurement in a process
// of its own, so that its wall time, peak memory and bytes read are its alone.
package benchrun

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// Result is one child's run.
type Result struct {
	Wall      time.Duration
	PeakRSSKB int64 // VmHWM of the child's own address space
	Stdout    []byte
}

// Run runs a child to its end. Its peak RSS is VmHWM, polled while it runs: getrusage's
// ru_maxrss of a child counts the parent's peak too, since the child's address space
// was the parent's until exec. A Go child can add its own VmHWM at exit (SelfPeakRSSKB),
// which polling can miss.
func Run(c *exec.Cmd) (Result, error) {
	var out bytes.Buffer
	c.Stdout, c.Stderr = &out, os.Stderr
	t0 := time.Now()
	if err := c.Start(); err != nil {
		return Result{}, err
	}
	done := make(chan struct{})
	peak := make(chan int64)
	status := fmt.Sprintf("/proc/%d/status", c.Process.Pid)
	go func() {
		var most int64
		for {
			most = max(most, vmHWM(status))
			select {
			case <-done:
				peak <- most
				return
			case <-time.After(2 * time.Millisecond):
			}
		}
	}()
	err := c.Wait()
	r := Result{Wall: time.Since(t0), Stdout: out.Bytes()}
	close(done)
	r.PeakRSSKB = <-peak
	if err != nil {
		return r, fmt.Errorf("%s: %w", c.String(), err)
	}
	return r, nil
}

// Best runs the command rounds times (the image dropped from the page cache first when
// cold) and keeps the fastest run.
func Best(rounds int, img string, cold bool, cmd func() *exec.Cmd) (Result, error) {
	best, err := BestEach(rounds, img, cold, cmd)
	if err != nil {
		return Result{}, err
	}
	return best[0], nil
}

// BestEach runs the commands side by side: each round runs every one of them in turn
// (the image dropped from the page cache before each when cold), so that a change in the
// machine's state during the bench (the host's cache, other load) falls on all of them
// alike. Each round starts one command further on, every other round in reverse, so that
// each takes every place and follows different commands: on this host "cold" is cold
// for this machine only, the host caching the disk as the last command left it, and the
// deep scan of the 8 GiB image took 3.2–4.3 s right after the content scan against
// 1.2–1.3 s right after itself. It keeps each command's fastest run.
func BestEach(rounds int, img string, cold bool, cmds ...func() *exec.Cmd) ([]Result, error) {
	best := make([]Result, len(cmds))
	seen := make([]bool, len(cmds))
	for i := 0; i < rounds; i++ {
		for k := range cmds {
			if i%2 == 1 {
				k = len(cmds) - 1 - k
			}
			j := (i + k) % len(cmds)
			cmd := cmds[j]
			if cold {
				if err := DropCache(img); err != nil {
					return nil, err
				}
			}
			r, err := Run(cmd())
			if err != nil {
				return nil, err
			}
			if !seen[j] || r.Wall < best[j].Wall {
				best[j], seen[j] = r, true
			}
		}
	}
	return best, nil
}

// DropCache evicts the image's pages, so the next read comes from the disk.
func DropCache(img string) error {
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

// CacheDir is where the benches keep their generated images: $SANITIZE_CACHE, else
// ~/.cache/packer-plugin-sanitize (as scripts/e2e/lib.sh).
func CacheDir() string {
	if d := os.Getenv("SANITIZE_CACHE"); d != "" {
		return d
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".cache", "packer-plugin-sanitize")
}

// SelfPeakRSSKB is this process's VmHWM, for a child to report at its end.
func SelfPeakRSSKB() int64 { return vmHWM("/proc/self/status") }

// SelfBytesRead is what this process asked read(2) and pread(2) for (rchar of
// /proc/self/io), -1 when unknown.
func SelfBytesRead() int64 {
	f, err := os.Open("/proc/self/io")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "rchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
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
