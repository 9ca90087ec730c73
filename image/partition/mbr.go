package partition

import (
	"fmt"
	"io"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

const (
	sector         = 512
	maxLogical     = 128 // Linux handles fewer; a longer EBR chain is hostile
	mbrTypeGPT     = 0xEE
	mbrEntryOffset = 446
)

func isExtended(t byte) bool { return t == 0x05 || t == 0x0F || t == 0x85 }

type mbrEntry struct {
	status, typ   byte
	start, length uint32 // in sectors
}

// mbrEntries parses a boot record's four entries; ok is false when the sector is not a
// boot record (no 0x55AA signature, or a status byte other than 0x00/0x80).
func mbrEntries(b []byte) (entries [4]mbrEntry, ok bool) {
	if b[510] != 0x55 || b[511] != 0xAA {
		return entries, false
	}
	for i := range entries {
		e := b[mbrEntryOffset+16*i:]
		entries[i] = mbrEntry{status: e[0], typ: e[4], start: le.Uint32(e[8:]), length: le.Uint32(e[12:])}
		if entries[i].typ != 0 && entries[i].status != 0 && entries[i].status != 0x80 {
			return entries, false
		}
	}
	return entries, true
}

func readMBR(r io.ReaderAt, size int64) (*Table, error) {
	b := make([]byte, sector)
	if err := readat.Full(r, b, 0); err != nil {
		return nil, err
	}
	entries, ok := mbrEntries(b)
	if !ok {
		return nil, nil
	}
	t := &Table{Scheme: "MBR"}
	for i, e := range entries {
		if e.typ == 0 || e.length == 0 {
			continue
		}
		if e.typ == mbrTypeGPT {
			return nil, fmt.Errorf("%w: a protective MBR but no valid GPT header", ErrCorrupt)
		}
		p := Partition{Number: i + 1, Start: int64(e.start) * sector, Size: int64(e.length) * sector,
			Scheme: "MBR", Type: fmt.Sprintf("0x%02x", e.typ), TypeName: mbrTypeNames[e.typ]}
		if err := inBounds(p, size); err != nil {
			return nil, err
		}
		if isExtended(e.typ) {
			logical, err := readEBRChain(r, p)
			if err != nil {
				return nil, err
			}
			t.Partitions = append(t.Partitions, logical...)
			continue
		}
		t.Partitions = append(t.Partitions, p)
	}
	if len(t.Partitions) == 0 {
		return nil, nil // a boot sector with no partition: not a partition table
	}
	for i := range t.Partitions { // as the kernel names them for PARTUUID=
		t.Partitions[i].UUID = fmt.Sprintf("%08x-%02x", le.Uint32(b[440:]), t.Partitions[i].Number)
	}
	return t, nil
}

// readEBRChain walks the extended boot records of an extended partition. Each EBR's first
// entry is a logical partition (relative to that EBR), its second the next EBR (relative
// to the extended partition's start).
func readEBRChain(r io.ReaderAt, ext Partition) ([]Partition, error) {
	var out []Partition
	extStart := ext.Start / sector
	seen := map[int64]bool{}
	b := make([]byte, sector)
	for cur := extStart; ; {
		if seen[cur] || len(seen) >= maxLogical {
			return nil, fmt.Errorf("%w: the chain of extended boot records loops or is longer than %d", ErrCorrupt, maxLogical)
		}
		seen[cur] = true
		if err := readat.Full(r, b, cur*sector); err != nil {
			return nil, fmt.Errorf("extended boot record at sector %d: %w", cur, err)
		}
		entries, ok := mbrEntries(b)
		if !ok {
			return nil, fmt.Errorf("%w: no extended boot record at sector %d", ErrCorrupt, cur)
		}
		if e := entries[0]; e.typ != 0 && e.length != 0 {
			p := Partition{Number: 5 + len(out), Start: (cur + int64(e.start)) * sector, Size: int64(e.length) * sector,
				Scheme: "MBR logical", Type: fmt.Sprintf("0x%02x", e.typ), TypeName: mbrTypeNames[e.typ]}
			if p.Start < ext.Start || p.Start+p.Size > ext.Start+ext.Size {
				return nil, fmt.Errorf("%w: logical partition %d lies outside its extended partition", ErrCorrupt, p.Number)
			}
			out = append(out, p)
		}
		next := entries[1]
		if !isExtended(next.typ) || next.start == 0 {
			return out, nil
		}
		cur = extStart + int64(next.start)
		if cur*sector >= ext.Start+ext.Size {
			return nil, fmt.Errorf("%w: extended boot record at sector %d lies outside its extended partition", ErrCorrupt, cur)
		}
	}
}

var mbrTypeNames = map[byte]string{
	0x07: "NTFS/exFAT", 0x0b: "FAT32", 0x0c: "FAT32 (LBA)", 0x0e: "FAT16 (LBA)", 0x05: "extended",
	0x0f: "extended (LBA)", 0x82: "Linux swap", 0x83: "Linux", 0x85: "Linux extended", 0x8e: "Linux LVM",
	0xef: "EFI System", 0xfd: "Linux RAID", 0xee: "GPT protective",
}
