package benchrun

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The child's peak is its own: a parent that has grown big must not show in a small
// child (getrusage's ru_maxrss would report it), and a big child must show.
func TestRunMeasuresTheChildAlone(t *testing.T) {
	ballast := make([]byte, 400<<20)
	for i := range ballast {
		ballast[i] = byte(i)
	}
	for _, c := range []struct {
		name     string
		cmd      *exec.Cmd
		min, max int64 // KiB
	}{
		{"small child of a big parent", exec.Command("sleep", "0.2"), 1, 64 << 10},
		{"child with a 256 MiB buffer", exec.Command("dd", "if=/dev/zero", "of=/dev/null", "bs=256M", "count=8", "status=none"), 250 << 10, 350 << 10},
	} {
		r, err := Run(c.cmd)
		if err != nil {
			t.Fatal(err)
		}
		if r.PeakRSSKB < c.min || r.PeakRSSKB > c.max || r.Wall <= 0 {
			t.Errorf("%s: peak %d KiB in %v, want %d..%d KiB", c.name, r.PeakRSSKB, r.Wall, c.min, c.max)
		}
	}
	_ = ballast[len(ballast)-1]
}

func TestSelfMeasures(t *testing.T) {
	if SelfPeakRSSKB() <= 0 || SelfBytesRead() < 0 {
		t.Errorf("peak %d KiB, read %d bytes", SelfPeakRSSKB(), SelfBytesRead())
	}
}

// Each round starts one command further on, every other one in reverse: every command
// takes every place, after different commands.
func TestBestEachRotatesTheOrder(t *testing.T) {
	log := filepath.Join(t.TempDir(), "order")
	cmd := func(name string) func() *exec.Cmd {
		return func() *exec.Cmd { return exec.Command("sh", "-c", "printf "+name+" >> "+log) }
	}
	best, err := BestEach(3, "", false, cmd("a"), cmd("b"), cmd("c"))
	if err != nil {
		t.Fatal(err)
	}
	order, err := os.ReadFile(log)
	if err != nil || string(order) != "abcacbcab" || len(best) != 3 || best[2].Wall <= 0 {
		t.Fatalf("ran %q (%v), %d results; want abcacbcab and three", order, err, len(best))
	}
}
