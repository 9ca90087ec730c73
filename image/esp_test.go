package image_test

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// espTree is what an EFI System Partition holds.
var espTree = map[string]imagetest.File{
	"EFI/BOOT/BOOTX64.EFI":   {Data: "MZ shim"},
	"EFI/debian/grub.cfg":    {Data: "search.fs_uuid 0b7f root\nconfigfile $prefix/grub.cfg\n"},
	"EFI/debian/grubx64.efi": {Data: "MZ grub"},
}

// espImage builds a FAT image of the ESP tree; args go to mkfs.vfat.
func espImage(t *testing.T, dir string, args ...string) string {
	t.Helper()
	tree := filepath.Join(dir, "esp-tree")
	imagetest.WriteTree(t, tree, espTree)
	img := filepath.Join(dir, "esp.fat")
	imagetest.Vfat(t, tree, img, 64, args...)
	return img
}

// TestEFISystemPartition reads a GPT cloud-image layout: BIOS boot, ESP, ext4 root.
func TestEFISystemPartition(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "mkfs.vfat", "mcopy", "sfdisk", "sgdisk", "qemu-img")
	for _, fatType := range []string{"16", "32"} {
		t.Run("FAT"+fatType, func(t *testing.T) {
			dir := t.TempDir()
			esp := espImage(t, dir, "-F", fatType)
			disk := filepath.Join(dir, "disk.raw")
			imagetest.GPTDisk(t, disk, []imagetest.Partition{
				{MiB: 1, Type: "21686148-6449-6E6F-744E-656564454649"},
				{Image: esp, Type: "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"},
				{Image: rootfsImage(t, dir, false), Name: "root"},
			})
			qcow := filepath.Join(dir, "disk.qcow2")
			imagetest.QCOW2(t, disk, qcow, "-c")
			for _, p := range []string{disk, qcow} {
				im := open(t, p)
				if len(im.Volumes) != 3 {
					t.Fatalf("%d volumes: %+v", len(im.Volumes), im.Volumes)
				}
				v := im.Volumes[1]
				if v.FS == nil || v.Filesystem != "FAT"+fatType || v.Source != p+" partition 2 (GPT, EFI System)" {
					t.Fatalf("ESP volume %+v", v)
				}
				b, err := fs.ReadFile(v.FS, "EFI/debian/grub.cfg")
				if err != nil || string(b) != espTree["EFI/debian/grub.cfg"].Data {
					t.Errorf("grub.cfg = %q, %v", b, err)
				}
				if im.Volumes[2].FS == nil {
					t.Errorf("root volume: %v", im.Volumes[2].Err)
				}
			}
		})
	}
}

// TestFATWithoutTable reads a FAT filesystem written to a whole disk (a "superfloppy"),
// which would otherwise pass for an MBR with no partition.
func TestFATWithoutTable(t *testing.T) {
	im := open(t, espImage(t, t.TempDir(), "-F", "32"))
	if im.Table != "none" || len(im.Volumes) != 1 || im.Volumes[0].Filesystem != "FAT32" {
		t.Fatalf("table %q, volumes %+v", im.Table, im.Volumes)
	}
}

// TestMBRFATPartition reads an ESP in an MBR table (type 0xef) next to a FAT32 data
// partition (type 0x0c).
func TestMBRFATPartition(t *testing.T) {
	imagetest.Need(t, "sfdisk")
	dir := t.TempDir()
	esp := espImage(t, dir, "-F", "16")
	disk := filepath.Join(dir, "disk.raw")
	imagetest.MBRDisk(t, disk, []imagetest.Partition{{Image: esp, Type: "ef"}, {Image: esp, Type: "c"}}, nil)
	im := open(t, disk)
	if len(im.Volumes) != 2 {
		t.Fatalf("volumes %+v", im.Volumes)
	}
	for _, v := range im.Volumes {
		if v.FS == nil || v.Filesystem != "FAT16" {
			t.Errorf("volume %+v", v)
		}
	}
}

// TestCorruptFATFailsClosed: a FAT partition cut short is not verified, with a reason.
func TestCorruptFATFailsClosed(t *testing.T) {
	dir := t.TempDir()
	esp := espImage(t, dir, "-F", "32")
	cut := filepath.Join(dir, "cut.fat")
	imagetest.Truncate(t, esp, cut, 32<<20)
	disk := filepath.Join(dir, "disk.raw")
	imagetest.GPTDisk(t, disk, []imagetest.Partition{{Image: cut, Type: "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"}})
	im := open(t, disk)
	v := im.Volumes[0]
	if v.FS != nil || v.Err == nil || !strings.Contains(v.Err.Error(), "truncated") {
		t.Fatalf("volume %+v, want not verified: truncated", v)
	}
}
