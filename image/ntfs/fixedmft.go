package ntfs

import (
	"fmt"
	"io"
	"sort"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// fixedMFTRecords is how many MFT records FixedMFT.ReadAt reads from the volume at once:
// its memory per call, whatever the MFT's size.
const fixedMFTRecords = 64

// FixedMFT is the $MFT's data stream as the records really hold it: every record's update
// sequence undone.
//
// It exists for raw scans of a volume (the deep scan). On disk, the last two bytes of
// every 512-byte stride of an MFT record hold the update sequence number instead of the
// record's own bytes, which wait in the record's update sequence array. A small file's
// data lives inside its record (resident), and stays there after the file is deleted, so
// a small private key, live or deleted, straddling a stride's end is not in the raw bytes
// as written: a scan of the raw volume can miss it. Scanning this stream too finds it;
// VolumeOffset tells where a hit is in the volume.
//
// Every record is read, the free ones included (they keep what their last file held). A
// record without the FILE signature, or whose update sequence does not check out (a torn
// write, a record never used), reads as it is on disk: that alone is never an error.
// Reads go record by record, a few at a time: the MFT is never held in memory. It is safe
// for concurrent use.
type FixedMFT struct {
	fs   *FS
	size int64
}

// FixedMFT returns the $MFT's records with their update sequences undone (see the type).
func (f *FS) FixedMFT() *FixedMFT {
	rs := f.bs.recordSize
	// no more records than the volume could hold, as the owner mapping reads: a crafted
	// MFT of sparse runs is not read for terabytes of zeros
	records := min(f.records, uint64(f.bs.clusters*f.bs.clusterSize/rs))
	return &FixedMFT{fs: f, size: int64(records) * rs}
}

// Size is the stream's length in bytes: a whole number of records.
func (m *FixedMFT) Size() int64 { return m.size }

// RecordSize is the size of an MFT record (1 KiB or 4 KiB).
func (m *FixedMFT) RecordSize() int64 { return m.fs.bs.recordSize }

// ReadAt reads the records' bytes from off, fixed up. Reading past Size is io.EOF, as
// io.ReaderAt says; a read of the volume that fails is an error.
func (m *FixedMFT) ReadAt(p []byte, off int64) (int, error) {
	p, eof, err := readat.Clip(p, off, m.size, errNegativeOffset)
	if err != nil {
		return 0, err
	}
	rs := m.fs.bs.recordSize
	n := len(p)
	buf := make([]byte, min(fixedMFTRecords*rs, (int64(len(p))/rs+2)*rs))
	scratch := make([]byte, rs)
	for len(p) > 0 {
		first := off / rs * rs // the first record's start
		count := min(int64(len(buf))/rs, (off+int64(len(p))-first+rs-1)/rs)
		chunk := buf[:count*rs]
		if err := readat.Full(m.fs.mft, chunk, first); err != nil {
			return 0, fmt.Errorf("$MFT records %d to %d: %w", first/rs, first/rs+count-1, err)
		}
		for i := int64(0); i < count; i++ {
			fixRecord(chunk[i*rs:(i+1)*rs], scratch)
		}
		c := copy(p, chunk[off-first:])
		p, off = p[c:], off+int64(c)
	}
	return n, eof
}

// fixRecord undoes b's update sequence when it is a FILE record whose sequence checks
// out, and leaves it as it is otherwise. scratch holds a record: applyFixups works in
// place and stops at the first stride that does not match.
func fixRecord(b, scratch []byte) {
	if string(b[:4]) != "FILE" {
		return
	}
	copy(scratch, b)
	if applyFixups(scratch, "MFT record") == nil {
		copy(b, scratch)
	}
}

// VolumeOffset is the volume's byte offset of byte off of the stream, through the $MFT's
// runlist. An offset past Size or in a sparse run (no byte of the volume holds it) is an
// error.
func (m *FixedMFT) VolumeOffset(off int64) (int64, error) {
	if off < 0 || off >= m.size {
		return 0, fmt.Errorf("%w: $MFT offset %d outside its %d bytes", ErrCorrupt, off, m.size)
	}
	s := m.fs.mft
	vcn := off / s.clusterSize
	i := sort.Search(len(s.runs), func(i int) bool { return s.runs[i].vcn+s.runs[i].length > vcn })
	if i == len(s.runs) || s.runs[i].vcn > vcn {
		return 0, fmt.Errorf("%w: $MFT byte %d (VCN %d) is not mapped by the runlist", ErrCorrupt, off, vcn)
	}
	r := s.runs[i]
	if r.sparse() {
		return 0, fmt.Errorf("%w: $MFT byte %d is in a sparse run", ErrCorrupt, off)
	}
	return r.lcn*s.clusterSize + off - r.vcn*s.clusterSize, nil
}

var _ io.ReaderAt = (*FixedMFT)(nil)
