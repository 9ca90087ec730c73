package imagetest

import (
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"unicode/utf16"
)

// GUIDs of the partitions of a Windows system disk.
const (
	GUIDEFISystem  = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
	GUIDMSReserved = "E3C9E316-0B5C-4DB8-817D-F92DF00215AE"
	GUIDBasicData  = "EBD0A0A2-B9E5-4433-87C0-68B6B72699C7"
)

// MkNTFS makes an image file of sizeMiB holding an empty NTFS made by mkntfs; args go to
// it (for example "-c", "1024" for the cluster size, "-z", "4096" for the MFT record size).
func MkNTFS(t testing.TB, img string, sizeMiB int, args ...string) {
	t.Helper()
	Need(t, "mkntfs")
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, int64(sizeMiB)<<20); err != nil {
		t.Fatal(err)
	}
	Run(t, "mkntfs", append(append([]string{"-q", "-F", "-f"}, args...), img)...)
}

// MountNTFS mounts the NTFS image img with ntfs-3g (FUSE, root only) for fn to change,
// then unmounts it, which flushes everything to the image. opts go to -o (for example
// "compression"). Skips (fails under CI=true) where FUSE mounting is not allowed.
func MountNTFS(t testing.TB, img string, fn func(dir string), opts ...string) {
	t.Helper()
	Need(t, "ntfs-3g")
	NeedRoot(t)
	dir := t.TempDir()
	args := []string{img, dir}
	for _, o := range opts {
		args = append(args, "-o", o)
	}
	if out, err := exec.Command("ntfs-3g", args...).CombinedOutput(); err != nil {
		msg := fmt.Sprintf("ntfs-3g %s: %v: %s", img, err, out)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	defer func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Fatalf("umount %s: %v: %s", dir, err, out)
		}
	}()
	fn(dir)
}

// NTFS makes an NTFS image of sizeMiB holding the host tree, copied in through ntfs-3g
// (symlinks become the Interix symlinks ntfs-3g writes).
func NTFS(t testing.TB, tree, img string, sizeMiB int, args ...string) {
	t.Helper()
	MkNTFS(t, img, sizeMiB, args...)
	MountNTFS(t, img, func(dir string) {
		Run(t, "cp", "-a", "--no-preserve=ownership,mode", tree+"/.", dir+"/")
	})
}

// WindowsDisk writes a GPT disk laid out as Windows Setup does: an EFI System Partition
// (FAT32 holding esp's files), a Microsoft Reserved partition and the basic data
// partition holding the NTFS image system.
func WindowsDisk(t testing.TB, out, system string, esp map[string]File) {
	t.Helper()
	tree := t.TempDir()
	WriteTree(t, tree, esp)
	fat := out + ".esp"
	Vfat(t, tree, fat, 40, "-F", "32")
	defer os.Remove(fat)
	GPTDisk(t, out, []Partition{
		{Image: fat, Type: GUIDEFISystem, Name: "EFI system partition"},
		{MiB: 16, Type: GUIDMSReserved, Name: "Microsoft reserved partition"},
		{Image: system, Type: GUIDBasicData, Name: "Basic data partition"},
	})
}

// ntfsReparseXattr is how ntfs-3g exposes a file's raw $REPARSE_POINT.
const ntfsReparseXattr = "system.ntfs_reparse_data"

// NTFSReparse sets the reparse point of p, a file or directory on a volume mounted by
// MountNTFS, to buf as Windows writes one (see NTFSLinkBuffer).
func NTFSReparse(t testing.TB, p string, buf []byte) {
	t.Helper()
	if err := syscall.Setxattr(p, ntfsReparseXattr, buf, 0); err != nil {
		t.Fatalf("setxattr %s %s: %v", ntfsReparseXattr, p, err)
	}
}

// Reparse tags of Windows links.
const (
	TagSymlink    = 0xA000000C
	TagMountPoint = 0xA0000003 // a junction
)

// NTFSLinkBuffer builds the reparse point of a Windows symlink (tag TagSymlink: a
// relative one when relative is set) or junction (TagMountPoint, absolute): tag, data
// length, the substitute and print names' offsets and lengths, the symlink's flags, then
// the names in UTF-16. An absolute target ("C:\ProgramData") gets "\??\" in its
// substitute name, as Windows writes it.
func NTFSLinkBuffer(tag uint32, target string, relative bool) []byte {
	le := binary.LittleEndian
	utf16le := func(s string) []byte {
		var b []byte
		for _, u := range utf16.Encode([]rune(s)) {
			b = le.AppendUint16(b, u)
		}
		return b
	}
	sub, print := utf16le(target), utf16le(target)
	if !relative {
		sub = utf16le(`\??\` + target)
	}
	var body []byte
	for _, v := range []int{0, len(sub), len(sub), len(print)} {
		body = le.AppendUint16(body, uint16(v))
	}
	if tag == TagSymlink {
		flags := uint32(0)
		if relative {
			flags = 1
		}
		body = le.AppendUint32(body, flags)
	}
	body = append(append(body, sub...), print...)
	out := le.AppendUint32(nil, tag)
	out = le.AppendUint16(out, uint16(len(body)))
	return append(le.AppendUint16(out, 0), body...)
}
