package postprocessor

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// TestEFISystemPartitionIsScanned: a GPT cloud-image layout (ESP + ext4 root) verifies
// when clean; a private key or an access key left on the ESP fails it, named by path and
// partition.
func TestEFISystemPartitionIsScanned(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "mkfs.vfat", "mcopy", "sfdisk", "sgdisk")
	dir := t.TempDir()
	rootTree := filepath.Join(dir, "root-tree")
	imagetest.WriteTree(t, rootTree, imagetest.Rootfs(t, false))
	root := filepath.Join(dir, "root.ext4")
	imagetest.Mkfs(t, rootTree, root, 16)

	disk := func(name string, planted map[string]imagetest.File) string {
		tree := filepath.Join(dir, name+"-esp")
		esp := map[string]imagetest.File{
			"EFI/BOOT/BOOTX64.EFI": {Data: "MZ shim"},
			"EFI/debian/grub.cfg":  {Data: "search.fs_uuid 0b7f root\n"},
		}
		for p, f := range planted {
			esp[p] = f
		}
		imagetest.WriteTree(t, tree, esp)
		fat := filepath.Join(dir, name+".fat")
		imagetest.Vfat(t, tree, fat, 40, "-F", "32")
		out := filepath.Join(dir, name+".raw")
		imagetest.GPTDisk(t, out, []imagetest.Partition{
			{Image: fat, Type: "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"},
			{Image: root, Name: "root"},
		})
		return out
	}

	clean := disk("clean", nil)
	r := runPP(t, map[string]interface{}{}, clean)
	if r.err != nil || !r.report.Passed {
		t.Fatalf("the clean ESP + root failed: %v\n%s", r.err, r.out)
	}
	if !strings.Contains(r.out, "FAT32") {
		t.Errorf("the UI does not show the ESP's filesystem:\n%s", r.out)
	}

	key := imagetest.Rootfs(t, true)["etc/ssh/ssh_host_ed25519_key"]
	dirty := disk("dirty", map[string]imagetest.File{
		"EFI/debian/backup/id_ed25519": key,
		"startup.nsh":                  {Data: "set AWS_ACCESS_KEY_ID " + imagetest.PlantedAWSKey + "\n"},
	})
	r = runPP(t, map[string]interface{}{}, dirty)
	if r.err == nil || r.report.Passed {
		t.Fatalf("a key on the ESP passed:\n%s", r.out)
	}
	espSource := dirty + " partition 1 (GPT, EFI System)"
	for _, p := range []string{"/EFI/debian/backup/id_ed25519", "/startup.nsh"} {
		found := false
		for _, f := range r.report.Findings {
			found = found || (f.Path == p && f.Source == espSource && f.Check == contentScanCheck)
		}
		if !found {
			t.Errorf("no content-scan finding at %s on %s: %+v", p, espSource, r.report.Findings)
		}
	}
	if strings.Contains(r.out, imagetest.PlantedAWSKey) {
		t.Errorf("the output shows the planted key")
	}
}
