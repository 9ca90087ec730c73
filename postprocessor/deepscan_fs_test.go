package postprocessor

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// sshKey makes a fresh OpenSSH private key with ssh-keygen, padded in front so that the
// file is not resident in its NTFS MFT record.
func sshKey(t *testing.T) []byte {
	t.Helper()
	imagetest.Need(t, "ssh-keygen")
	p := filepath.Join(t.TempDir(), "id_ed25519")
	imagetest.Run(t, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test", "-f", p)
	pem, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(strings.Repeat("# padding\n", 150)), pem...)
}

// TestDeepScanMapsHitsOnXFSAndNTFS: on xfs and NTFS, deep_scan names the file a live key
// is in, and reports a key deleted through the kernel as a remnant in unallocated space
// of its volume.
func TestDeepScanMapsHitsOnXFSAndNTFS(t *testing.T) {
	for _, tc := range []struct {
		name  string
		build func(t *testing.T, tree, img string)
		mount func(t testing.TB, img string, fn func(dir string))
	}{
		{"xfs", func(t *testing.T, tree, img string) { imagetest.MkfsXFS(t, tree, img, 300) },
			func(t testing.TB, img string, fn func(string)) { imagetest.Mount(t, img, fn) }},
		{"NTFS", func(t *testing.T, tree, img string) { imagetest.NTFS(t, tree, img, 64) },
			func(t testing.TB, img string, fn func(string)) { imagetest.MountNTFS(t, img, fn) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tree := filepath.Join(dir, "tree")
			imagetest.WriteTree(t, tree, map[string]imagetest.File{
				"opt/app/deploy_key": {Data: string(sshKey(t)), Mode: 0o600},
				"opt/app/README":     {Data: "nothing to see\n"},
			})
			img := filepath.Join(dir, "disk.img")
			tc.build(t, tree, img)
			tc.mount(t, img, func(mnt string) {
				imagetest.PlantDeleted(t, filepath.Join(mnt, "old_key"), sshKey(t))
			})

			r := runPP(t, map[string]interface{}{"deep_scan": true}, img)
			if r.err == nil || r.report.Passed {
				t.Fatalf("deep_scan passed an image holding keys:\n%s", r.out)
			}
			var live, remnant bool
			for _, f := range r.report.Findings {
				if f.Check != deepScanCheck {
					continue
				}
				live = live || (f.Path == "/opt/app/deploy_key" && strings.Contains(f.Message, "also in file /opt/app/deploy_key"))
				remnant = remnant || (f.Path == "(unallocated)" && f.Source != "" &&
					strings.Contains(f.Message, "remnant") && strings.Contains(f.Message, "volume offset"))
			}
			if !live || !remnant {
				t.Fatalf("live file named: %t, remnant in (unallocated): %t\n%s", live, remnant, r.out)
			}
			for _, nv := range r.report.NotVerified {
				if nv.Check == deepScanCheck {
					t.Errorf("deep scan not verified: %+v", nv)
				}
			}
		})
	}
}

// TestDeepScanOnACorruptFreeSpaceBtree: when xfs's free-space btrees cannot be read, the
// hits are still reported, of unknown owner, and the volume's deep scan is not verified
// (the build fails) rather than its hits guessed to be files or remnants.
func TestDeepScanOnACorruptFreeSpaceBtree(t *testing.T) {
	imagetest.Need(t, "xfs_db")
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	imagetest.WriteTree(t, tree, map[string]imagetest.File{"opt/app/deploy_key": {Data: string(sshKey(t)), Mode: 0o600}})
	img := filepath.Join(dir, "disk.img")
	imagetest.MkfsXFS(t, tree, img, 300)
	geometry := xfsDB(t, img, "sb 0", "p agblocks blocksize agcount")
	for ag := range geometry["agcount"] {
		root := xfsDB(t, img, fmt.Sprintf("agf %d", ag), "p bnoroot")["bnoroot"]
		imagetest.WriteAt(t, img, (ag*geometry["agblocks"]+root)*geometry["blocksize"], []byte("JUNK"))
	}

	r := runPP(t, map[string]interface{}{"deep_scan": true}, img)
	if r.err == nil || r.report.Passed {
		t.Fatalf("deep_scan passed:\n%s", r.out)
	}
	var hit, notMapped bool
	for _, f := range r.report.Findings {
		hit = hit || (f.Check == deepScanCheck && f.Path == "(raw volume)" && strings.Contains(f.Message, "volume offset") &&
			strings.Contains(f.Message, "owner unknown: the filesystem's allocation could not be read"))
	}
	for _, nv := range r.report.NotVerified {
		notMapped = notMapped || (nv.Check == deepScanCheck && strings.Contains(nv.Error, "not mapped to files") &&
			strings.Contains(nv.Error, "free-space btree"))
	}
	if !hit || !notMapped {
		t.Fatalf("hit reported: %t, not verified for the mapping: %t\n%s", hit, notMapped, r.out)
	}
}

// xfsDB runs xfs_db read-only with commands and parses its "name = number" lines.
func xfsDB(t *testing.T, img string, commands ...string) map[string]int64 {
	t.Helper()
	args := []string{"-r"}
	for _, c := range commands {
		args = append(args, "-c", c)
	}
	out, err := exec.Command("xfs_db", append(args, img)...).CombinedOutput()
	if err != nil {
		t.Fatalf("xfs_db %v: %v\n%s", commands, err, out)
	}
	vals := map[string]int64{}
	for _, line := range strings.Split(string(out), "\n") {
		name, v, ok := strings.Cut(line, " = ")
		if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); ok && err == nil {
			vals[strings.TrimSpace(name)] = n
		}
	}
	return vals
}
