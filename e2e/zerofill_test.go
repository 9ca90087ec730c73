package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// TestZeroFreeSpaceErasesADeletedKey proves the deep scan and the zero-free-space operation
// together, on a real filesystem. The Debian rootfs lives on an ext4 image of its own,
// loop-mounted where the target's sshd chroots, so what is deleted in it stays in that
// image's free blocks, as on a VM's disk. Before the build a private key is written there,
// flushed to its blocks and deleted with rm. A real `packer build` (join.pkr.hcl) then
// runs the sanitize provisioner over SSH, stops sshd, unmounts the image, and
// sanitize-verify deep-scans the image file itself. With the default operations the
// deleted key is flagged as a remnant in unallocated space, at an offset that holds it;
// with +zero-free-space (the catalogue's fragment, run by sh as root in the guest) it is
// gone: from the report, and from every byte of the image.
func TestZeroFreeSpaceErasesADeletedKey(t *testing.T) {
	packer := requirePrereqs(t)
	imagetest.Need(t, "mkfs.ext4", "mount", "umount", "mountpoint")
	installPlugin(t, packer)

	for _, c := range []struct {
		name        string
		operations  string
		wantRemnant bool
	}{
		{"without zero-free-space the deleted key is a remnant", `["defaults"]`, true},
		{"with zero-free-space it is gone", `["defaults", "+zero-free-space"]`, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tg, img := startTargetOnImage(t, 512)
			needle := imagetest.PlantDeletedKey(t, filepath.Join(tg.rootfs, "root", "id_old_deploy"))
			if !imagetest.FileContains(t, img, needle) {
				t.Fatal("the deleted key is not in the image's blocks before the build: nothing to prove")
			}
			out, rep, err := joinBuild(t, packer, tg, img,
				"operations="+c.operations, "deep_scan=true", "image_cmd="+unmountCmd(tg.rootfs))
			if mounted(tg.rootfs) {
				t.Fatalf("the image is still mounted after the build: the scan read a live filesystem")
			}
			free, ofKey := remnants(t, rep, img, needle)
			inImage := imagetest.FileContains(t, img, needle)
			t.Logf("%d remnants in unallocated space, %d of them the deleted key; key bytes in the image: %t", free, ofKey, inImage)
			if c.wantRemnant {
				if ofKey == 0 {
					t.Errorf("the deep scan did not flag the deleted key (key bytes in the image: %t)", inImage)
				}
				if err == nil || rep.Passed {
					t.Errorf("the build passed with a deleted key in the image's free space")
				}
				return
			}
			if inImage {
				t.Errorf("the deleted key's bytes are still in the image after zero-free-space")
			}
			if free > 0 {
				t.Errorf("%d remnants in unallocated space after zero-free-space", free)
			}
			if err != nil || !rep.Passed {
				t.Errorf("build error %v, passed %t, findings %+v, not verified %+v", err, rep.Passed, rep.Findings, rep.NotVerified)
			}
			if !strings.Contains(out, "zeroed the free space of /") {
				t.Errorf("packer output does not show zero-free-space's work")
			}
		})
	}
}

// startTargetOnImage is startTarget (without planted residue) with the rootfs on an ext4
// image of sizeMiB of its own, loop-mounted at the target's root. The image is unmounted
// by the build (image_cmd) or at the end of the test.
func startTargetOnImage(t *testing.T, sizeMiB int) (*target, string) {
	t.Helper()
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	e2eScript(t, "rootfs.sh", tree)
	img := filepath.Join(dir, "rootfs.ext4")
	imagetest.Mkfs(t, tree, img, sizeMiB, "-L", "root")
	tg := &target{rootfs: filepath.Join(dir, "rootfs"), key: tree + ".key"}
	if err := os.Mkdir(tg.rootfs, 0o755); err != nil {
		t.Fatal(err)
	}
	imagetest.Run(t, "mount", "-o", "loop", img, tg.rootfs)
	t.Cleanup(func() {
		if mounted(tg.rootfs) {
			_, _ = run(repoRoot, nil, "umount", tg.rootfs)
		}
	})
	tg.serve(t)
	return tg, img
}

// unmountCmd unmounts dir once sshd's mount namespace, which holds mounts below it, is gone.
func unmountCmd(dir string) string {
	return "i=0; until umount " + dir + "; do i=$((i+1)); [ $i -lt 20 ] || exit 1; sleep 0.5; done"
}

func mounted(dir string) bool { return exec.Command("mountpoint", "-q", dir).Run() == nil }

var offsetRE = regexp.MustCompile(`volume offset (\d+)`)

// remnants counts the deep scan's findings in unallocated space, and those of them whose
// offset in img holds the needle.
func remnants(t *testing.T, rep joinReport, img string, needle []byte) (free, ofNeedle int) {
	t.Helper()
	f, err := os.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, fd := range rep.Findings {
		if fd.Check != "deep-scan" || fd.Path != "(unallocated)" {
			continue
		}
		free++
		m := offsetRE.FindStringSubmatch(fd.Message)
		if m == nil {
			t.Errorf("a remnant finding gives no offset: %q", fd.Message)
			continue
		}
		off, _ := strconv.ParseInt(m[1], 10, 64)
		window := make([]byte, 8<<10)
		n, _ := f.ReadAt(window, max(0, off-4<<10))
		if bytes.Contains(window[:n], needle) {
			ofNeedle++
		}
	}
	return free, ofNeedle
}
