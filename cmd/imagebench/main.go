// Command imagebench measures sanitize-verify's reading of disk images side by side with
// dd and with Trivy's VM secret scan, on the same generated images (built once from a
// generated tree with mkfs.ext4 -d, a mkfs.xfs protofile, mkntfs and ntfs-3g, converted
// with qemu-img; cached under $SANITIZE_CACHE keyed by imageVersion): ext4 and xfs, raw
// and qcow2, 2 GiB with about 50,000 files; NTFS raw; an 8 GiB ext4 with about 200,000.
// Each reader runs in a process of its own: wall time, bytes read, peak RSS (VmHWM of the
// child), with the page cache cold and warm, and which planted secrets it found.
//
//	go run ./cmd/imagebench [-rounds 3] [-only "ext4 raw"] [-trivy path/to/trivy]
//
// Targets: path checks under 1 s, content scan within 3x dd, deep scan within 1.3x dd,
// peak memory under 256 MiB.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cmd/internal/benchrun"
)

func main() {
	childOf := flag.String("child", "", "internal: run one measurement (paths or scan) on -image")
	img := flag.String("image", "", "internal: the image a child measures")
	rounds := flag.Int("rounds", 3, "runs of each measurement per cache state; the best is shown")
	only := flag.String("only", "", "measure only the images whose name holds this (\"ext4 raw 2 GiB\")")
	trivy := flag.String("trivy", "", "a trivy binary to run side by side (scripts/bench/trivy.sh builds one)")
	flag.Parse()
	if *childOf != "" {
		if err := child(*childOf, *img); err != nil {
			fmt.Fprintln(os.Stderr, "imagebench:", err)
			os.Exit(1)
		}
		return
	}
	if err := bench(*rounds, *only, *trivy); err != nil {
		fmt.Fprintln(os.Stderr, "imagebench:", err)
		os.Exit(1)
	}
}

// measure is one child's run.
type measure struct {
	wall  time.Duration
	rssKB int64
	rep   childReport
}

func bench(rounds int, only, trivy string) error {
	var imgs []benchImage
	for _, b := range allImages {
		if only == "" || strings.Contains(b.String(), only) {
			imgs = append(imgs, b)
		}
	}
	paths, err := cachedImages(benchrun.CacheDir(), imgs)
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fmt.Printf("Image reading side by side: dd, sanitize-verify's path checks, content scan and deep scan\n")
	fmt.Printf("(each in a process of its own, best of %d, of at most 3 on images over 4 GiB), and Trivy's VM secret\n", rounds)
	fmt.Printf("scan (one run, cold).\n")
	fmt.Printf("%d secrets planted in %d files; \"planted\" counts the files each tool named.\n", len(planted)+1, len(planted))
	if trivy == "" {
		fmt.Printf("Trivy: no binary given (-trivy); scripts/bench/trivy.sh builds one from the Go module proxy.\n")
	}
	var failed []string
	for _, b := range imgs {
		img := paths[b]
		fi, err := os.Stat(img)
		if err != nil {
			return err
		}
		fmt.Printf("\n%s: %s, %d bytes\n\n", b, filepath.Base(img), fi.Size())
		fmt.Printf("| %-5s | %-14s | %7s | %6s | %13s | %8s | %-34s |\n", "cache", "reader", "wall s", "vs dd", "bytes read", "RSS MiB", "result")
		fmt.Printf("|-------|----------------|---------|--------|---------------|----------|------------------------------------|\n")
		for _, cold := range []bool{true, false} {
			state := map[bool]string{true: "cold", false: "warm"}[cold]
			// One read first, not measured: a VM's disk is a file the host caches too, and
			// the first reader would pay for the host's cache alone. Cold then means out
			// of this machine's page cache, the same for every reader; warm, in it.
			if _, err := benchrun.Run(exec.Command("dd", "if="+img, "of=/dev/null", "bs=4M", "status=none")); err != nil {
				return err
			}
			names := []string{"dd bs=4M", "path checks", "content scan", "deep scan"}
			runs := []func() *exec.Cmd{
				func() *exec.Cmd { return exec.Command("dd", "if="+img, "of=/dev/null", "bs=4M", "status=none") },
				func() *exec.Cmd { return exec.Command(self, "-child", "paths", "-image", img) },
				func() *exec.Cmd { return exec.Command(self, "-child", "scan", "-image", img) },
				func() *exec.Cmd { return exec.Command(self, "-child", "deep", "-image", img) },
			}
			n := rounds
			if b.sizeGiB > 4 {
				// three rounds, not one: this host's cold reads of the big image vary
				// tenfold from one minute to the next (dd: 1.1 to 13.9 s)
				n = min(rounds, 3)
			}
			// side by side: each round runs every reader in turn
			best, err := benchrun.BestEach(n, img, cold, runs...)
			if err != nil {
				return fmt.Errorf("%s: %w", b, err)
			}
			var dd measure
			for i, r := range best {
				m, err := measureOf(r)
				if err != nil {
					return fmt.Errorf("%s: %s: %w", b, names[i], err)
				}
				result := ""
				switch i {
				case 0:
					dd, m.rep.BytesRead = m, fi.Size()
				case 1:
					result = fmt.Sprintf("%d checks, %d findings", m.rep.Checks, m.rep.Findings)
				default:
					result = fmt.Sprintf("%d findings, planted %d/%d", m.rep.Findings, plantedFound(m.rep.Paths), len(planted))
					if m.rep.Errors > 0 {
						result += fmt.Sprintf(", %d errors", m.rep.Errors)
					}
				}
				printRow(state, names[i], m, dd, result)
				failed = append(failed, verdicts(b, cold, names[i], m, dd)...)
			}
			if trivy != "" && cold {
				m, err := runTrivy(trivy, img, cold)
				if err != nil {
					printRow(state, "trivy vm", m, dd, "cannot read: "+trivyFailure(err))
					continue
				}
				printRow(state, "trivy vm", m, dd, fmt.Sprintf("%d findings, planted %d/%d", m.rep.Findings, plantedFound(m.rep.Paths), len(planted)))
			}
		}
	}
	fmt.Println("\nNTFS is generated with mkntfs and filled through ntfs-3g; the 8 GiB image is cached after its first build.")
	if len(failed) > 0 {
		fmt.Printf("\nTargets not met:\n  %s\n", strings.Join(failed, "\n  "))
	} else {
		fmt.Println("\nTargets met: path checks < 1 s, content scan <= 3x dd, deep scan <= 1.3x dd (cold), peak RSS < 256 MiB.")
	}
	return nil
}

