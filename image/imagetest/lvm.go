package imagetest

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// LV is a logical volume of a physical volume built by LVMPV.
type LV struct {
	Name  string
	Image string // copied into the LV; "" leaves it zeroed
	// Extents splits the LV into segments of so many 4 MiB extents; the segments are laid
	// out on the PV last first, so that a reader must follow the mapping. Default: one
	// segment the size of Image.
	Extents []int
	// Type is the segment type written to the metadata ("thin", "thin-pool", ...) with
	// Segment's lines in its segment; "" is a linear volume. Stripes > 1 makes a striped
	// one over this same PV.
	Type    string
	Segment string
	Stripes int
	Hidden  bool // a part of another volume (a thin pool's data or metadata)
}

const extentMiB = 4

// lvmConfig keeps the host's LVM state out of the tests: no backups, no archives, no
// devices file.
const lvmConfig = "devices { use_devicesfile = 0 } backup { backup = 0 archive = 0 }"

// LVMPV writes out, a file of sizeMiB holding an LVM2 physical volume of volume group vg
// with the logical volumes lvs, the way lvm2 lays it out: pvcreate and vgcreate run on a
// loop device, the logical volumes are written into the metadata with vgcfgrestore (no
// device-mapper needed), then each Image is copied to its extents. Needs root.
func LVMPV(t testing.TB, out string, sizeMiB int, vg string, lvs []LV) {
	t.Helper()
	NeedRoot(t)
	Need(t, "losetup", "pvcreate", "vgcreate", "vgcfgbackup", "vgcfgrestore")
	lock := lockLVM(t) // two tests' volume groups of one name would collide
	defer lock.Close()
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(out, int64(sizeMiB)<<20); err != nil {
		t.Fatal(err)
	}
	dev := strings.TrimSpace(Run(t, "losetup", "-f", "--show", out))
	defer exec.Command("losetup", "-d", dev).Run()
	lvm := func(args ...string) string {
		cmd := exec.Command(args[0], append([]string{"--config", lvmConfig}, args[1:]...)...)
		cmd.Env = append(os.Environ(), "LVM_SUPPRESS_FD_WARNINGS=1")
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, b)
		}
		return string(b)
	}
	lvm("pvcreate", "-ff", "-y", dev)
	lvm("vgcreate", "-s", strconv.Itoa(extentMiB)+"M", vg, dev)
	backup := out + ".vg"
	defer os.Remove(backup)
	lvm("vgcfgbackup", "-f", backup, vg)
	meta, err := os.ReadFile(backup)
	if err != nil {
		t.Fatal(err)
	}
	peStart, _ := strconv.ParseInt(regexp.MustCompile(`pe_start = (\d+)`).FindStringSubmatch(string(meta))[1], 10, 64)

	var text strings.Builder
	text.WriteString("logical_volumes {\n")
	type copyJob struct {
		image               string
		lvOff, pvOff, bytes int64
	}
	var jobs []copyJob
	nextPE := 0
	for _, lv := range lvs {
		extents := lv.Extents
		if len(extents) == 0 {
			extents = []int{int((fileSize(t, lv.Image) + extentMiB<<20 - 1) / (extentMiB << 20))}
		}
		status := `"READ", "WRITE", "VISIBLE"`
		if lv.Hidden {
			status = `"READ", "WRITE"`
		}
		fmt.Fprintf(&text, "%s {\nid = %q\nstatus = [%s]\nflags = []\nsegment_count = %d\n",
			lv.Name, fakeUUID(lv.Name), status, len(extents))
		// place the segments last first
		pes := make([]int, len(extents))
		for i := len(extents) - 1; i >= 0; i-- {
			pes[i], nextPE = nextPE, nextPE+extents[i]
		}
		start := 0
		for i, n := range extents {
			typ, stripes := orString(lv.Type, "striped"), max(lv.Stripes, 1)
			fmt.Fprintf(&text, "segment%d {\nstart_extent = %d\nextent_count = %d\ntype = %q\n%s", i+1, start, n, typ, lv.Segment)
			if typ == "striped" {
				fmt.Fprintf(&text, "stripe_count = %d\n", stripes)
				if stripes > 1 {
					text.WriteString("stripe_size = 128\n")
				}
				text.WriteString("stripes = [\n")
				for s := 0; s < stripes; s++ {
					fmt.Fprintf(&text, "\"pv0\", %d,\n", pes[i]+s*n/stripes)
				}
				text.WriteString("]\n")
			}
			text.WriteString("}\n")
			if lv.Image != "" {
				jobs = append(jobs, copyJob{lv.Image, int64(start) * extentMiB << 20, peStart*512 + int64(pes[i])*extentMiB<<20, int64(n) * extentMiB << 20})
			}
			start += n
		}
		text.WriteString("}\n")
	}
	text.WriteString("}\n")
	s := string(meta)
	end := strings.LastIndex(s, "}") // the volume group's closing brace
	s = s[:end] + text.String() + s[end:]
	if err := os.WriteFile(backup, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	lvm("vgcfgrestore", "--force", "-f", backup, vg)
	for _, j := range jobs {
		copyRange(t, out, j.image, j.lvOff, j.pvOff, j.bytes)
	}
}

// NeedRoot skips the test (fails it under CI=true) when not running as root.
func NeedRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("needs root (loop devices)")
	}
	t.Skip("needs root (loop devices)")
}

func lockLVM(t testing.TB) *os.File {
	f, err := os.OpenFile(os.TempDir()+"/sanitize-imagetest-lvm.lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	return f
}

func fileSize(t testing.TB, p string) int64 {
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// copyRange copies length bytes of src from srcOff (less at its end) to dst at dstOff.
func copyRange(t testing.TB, dst, src string, srcOff, dstOff, length int64) {
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(io.NewOffsetWriter(out, dstOff), io.NewSectionReader(in, srcOff, length)); err != nil {
		t.Fatal(err)
	}
}

// fakeUUID makes an LVM-style id (32 characters in 6-4-4-4-4-4-6 groups) from a name.
func fakeUUID(name string) string {
	s := fmt.Sprintf("%-32s", strings.Repeat(name, 32/len(name)+1))[:32]
	s = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return 'x'
	}, s)
	return s[:6] + "-" + s[6:10] + "-" + s[10:14] + "-" + s[14:18] + "-" + s[18:22] + "-" + s[22:26] + "-" + s[26:]
}
