package image

import (
	"bytes"
	"io"

	"github.com/goldenimage/packer-plugin-sanitize/image/partition"
)

// maxReservedSize bounds what is read to prove a Microsoft Reserved Partition empty
// (Windows makes it 16 or 128 MiB).
const maxReservedSize = 256 << 20

// reservedSkip says why a Microsoft Reserved Partition is skipped: Windows keeps it
// without a filesystem, all zeros. One that holds anything else is opened like any
// other partition (and so is not verified), never skipped on its type alone.
func reservedSkip(r io.ReaderAt, p partition.Partition) string {
	if p.Type != partition.GUIDMSReserved || p.Size > maxReservedSize {
		return ""
	}
	buf := make([]byte, 1<<20)
	for off := int64(0); off < p.Size; off += int64(len(buf)) {
		n, err := r.ReadAt(buf[:min(int64(len(buf)), p.Size-off)], off)
		if bytes.Count(buf[:n], []byte{0}) != n || (err != nil && err != io.EOF) {
			return ""
		}
	}
	return "Microsoft Reserved Partition: no filesystem, and all of it is zeros"
}
