package image_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// splitWithoutExtent removes the first extent of a split VMDK.
func splitWithoutExtent(t *testing.T, desc string) string {
	t.Helper()
	if err := os.Remove(strings.TrimSuffix(desc, ".vmdk") + "-s001.vmdk"); err != nil {
		t.Fatal(err)
	}
	return desc
}

// TestSplitAndFlatVMDK opens vmware-iso's disk layouts (a text descriptor, the data in
// extent files next to it) as qemu-img writes them, detected by content.
func TestSplitAndFlatVMDK(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "sfdisk", "sgdisk", "qemu-img")
	dir := t.TempDir()
	gpt := filepath.Join(dir, "gpt.raw")
	imagetest.GPTDisk(t, gpt, []imagetest.Partition{{Image: rootfsImage(t, dir, true), Name: "root"}})
	for _, sub := range []string{"twoGbMaxExtentSparse", "monolithicFlat", "twoGbMaxExtentFlat"} {
		t.Run(sub, func(t *testing.T) {
			desc := vmdkOf(t, dir, gpt, sub)
			im := open(t, desc)
			if im.Format != "vmdk ("+sub+")" || im.Table != "GPT" {
				t.Errorf("format %q table %q", im.Format, im.Table)
			}
			if got := shadowOf(t, im); !strings.HasPrefix(got, "root:$6$") {
				t.Errorf("/etc/shadow = %q", got)
			}
		})
	}
}

// TestVMDKDescriptorNeverReadsHostFiles: an extent named by an absolute path, by a path
// leaving the descriptor's directory, or that is a symlink is refused, whatever it
// points at.
func TestVMDKDescriptorNeverReadsHostFiles(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "artifact")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	flat := filepath.Join(dir, "outside-flat.vmdk") // a real file, one level up
	if err := os.WriteFile(flat, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(flat, filepath.Join(sub, "link-flat.vmdk")); err != nil {
		t.Fatal(err)
	}
	desc := func(extent string) string {
		p := filepath.Join(sub, "disk.vmdk")
		text := "# Disk DescriptorFile\nversion=1\nCID=fffffffe\nparentCID=ffffffff\ncreateType=\"monolithicFlat\"\n" +
			"RW 2048 FLAT \"" + extent + "\" 0\n"
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct{ extent, want string }{
		{"../../etc/passwd", "leaves the descriptor's directory"},
		{"../outside-flat.vmdk", "leaves the descriptor's directory"},
		{"/etc/passwd", "absolute path"},
		{"link-flat.vmdk", "not a regular file"},
		{"gone-flat.vmdk", "gone-flat.vmdk does not exist"},
	}
	for _, tc := range cases {
		t.Run(tc.extent, func(t *testing.T) {
			p := desc(tc.extent)
			im, err := image.Open(p)
			if err == nil {
				im.Close()
				t.Fatalf("a descriptor naming %q was opened", tc.extent)
			}
			if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), p) {
				t.Errorf("error %q, want one naming %s and saying %q", err, p, tc.want)
			}
		})
	}
}
