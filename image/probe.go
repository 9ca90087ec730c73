package image

import (
	"bytes"
	"io"

	"github.com/goldenimage/packer-plugin-sanitize/image/ext4"
	"github.com/goldenimage/packer-plugin-sanitize/image/fat"
	"github.com/goldenimage/packer-plugin-sanitize/image/lvm"
)

// magic is a signature at an offset that identifies what a volume holds.
type magic struct {
	kind   string
	offset int64
	bytes  string
}

// signatures of what may sit in a partition or at the start of a disk. Order matters:
// boot-sector based ones (NTFS, exFAT) last, since they also carry 0x55AA; FAT, told
// by its BIOS Parameter Block rather than by a label, comes after them.
var signatures = []magic{
	{"xfs", 0, "XFSB"},
	{"btrfs", 0x10040, "_BHRfS_M"},
	{"LUKS", 0, "LUKS\xba\xbe"},
	{"LUKS2", 0, "SKUL\xba\xbe"},
	{"BitLocker", 3, "-FVE-FS-"},
	{kindSwap, 4096 - 10, "SWAPSPACE2"},
	{kindSwap, 8192 - 10, "SWAPSPACE2"},
	{kindSwap, 16384 - 10, "SWAPSPACE2"},
	{kindSwap, 65536 - 10, "SWAPSPACE2"},
	{"squashfs", 0, "hsqs"},
	{"iso9660", 0x8001, "CD001"},
	{"NTFS", 3, "NTFS    "},
	{"exFAT", 3, "EXFAT   "},
}

// kindSwap is what probe calls a Linux swap area (told by its signature, not its
// partition type).
const kindSwap = "swap"

// probe names what a volume holds: "ext" for ext2/3/4, "xfs", "FAT", "NTFS" or kindLVM
// (which this package reads), another kind for what it recognises but cannot read yet, "" when it
// recognises nothing.
func probe(r io.ReaderAt) string {
	if ext4.Probe(r) {
		return "ext"
	}
	if lvm.Probe(r) {
		return kindLVM
	}
	for _, m := range signatures {
		b := make([]byte, len(m.bytes))
		if n, _ := r.ReadAt(b, m.offset); n == len(b) && string(b) == m.bytes {
			return m.kind
		}
	}
	if fat.Probe(r) {
		return "FAT"
	}
	return ""
}

// looksEmpty tells whether the start of a volume is all zeros (an unformatted partition):
// still not verified, but the message can say why.
func looksEmpty(r io.ReaderAt) bool {
	b := make([]byte, 128<<10)
	n, _ := r.ReadAt(b, 0)
	return n > 0 && bytes.Count(b[:n], []byte{0}) == n
}
