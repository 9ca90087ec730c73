package ntfs

import (
	"fmt"
	"io"
	"sort"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// run maps length clusters from vcn to lcn; a sparse run (lcn < 0) reads as zeros.
type run struct {
	vcn, lcn, length int64
}

func (r run) sparse() bool { return r.lcn < 0 }

// maxRuns bounds the runs of one attribute (a 64 MiB stream of single clusters at most
// fragmented, far more for real files) to keep memory in check.
const maxRuns = 1 << 20

// decodeRuns decodes a mapping-pairs array: each run is a header byte (low nibble: bytes
// of length, high nibble: bytes of signed LCN delta, none for a sparse run), ending with
// a zero byte. Every run must lie inside the volume and the VCNs must end at lastVCN.
func decodeRuns(b []byte, startVCN, lastVCN, clusters int64) ([]run, error) {
	var runs []run
	vcn, lcn := startVCN, int64(0)
	for i := 0; ; {
		if i >= len(b) {
			return nil, fmt.Errorf("%w: runlist has no end", ErrCorrupt)
		}
		h := b[i]
		if h == 0 {
			break
		}
		nl, no := int(h&0xF), int(h>>4)
		if nl == 0 || nl > 8 || no > 8 || i+1+nl+no > len(b) {
			return nil, fmt.Errorf("%w: runlist header 0x%02x at %d", ErrCorrupt, h, i)
		}
		length := int64(readUint(b[i+1 : i+1+nl]))
		if length <= 0 || length > clusters || vcn+length-1 > lastVCN {
			return nil, fmt.Errorf("%w: a run of %d clusters at VCN %d (last VCN %d)", ErrCorrupt, length, vcn, lastVCN)
		}
		r := run{vcn: vcn, lcn: -1, length: length}
		if no > 0 {
			lcn += readInt(b[i+1+nl : i+1+nl+no])
			if lcn < 0 || lcn > clusters-length {
				return nil, fmt.Errorf("%w: a run of %d clusters at cluster %d, outside the volume's %d", ErrCorrupt, length, lcn, clusters)
			}
			r.lcn = lcn
		}
		if len(runs) >= maxRuns {
			return nil, fmt.Errorf("%w: more than %d runs", ErrUnsupported, maxRuns)
		}
		runs = append(runs, r)
		vcn += length
		i += 1 + nl + no
	}
	if vcn != lastVCN+1 && !(len(runs) == 0 && lastVCN < startVCN) {
		return nil, fmt.Errorf("%w: runlist covers VCNs %d..%d, the header says %d..%d", ErrCorrupt, startVCN, vcn-1, startVCN, lastVCN)
	}
	return runs, nil
}

func readUint(b []byte) uint64 {
	var v uint64
	for i := len(b) - 1; i >= 0; i-- {
		v = v<<8 | uint64(b[i])
	}
	return v
}

func readInt(b []byte) int64 {
	v := int64(readUint(b))
	shift := 64 - 8*uint(len(b))
	return v << shift >> shift
}

// stream reads a non-resident attribute's content: dataSize bytes, of which those past
// initSize read as zeros.
type stream struct {
	r           io.ReaderAt
	clusterSize int64
	runs        []run // sorted by VCN, not overlapping
	dataSize    int64
	initSize    int64
}

// newStream merges the extents of an attribute (one per record holding it): their runs
// must follow each other without overlap. Sizes come from the first extent.
func newStream(r io.ReaderAt, clusterSize int64, extents []attribute) (*stream, error) {
	sort.Slice(extents, func(i, j int) bool { return extents[i].startVCN < extents[j].startVCN })
	first := extents[0]
	if first.startVCN != 0 {
		return nil, fmt.Errorf("%w: no extent starts at VCN 0", ErrCorrupt)
	}
	s := &stream{r: r, clusterSize: clusterSize, dataSize: first.dataSize, initSize: first.initSize}
	next := int64(0)
	for _, e := range extents {
		if e.startVCN != next {
			return nil, fmt.Errorf("%w: extents leave VCNs %d..%d unmapped or mapped twice", ErrCorrupt, next, e.startVCN-1)
		}
		if len(s.runs)+len(e.runs) > maxRuns {
			return nil, fmt.Errorf("%w: more than %d runs", ErrUnsupported, maxRuns)
		}
		s.runs = append(s.runs, e.runs...)
		next = e.lastVCN + 1
	}
	if s.initSize > s.dataSize {
		s.initSize = s.dataSize
	}
	return s, nil
}

// mapped is the number of bytes the runs cover.
func (s *stream) mapped() int64 {
	if len(s.runs) == 0 {
		return 0
	}
	last := s.runs[len(s.runs)-1]
	return (last.vcn + last.length) * s.clusterSize
}

// errNegativeOffset: ReadAt at an offset below zero.
var errNegativeOffset = fmt.Errorf("%w: negative offset", ErrCorrupt)

// readAt fills p from off; reading past dataSize is io.EOF, as io.ReaderAt says.
func (s *stream) ReadAt(p []byte, off int64) (int, error) {
	p, eof, err := readat.Clip(p, off, s.dataSize, errNegativeOffset)
	if err != nil {
		return 0, err
	}
	n := len(p)
	// bytes past the initialized size are zeros, whatever the clusters hold
	if off+int64(len(p)) > s.initSize {
		keep := max(0, s.initSize-off)
		clear(p[keep:])
		p = p[:keep]
	}
	if err := s.readRaw(p, off); err != nil {
		return 0, err
	}
	return n, eof
}

// readRaw reads through the runs; sparse runs are zeros, an unmapped VCN is corruption.
func (s *stream) readRaw(p []byte, off int64) error {
	for len(p) > 0 {
		vcn := off / s.clusterSize
		i := sort.Search(len(s.runs), func(i int) bool { return s.runs[i].vcn+s.runs[i].length > vcn })
		if i == len(s.runs) || s.runs[i].vcn > vcn {
			return fmt.Errorf("%w: byte %d (VCN %d) is not mapped by the runlist", ErrCorrupt, off, vcn)
		}
		r := s.runs[i]
		inRun := off - r.vcn*s.clusterSize
		n := min(int64(len(p)), r.length*s.clusterSize-inRun)
		if r.sparse() {
			clear(p[:n])
		} else if err := readat.Full(s.r, p[:n], r.lcn*s.clusterSize+inRun); err != nil {
			return err
		}
		p, off = p[n:], off+n
	}
	return nil
}
