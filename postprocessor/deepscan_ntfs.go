package postprocessor

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/deepscan"
	"github.com/goldenimage/packer-plugin-sanitize/image"
	"github.com/goldenimage/packer-plugin-sanitize/image/ntfs"
)

// readsFixedMFT: the volume is a readable NTFS, whose $MFT the deep scan reads a second
// time with its records' update sequences undone.
func readsFixedMFT(vol image.Volume) bool {
	return vol.Err == nil && vol.Skipped == "" && strings.EqualFold(vol.Filesystem, "NTFS")
}

// addFixedMFTHits scans an NTFS volume's $MFT with every record's update sequence undone
// (ntfs.FixedMFT) and adds to res the hits the raw scan missed, at their volume offsets.
//
// A small file's data lives in its 1 KiB MFT record, and stays there once the file is
// deleted; on disk, the last two bytes of each 512-byte stride of the record hold the
// update sequence number instead of the file's bytes. A small private key straddling
// record offset 510 is then not in the raw bytes as written, and the raw scan's pattern
// misses it. A hit that the raw scan reported too (the same rule, in the same MFT record)
// is not added twice. A $MFT that cannot be read is an error: the volume is not verified.
func addFixedMFTHits(vol image.Volume, res *deepscan.Result, say func(string)) error {
	t0 := time.Now()
	fsys, ok := vol.Reader().(*ntfs.FS) // as the checks opened it, else opened again
	if !ok {
		var err error
		if fsys, err = ntfs.Open(vol.Raw, vol.Raw.Size()); err != nil {
			return fmt.Errorf("the $MFT with fixups applied was not scanned: %w", err)
		}
	}
	m := fsys.FixedMFT()
	name := vol.Source + " $MFT (fixups applied)"
	mres, err := deepscan.Scan(context.Background(), name, m, m.Size(), deepscan.Options{})
	if err != nil {
		return err // it names the stream and the offset
	}
	var added []deepscan.Hit
	for _, h := range mres.Hits {
		seen, err := inRawHits(res.Hits, m, h)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		if seen {
			continue
		}
		if h.Offset, err = m.VolumeOffset(h.Offset); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		added = append(added, h)
	}
	// hits past the MFT scan's cap cannot be compared with the raw scan's: they are
	// counted as more (some may be the raw scan's again)
	res.Total += len(added) + mres.Total - len(mres.Hits)
	res.Hits = append(res.Hits, added...)
	sort.SliceStable(res.Hits, func(i, j int) bool { return res.Hits[i].Offset < res.Hits[j].Offset })
	res.Hits = res.Hits[:min(len(res.Hits), deepscan.DefaultMaxHits)]
	secs := time.Since(t0).Seconds()
	say(fmt.Sprintf("  %s: deep scan of the $MFT with fixups applied: %d MiB in %.1fs, %d hits, %d the raw scan missed",
		vol.Source, mres.BytesRead>>20, secs, mres.Total, len(added)))
	return nil
}

// inRawHits tells whether the raw scan reported h (a hit in the fixed MFT stream) already:
// a hit of the same rule anywhere in h's MFT record is the same secret. The record is
// looked up stride by stride: a run of the MFT may end inside a record.
func inRawHits(raw []deepscan.Hit, m *ntfs.FixedMFT, h deepscan.Hit) (bool, error) {
	const stride = 512 // no cluster is smaller: each stride is contiguous in the volume
	rs := m.RecordSize()
	rec := h.Offset / rs * rs
	for off := rec; off < rec+rs; off += stride {
		lo, err := m.VolumeOffset(off)
		if err != nil {
			return false, err
		}
		for i := sort.Search(len(raw), func(i int) bool { return raw[i].Offset >= lo }); i < len(raw) && raw[i].Offset < lo+stride; i++ {
			if raw[i].Rule == h.Rule {
				return true, nil
			}
		}
	}
	return false, nil
}
