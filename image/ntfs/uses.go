package ntfs

import (
	"bytes"
	"fmt"
	"io"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
)

var _ blockuse.Mapper = (*FS)(nil)

// Metafiles the mapping names; every record below firstUserRecord is one.
const (
	recordLogFile = 2
	recordBitmap  = 6
)

var metafileNames = map[uint64]string{0: "$MFT", 1: "$MFTMirr", 2: "$LogFile", 3: "$Volume", 4: "$AttrDef",
	6: "$Bitmap", 7: "$Boot", 8: "$BadClus", 9: "$Secure", 10: "$UpCase", 11: "$Extend"}

// mftChunkRecords is how many MFT records the mapping reads at once.
const mftChunkRecords = 256

// Uses tells what holds each byte offset: a cluster $Bitmap says is free, $LogFile (the
// journal), a live file's data (with its path) or the slack past its end, a free or live
// MFT record (a small file's data lives in its record), or other metadata. It reads the
// MFT sequentially, and only while some offset in an allocated cluster is unexplained.
func (f *FS) Uses(offsets []int64) (map[int64]blockuse.Use, error) {
	out := map[int64]blockuse.Use{}
	cs := f.bs.clusterSize
	bitmap, err := f.clusterBitmap()
	if err != nil {
		return nil, err
	}
	var pending []int64
	for _, off := range offsets {
		if off < 0 || off >= f.bs.clusters*cs {
			out[off] = blockuse.Use{Kind: blockuse.Outside}
			continue
		}
		lcn := off / cs
		b := make([]byte, 1)
		if _, err := bitmap.ReadAt(b, lcn/8); err != nil && err != io.EOF {
			return nil, fmt.Errorf("$Bitmap: %w", err)
		}
		if b[0]&(1<<(lcn%8)) == 0 {
			out[off] = blockuse.Use{Kind: blockuse.Free}
			continue
		}
		pending = append(pending, off)
	}
	claims := map[int64]claim{}
	s := &mftScan{fs: f, pending: blockuse.NewPending(claims, pending)}
	if err := s.scan(); err != nil {
		return nil, err
	}
	s.pending.Finish(claim{unclaimed: true})
	paths := map[uint64]string{}
	for off, c := range claims {
		u, err := f.claimUse(c, paths)
		if err != nil {
			return nil, err
		}
		out[off] = u
	}
	return out, nil
}

// clusterBitmap opens $Bitmap's data, one bit per cluster, checking it covers the volume.
func (f *FS) clusterBitmap() (io.ReaderAt, error) {
	n, err := f.node(recordBitmap, 0)
	if err != nil {
		return nil, fmt.Errorf("$Bitmap: %w", err)
	}
	data := n.extents(attrData, "")
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: $Bitmap has no $DATA", ErrCorrupt)
	}
	var r io.ReaderAt
	if data[0].resident {
		r = bytes.NewReader(data[0].value)
	} else if r, err = newStream(f.r, f.bs.clusterSize, data); err != nil {
		return nil, fmt.Errorf("$Bitmap: %w", err)
	}
	if n.size*8 < f.bs.clusters {
		return nil, fmt.Errorf("%w: $Bitmap of %d bytes for %d clusters", ErrCorrupt, n.size, f.bs.clusters)
	}
	return r, nil
}

// claim is a pending offset found in a non-resident attribute's runs, or in none.
type claim struct {
	unclaimed  bool   // no run holds it: metadata
	base       uint64 // the file's base record
	typ        uint32
	name       string
	compressed bool
	fileOff    int64 // the offset within the attribute's content
}

// mftScan reads every in-use MFT record for the runs holding pending offsets.
type mftScan struct {
	fs      *FS
	pending *blockuse.Pending[claim]
}

func (s *mftScan) scan() error {
	f := s.fs
	rs := f.bs.recordSize
	// no more records than the volume could hold: a crafted MFT of sparse runs is not read
	// for terabytes of zeros
	records := min(f.records, uint64(f.bs.clusters*f.bs.clusterSize/rs))
	buf := make([]byte, mftChunkRecords*rs)
	for first := uint64(0); first < records && s.pending.Len() > 0; first += mftChunkRecords {
		n := min(uint64(mftChunkRecords), records-first)
		chunk := buf[:int64(n)*rs]
		if _, err := f.mft.ReadAt(chunk, int64(first)*rs); err != nil && err != io.EOF {
			return fmt.Errorf("$MFT: %w", err)
		}
		for i := uint64(0); i < n && s.pending.Len() > 0; i++ {
			b := chunk[int64(i)*rs : int64(i+1)*rs]
			if string(b[:4]) != "FILE" || le.Uint16(b[0x16:])&recordInUse == 0 {
				continue // never used, or free: its runs own nothing
			}
			rec, err := decodeRecord(b, first+i, f.bs.clusters)
			if err != nil {
				return err
			}
			s.record(rec)
		}
	}
	return nil
}

// record claims the pending offsets in rec's non-resident attributes' runs.
func (s *mftScan) record(rec *record) {
	cs := s.fs.bs.clusterSize
	base := rec.num
	if rec.base != 0 {
		base = rec.base
	}
	for _, a := range rec.attrs {
		if a.resident {
			continue
		}
		for _, r := range a.runs {
			if r.sparse() {
				continue
			}
			lo := r.lcn * cs
			s.pending.Claim(lo, lo+r.length*cs, func(fromLo int64) claim {
				return claim{base: base, typ: a.typ, name: a.name, compressed: a.flags&flagCompressed != 0, fileOff: r.vcn*cs + fromLo}
			})
		}
	}
}
