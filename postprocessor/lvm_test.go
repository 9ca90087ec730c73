package postprocessor

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// TestRHELLayout verifies the layout RHEL-family installs have: GPT with an EFI System
// Partition, an ext4 /boot and an LVM2 physical volume whose "root" logical volume holds
// the root filesystem. The dirty root fails with findings naming the logical volume; the
// clean twin passes.
func TestRHELLayout(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "mkfs.vfat", "mcopy", "sfdisk", "sgdisk")
	dir := t.TempDir()
	espTree, bootTree := filepath.Join(dir, "esp"), filepath.Join(dir, "boot")
	imagetest.WriteTree(t, espTree, map[string]imagetest.File{"EFI/redhat/grub.cfg": {Data: "configfile /grub2/grub.cfg\n"}})
	imagetest.WriteTree(t, bootTree, map[string]imagetest.File{"grub2/grub.cfg": {Data: "linux /vmlinuz root=/dev/mapper/rhel-root\n"}})
	esp, boot := filepath.Join(dir, "esp.fat"), filepath.Join(dir, "boot.ext4")
	imagetest.Vfat(t, espTree, esp, 34, "-F", "32")
	imagetest.Mkfs(t, bootTree, boot, 8)

	disk := func(name string, dirty bool) string {
		tree, root := filepath.Join(dir, name+"-root"), filepath.Join(dir, name+"-root.ext4")
		imagetest.WriteTree(t, tree, imagetest.Rootfs(t, dirty))
		imagetest.Mkfs(t, tree, root, 16)
		pv := filepath.Join(dir, name+"-pv.img")
		imagetest.LVMPV(t, pv, 40, "sanitizepp"+name, []imagetest.LV{{Name: "root", Image: root, Extents: []int{1, 3}}})
		out := filepath.Join(dir, name+".raw")
		imagetest.GPTDisk(t, out, []imagetest.Partition{
			{Image: esp, Type: "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"},
			{Image: boot},
			{Image: pv, Type: "E6D6D379-F507-44C2-A23C-238F2A3DF928"},
		})
		return out
	}

	dirty := disk("dirty", true)
	r := runPP(t, map[string]interface{}{}, dirty)
	if r.err == nil || r.report.Passed {
		t.Fatalf("the dirty root LV passed:\n%s", r.out)
	}
	rootSource := dirty + " LVM2 sanitizeppdirty/root"
	for _, want := range imagetest.Planted {
		found := false
		for _, f := range r.report.Findings {
			found = found || f.Check == want.Check && f.Path == want.Path && f.Source == rootSource
		}
		if !found {
			t.Errorf("no %s finding at %s on %s", want.Check, want.Path, rootSource)
		}
	}
	if len(r.report.NotVerified) > 0 {
		t.Errorf("not verified: %+v", r.report.NotVerified)
	}

	clean := disk("clean", false)
	r = runPP(t, map[string]interface{}{}, clean)
	if r.err != nil || !r.report.Passed {
		t.Fatalf("the clean twin failed: %v\n%s", r.err, r.out)
	}
	if !strings.Contains(r.out, "LVM2 sanitizeppclean/root: ext4") {
		t.Errorf("the UI does not show the root logical volume:\n%s", r.out)
	}
}
