package postprocessor

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// TestDeepScanFindsDeletedKey: a key deleted before the image was captured passes the
// path checks and the content scan (no file holds it), and fails deep_scan as a remnant
// in unallocated space, with its volume offset.
func TestDeepScanFindsDeletedKey(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "debugfs")
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	files := imagetest.Rootfs(t, false)
	key := imagetest.Rootfs(t, true)["etc/ssh/ssh_host_ed25519_key"]
	key.Data = strings.Repeat("#\n", 4096) + key.Data // not inline: in its own blocks
	files["root/deleted_key"] = key
	imagetest.WriteTree(t, tree, files)
	img := filepath.Join(dir, "disk.img")
	imagetest.Mkfs(t, tree, img, 16)
	imagetest.Run(t, "debugfs", "-w", "-R", "rm /root/deleted_key", img)

	if r := runPP(t, map[string]interface{}{}, img); r.err != nil || !r.report.Passed {
		t.Fatalf("without deep_scan the image should pass: %v\n%s", r.err, r.out)
	}
	r := runPP(t, map[string]interface{}{"deep_scan": true}, img)
	if r.err == nil || r.report.Passed {
		t.Fatalf("deep_scan passed an image holding a deleted key:\n%s", r.out)
	}
	var found bool
	for _, f := range r.report.Findings {
		found = found || (f.Check == deepScanCheck && f.Path == "(unallocated)" &&
			strings.Contains(f.Message, "volume offset"))
	}
	if !found {
		t.Fatalf("no deep-scan remnant finding: %+v", r.report.Findings)
	}
}
