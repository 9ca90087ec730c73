package image_test

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// TestLVMLayouts reads the layouts RHEL-family images have: an LVM2 physical volume in a
// GPT or MBR partition (or on the whole disk) whose linear logical volumes hold the
// filesystems; other kinds of logical volume are not verified, by name.
func TestLVMLayouts(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "sfdisk", "sgdisk", "qemu-img", "mkswap")
	dir := t.TempDir()
	root := rootfsImage(t, dir, true)
	pv := filepath.Join(dir, "pv.img")
	imagetest.LVMPV(t, pv, 64, "rhel", []imagetest.LV{
		{Name: "root", Image: root, Extents: []int{2, 1, 1}},
		{Name: "swap", Image: imagetest.Swap(t, filepath.Join(dir, "swap.img"), 4)},
		{Name: "scratch", Extents: []int{1}},
		{Name: "wide", Stripes: 2, Extents: []int{2}},
	})
	gpt := filepath.Join(dir, "gpt.raw")
	imagetest.GPTDisk(t, gpt, []imagetest.Partition{
		{Image: rootfsImage(t, filepath.Join(dir, "boot"), false), Name: "boot"},
		{Image: pv, Type: "E6D6D379-F507-44C2-A23C-238F2A3DF928"},
	})
	mbr := filepath.Join(dir, "mbr.raw")
	imagetest.MBRDisk(t, mbr, []imagetest.Partition{{MiB: 1}}, []imagetest.Partition{{Image: pv, Type: "8e"}})
	qcow := filepath.Join(dir, "gpt.qcow2")
	imagetest.QCOW2(t, gpt, qcow)

	cases := []struct{ path, pvSource, rootSource string }{
		{gpt, gpt + " partition 2 (GPT, Linux LVM)", gpt + " LVM2 rhel/root"},
		{qcow, qcow + " partition 2 (GPT, Linux LVM)", qcow + " LVM2 rhel/root"},
		{mbr, mbr + " partition 5 (MBR logical, Linux LVM)", mbr + " LVM2 rhel/root"},
		{pv, pv, pv + " LVM2 rhel/root"},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			im := open(t, tc.path)
			got := map[string]string{}
			for _, v := range im.Volumes {
				status := "ok " + v.Filesystem
				switch {
				case v.Skipped != "":
					status = "skipped"
				case v.Err != nil:
					status = "error " + v.Err.Error()
				}
				got[v.Source] = status
				t.Logf("%s: %s", v.Source, status)
			}
			if got[tc.pvSource] != "skipped" || got[tc.rootSource] != "ok ext4" {
				t.Errorf("want the PV %q skipped and %q read as ext4", tc.pvSource, tc.rootSource)
			}
			if s := got[strings.Replace(tc.rootSource, "/root", "/wide", 1)]; !strings.Contains(s, "rhel/wide: striped over 2 stripes: not supported") {
				t.Errorf("the striped volume: %q", s)
			}
			if s := got[strings.Replace(tc.rootSource, "/root", "/scratch", 1)]; !strings.Contains(s, "unknown filesystem") {
				t.Errorf("the zeroed volume: %q", s)
			}
			if s := got[strings.Replace(tc.rootSource, "/root", "/swap", 1)]; s != "skipped" {
				t.Errorf("the swap volume: %q, want skipped", s)
			}
			for _, v := range im.Volumes {
				if v.Source == tc.rootSource {
					if b, err := fs.ReadFile(v.FS, "etc/shadow"); err != nil || !strings.HasPrefix(string(b), "root:$6$") {
						t.Errorf("/etc/shadow of the root volume: %q, %v", b, err)
					}
				}
			}
		})
	}
}
