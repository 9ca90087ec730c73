package ntfs

// MFTRuns is how many runs map the MFT: more than one proves a fragmented MFT was read.
func MFTRuns(f *FS) int { return len(f.mft.runs) }

// DataRuns describes the unnamed $DATA of the file at name: its runs, sparse runs among
// them, whether it is compressed, and whether its record has an $ATTRIBUTE_LIST.
func DataRuns(f *FS, name string) (runs, sparse int, compressed, attrList bool, err error) {
	n, err := f.resolve("test", name, false)
	if err != nil {
		return 0, 0, false, false, err
	}
	for _, a := range n.extents(attrData, "") {
		compressed = compressed || a.flags&flagCompressed != 0
		for _, r := range a.runs {
			runs++
			if r.sparse() {
				sparse++
			}
		}
	}
	return runs, sparse, compressed, len(n.extents(attrAttributeList, "")) > 0, nil
}

// IndexBlocks is how many INDX blocks the directory at name uses.
func IndexBlocks(f *FS, name string) (int, error) {
	n, err := f.resolve("test", name, false)
	if err != nil {
		return 0, err
	}
	alloc := n.extents(attrIndexAlloc, "$I30")
	if len(alloc) == 0 {
		return 0, nil
	}
	s, err := newStream(f.r, f.bs.clusterSize, alloc)
	if err != nil {
		return 0, err
	}
	return int(s.dataSize / int64(le.Uint32(n.extents(attrIndexRoot, "$I30")[0].value[8:]))), nil
}

// ApplyFixups undoes the update sequence of a record or index block read from an image.
var ApplyFixups = applyFixups

// WriteFixups redoes the update sequence of b (fixed up), so that a test can change a
// structure and write it back valid.
func WriteFixups(b []byte) {
	off, count := int(le.Uint16(b[4:])), int(le.Uint16(b[6:]))
	usn := le.Uint16(b[off:])
	for i := range count - 1 {
		end := (i+1)*fixupStride - 2
		copy(b[off+2+2*i:], b[end:end+2])
		le.PutUint16(b[end:], usn)
	}
}

// RecordOffset is where the base record of name is in the volume, and its size.
func RecordOffset(f *FS, name string) (int64, int64, error) {
	n, err := f.resolve("test", name, false)
	if err != nil {
		return 0, 0, err
	}
	off, err := physical(f.mft, int64(n.num)*f.bs.recordSize)
	return off, f.bs.recordSize, err
}

// Ref is the file reference (record number and sequence) of name.
func Ref(f *FS, name string) (uint64, error) {
	n, err := f.resolve("test", name, false)
	if err != nil {
		return 0, err
	}
	return n.num | uint64(n.seq)<<48, nil
}

// IndexBlockOffset is where the INDX block at vcn of directory name is in the volume,
// and the block size.
func IndexBlockOffset(f *FS, name string, vcn int64) (int64, int64, error) {
	n, err := f.resolve("test", name, false)
	if err != nil {
		return 0, 0, err
	}
	size := int64(le.Uint32(n.extents(attrIndexRoot, "$I30")[0].value[8:]))
	unit := f.bs.clusterSize
	if size < unit {
		unit = 512
	}
	s, err := newStream(f.r, f.bs.clusterSize, n.extents(attrIndexAlloc, "$I30"))
	if err != nil {
		return 0, 0, err
	}
	off, err := physical(s, vcn*unit)
	return off, size, err
}

func physical(s *stream, off int64) (int64, error) {
	for _, r := range s.runs {
		start := r.vcn * s.clusterSize
		if off >= start && off < start+r.length*s.clusterSize && !r.sparse() {
			return r.lcn*s.clusterSize + off - start, nil
		}
	}
	return 0, ErrCorrupt
}