func printRow(state, name string, m, dd measure, result string) {
	read := "-"
	if m.rep.BytesRead >= 0 {
		read = fmt.Sprint(m.rep.BytesRead)
	}
	fmt.Printf("| %-5s | %-14s | %7.2f | %5.2fx | %13s | %8.1f | %-34s |\n", state, name, m.wall.Seconds(),
		m.wall.Seconds()/dd.wall.Seconds(), read, float64(m.rssKB)/1024, result)
}

// verdicts checks a measure against the issues' targets: path checks under 1 s, the content
// scan within 3x dd (cold), the deep scan within 1.3x dd (cold), every scan under 256 MiB
// and finding every planted file it should (the deep scan sees all but the lone AWS key IDs).
func verdicts(b benchImage, cold bool, name string, m, dd measure) []string {
	var out []string
	ratio := m.wall.Seconds() / dd.wall.Seconds()
	switch {
	case name == "path checks" && m.wall > time.Second:
		out = append(out, fmt.Sprintf("%s: path checks %.2f s >= 1 s", b, m.wall.Seconds()))
	case name == "content scan" && cold && ratio > 3:
		out = append(out, fmt.Sprintf("%s: content scan %.2fx dd > 3x (cold)", b, ratio))
	case name == "deep scan" && cold && ratio > 1.3:
		out = append(out, fmt.Sprintf("%s: deep scan %.2fx dd > 1.3x (cold)", b, ratio))
	}
	if name != "dd bs=4M" && m.rssKB >= 256<<10 {
		out = append(out, fmt.Sprintf("%s: %s peak RSS %.0f MiB >= 256 MiB", b, name, float64(m.rssKB)/1024))
	}
	want := map[string]int{"content scan": len(planted), "deep scan": len(planted) - 2}[name]
	if found := plantedFound(m.rep.Paths); found < want {
		out = append(out, fmt.Sprintf("%s: %s found %d of the planted files, want %d", b, name, found, want))
	}
	return out
}

// measureOf reads a child's run; a Go child's report says what it read and its own peak
// RSS at exit, which polling can miss.
func measureOf(r benchrun.Result) (measure, error) {
	m := measure{wall: r.Wall, rssKB: r.PeakRSSKB}
	if len(r.Stdout) == 0 {
		return m, nil
	}
	if err := json.Unmarshal(r.Stdout, &m.rep); err != nil {
		return m, fmt.Errorf("child output: %w: %s", err, r.Stdout)
	}
	m.rssKB = max(m.rssKB, m.rep.PeakRSSKB)
	return m, nil
}
