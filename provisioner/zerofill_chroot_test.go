package provisioner

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// TestZeroFreeSpaceInChroot runs zero-free-space for real, as root, in a chroot whose / is
// an ext4 image of its own (loop-mounted), with a private key deleted in it beforehand.
// Without /sys the operation cannot release ext4's reserved clusters: it must fail, saying
// so, rather than claim the free space zeroed. With /sys it zeroes it: the key is in no
// byte of the image afterwards. (The deep scan's side of the proof is e2e/zerofill_test.go.)
func TestZeroFreeSpaceInChroot(t *testing.T) {
	tree := chrootRootfs(t)
	imagetest.Need(t, "mkfs.ext4", "mount", "umount")
	img := filepath.Join(t.TempDir(), "rootfs.ext4")
	imagetest.Mkfs(t, tree, img, 384)
	root := filepath.Join(t.TempDir(), "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	imagetest.Run(t, "mount", "-o", "loop", img, root)
	mounted := true
	unmount := func() {
		if mounted {
			imagetest.Run(t, "umount", root)
			mounted = false
		}
	}
	defer func() {
		_ = exec.Command("umount", filepath.Join(root, "sys")).Run()
		unmount()
	}()

	needle := imagetest.PlantDeletedKey(t, filepath.Join(root, "root", "id_old"))
	if !imagetest.FileContains(t, img, needle) {
		t.Fatal("the deleted key is not in the image's free blocks: nothing to prove")
	}

	op, _ := cleanup.LookupOperation(cleanup.Linux, "zero-free-space")
	for _, c := range []struct {
		name       string
		sysfs      bool
		wantStatus string
		wantText   string
	}{
		{"without /sys", false, "failed", "cannot release ext4's reserved clusters"},
		{"with /sys", true, "done", "zeroed the free space of /"},
	} {
		if c.sysfs {
			imagetest.Run(t, "mount", "-t", "sysfs", "sysfs", filepath.Join(root, "sys"))
		}
		out := runInChroot(t, root, []cleanup.Operation{op}, scriptSettings{})
		res, err := parseOutput(out, []string{"zero-free-space"}, false)
		if err != nil {
			t.Fatalf("%s: %v\n%s", c.name, err, out)
		}
		got := res.Ops[0]
		if text := strings.Join(append(got.Notes, got.Log...), "\n"); got.Status != c.wantStatus || !strings.Contains(text, c.wantText) {
			t.Fatalf("%s: zero-free-space is %s (%q), want %s saying %q", c.name, got.Status, text, c.wantStatus, c.wantText)
		}
	}
	imagetest.Run(t, "umount", filepath.Join(root, "sys"))
	unmount()
	if imagetest.FileContains(t, img, needle) {
		t.Errorf("the deleted key is still in the image after zero-free-space")
	}
}
