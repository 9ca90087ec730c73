package xfs

import (
	"fmt"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// Short-format (AG-relative) btree blocks of v5: a 56-byte header, then records, or keys
// and pointers.
const (
	shortBtreeHeader = 56
	shortBtreeCRC    = 52
	agfCRC           = 216
)

// freeSpace looks blocks up in the allocation groups' free-space btrees, indexed by block
// number (bnobt), whose root each AG's AGF names.
type freeSpace struct {
	fs   *FS
	agfs map[uint64][]byte
}

// agf reads and checks the AGF of allocation group ag (its second sector).
func (s *freeSpace) agf(ag uint64) ([]byte, error) {
	if b, ok := s.agfs[ag]; ok {
		return b, nil
	}
	sb := s.fs.sb
	b := make([]byte, sb.sectorSize)
	if err := readat.Full(s.fs.r, b, int64(ag*sb.agBlocks)*sb.blockSize+sb.sectorSize); err != nil {
		return nil, fmt.Errorf("AGF of allocation group %d: %w", ag, err)
	}
	switch {
	case string(b[:4]) != "XAGF":
		return nil, fmt.Errorf("%w: AGF of allocation group %d has no XAGF magic", ErrCorrupt, ag)
	case !crcOK(b, agfCRC):
		return nil, fmt.Errorf("%w: AGF of allocation group %d fails its checksum", ErrCorrupt, ag)
	case uint64(be.Uint32(b[8:])) != ag:
		return nil, fmt.Errorf("%w: AGF of allocation group %d says it is group %d", ErrCorrupt, ag, be.Uint32(b[8:]))
	}
	s.agfs[ag] = b
	return b, nil
}

// contains tells whether block agbno of allocation group ag is free: it descends the
// bnobt to the record starting at or before agbno.
func (s *freeSpace) contains(ag, agbno uint64) (bool, error) {
	agf, err := s.agf(ag)
	if err != nil {
		return false, err
	}
	sb := s.fs.sb
	length := uint64(be.Uint32(agf[12:]))
	blk, level := uint64(be.Uint32(agf[16:])), int(be.Uint32(agf[28:]))
	if length == 0 || length > sb.agBlocks || level < 1 || level > maxBtreeDepth {
		return false, fmt.Errorf("%w: AGF of allocation group %d: %d blocks, free-space btree of %d levels", ErrCorrupt, ag, length, level)
	}
	b := make([]byte, sb.blockSize)
	maxKeys := (len(b) - shortBtreeHeader) / 12
	for want := level - 1; ; want-- {
		if blk == 0 || blk >= length {
			return false, fmt.Errorf("%w: allocation group %d: free-space btree block %d lies outside the group", ErrCorrupt, ag, blk)
		}
		if err := readat.Full(s.fs.r, b, int64(ag*sb.agBlocks+blk)*sb.blockSize); err != nil {
			return false, fmt.Errorf("allocation group %d: free-space btree block %d: %w", ag, blk, err)
		}
		n := int(be.Uint16(b[6:]))
		switch {
		case string(b[:4]) != "AB3B":
			return false, fmt.Errorf("%w: allocation group %d: free-space btree block %d has no AB3B magic", ErrCorrupt, ag, blk)
		case !crcOK(b, shortBtreeCRC):
			return false, fmt.Errorf("%w: allocation group %d: free-space btree block %d fails its checksum", ErrCorrupt, ag, blk)
		case int(be.Uint16(b[4:])) != want || uint64(be.Uint32(b[48:])) != ag:
			return false, fmt.Errorf("%w: allocation group %d: free-space btree block %d is level %d of group %d, want level %d",
				ErrCorrupt, ag, blk, be.Uint16(b[4:]), be.Uint32(b[48:]), want)
		case want == 0 && n > (len(b)-shortBtreeHeader)/8, want > 0 && (n == 0 || n > maxKeys):
			return false, fmt.Errorf("%w: allocation group %d: free-space btree block %d holds %d records", ErrCorrupt, ag, blk, n)
		}
		// the last record or key starting at or before agbno; records are sorted
		i := -1
		for k := 0; k < n && uint64(be.Uint32(b[shortBtreeHeader+8*k:])) <= agbno; k++ {
			i = k
		}
		if i < 0 {
			return false, nil
		}
		if want == 0 {
			start, count := uint64(be.Uint32(b[shortBtreeHeader+8*i:])), uint64(be.Uint32(b[shortBtreeHeader+8*i+4:]))
			return agbno < start+count, nil
		}
		blk = uint64(be.Uint32(b[shortBtreeHeader+maxKeys*8+4*i:]))
	}
}
