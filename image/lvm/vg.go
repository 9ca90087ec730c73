package lvm

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// LV is a visible logical volume of a volume group.
type LV struct {
	VG, Name string
	Size     int64
	R        io.ReaderAt // nil when Err is set
	Err      error
}

// maxSegments bounds the work a hostile metadata text can ask for.
const maxSegments = 1 << 16

// vg is one volume group's newest metadata.
type vg struct {
	name  string
	seqno int64
	sec   *section
}

// Assemble groups the physical volumes into volume groups by their metadata (the newest
// copy wins) and returns every visible logical volume, in metadata order. Hidden ones are
// parts of others (a thin pool's data, a RAID leg) and never read alone. An LV that cannot
// be read has Err set and names itself; an error means no volume group could be read.
func Assemble(pvs []*PV) ([]LV, error) {
	byID := map[string]*PV{}
	groups := map[string]*vg{}
	var names []string
	for _, pv := range pvs {
		byID[pv.UUID] = pv
		if pv.text == "" {
			continue
		}
		root, err := parseText(pv.text)
		if err != nil {
			return nil, err
		}
		for _, name := range root.order {
			sec := root.children[name]
			id, _ := sec.str("id")
			seqno, _ := sec.num("seqno")
			key := name + "/" + id
			if g, ok := groups[key]; !ok || seqno > g.seqno {
				if !ok {
					names = append(names, key)
				}
				groups[key] = &vg{name: name, seqno: seqno, sec: sec}
			}
		}
	}
	if len(groups) == 0 {
		return nil, fmt.Errorf("%w: none of the %d physical volume(s) has a metadata area naming its volume group", ErrCorrupt, len(pvs))
	}
	var out []LV
	for _, key := range names {
		lvs, err := groups[key].logicalVolumes(byID)
		if err != nil {
			return nil, fmt.Errorf("volume group %s: %w", groups[key].name, err)
		}
		out = append(out, lvs...)
	}
	return out, nil
}

// pvRef is a physical volume as the metadata names it.
type pvRef struct {
	pv      *PV // nil when it is not among the volumes read
	id      string
	peStart int64 // bytes
	peCount int64
}

func (g *vg) logicalVolumes(byID map[string]*PV) ([]LV, error) {
	extent, _ := g.sec.num("extent_size")
	if extent <= 0 || extent > 1<<32 {
		return nil, fmt.Errorf("%w: extent size %d", ErrCorrupt, extent)
	}
	extent *= sectorSize
	refs := map[string]pvRef{}
	if pvs := g.sec.children["physical_volumes"]; pvs != nil {
		for _, name := range pvs.order {
			s := pvs.children[name]
			id, _ := s.str("id")
			start, _ := s.num("pe_start")
			count, _ := s.num("pe_count")
			id = strings.ReplaceAll(id, "-", "")
			refs[name] = pvRef{pv: byID[id], id: id, peStart: start * sectorSize, peCount: count}
		}
	}
	var out []LV
	lvs := g.sec.children["logical_volumes"]
	if lvs == nil {
		return nil, nil
	}
	for _, name := range lvs.order {
		s := lvs.children[name]
		if !s.has("status", "VISIBLE") {
			continue
		}
		lv := LV{VG: g.name, Name: name}
		lv.R, lv.Size, lv.Err = linearVolume(s, refs, extent)
		if lv.Err != nil {
			lv.Err = fmt.Errorf("logical volume %s/%s: %w", g.name, name, lv.Err)
		}
		out = append(out, lv)
	}
	return out, nil
}

// linearVolume maps an LV's segments to its physical volumes' extents.
func linearVolume(s *section, refs map[string]pvRef, extent int64) (io.ReaderAt, int64, error) {
	var segs []segment
	for _, name := range s.order {
		seg := s.children[name]
		if !strings.HasPrefix(name, "segment") {
			continue
		}
		if len(segs) == maxSegments {
			return nil, 0, fmt.Errorf("%w: more than %d segments", ErrCorrupt, maxSegments)
		}
		typ, _ := seg.str("type")
		stripes, _ := seg.num("stripe_count")
		switch {
		case typ == "striped" && stripes > 1:
			return nil, 0, fmt.Errorf("striped over %d stripes: %w yet (linear volumes are read)", stripes, ErrUnsupported)
		case typ != "striped" || stripes != 1:
			return nil, 0, fmt.Errorf("a %s segment: %w yet (linear volumes are read)", typ, ErrUnsupported)
		}
		start, _ := seg.num("start_extent")
		count, _ := seg.num("extent_count")
		list := seg.list("stripes")
		if len(list) != 2 || count <= 0 || start < 0 {
			return nil, 0, fmt.Errorf("%w: segment %s: %d extents from %d, stripes %v", ErrCorrupt, name, count, start, list)
		}
		pvName, _ := list[0].(string)
		pe, _ := list[1].(int64)
		ref, ok := refs[pvName]
		switch {
		case !ok:
			return nil, 0, fmt.Errorf("%w: segment %s names physical volume %q, which the volume group does not list", ErrCorrupt, name, pvName)
		case ref.pv == nil:
			return nil, 0, fmt.Errorf("its physical volume %s (%s) is not in this image", pvName, ref.id)
		case pe < 0 || pe+count > ref.peCount:
			return nil, 0, fmt.Errorf("%w: segment %s: extents %d..%d of %s, which has %d", ErrCorrupt, name, pe, pe+count, pvName, ref.peCount)
		}
		off := ref.peStart + pe*extent
		if end := off + count*extent; end > ref.pv.size {
			return nil, 0, fmt.Errorf("%w: segment %s ends at byte %d of a %d-byte physical volume (truncated?)", ErrCorrupt, name, end, ref.pv.size)
		}
		segs = append(segs, segment{start: start * extent, size: count * extent, r: ref.pv.r, off: off})
	}
	if len(segs) == 0 {
		return nil, 0, fmt.Errorf("%w: no segment", ErrCorrupt)
	}
	sort.Slice(segs, func(i, j int) bool { return segs[i].start < segs[j].start })
	var size int64
	for _, sg := range segs {
		if sg.start != size {
			return nil, 0, fmt.Errorf("%w: the segments leave a gap or overlap at byte %d", ErrCorrupt, size)
		}
		size += sg.size
	}
	return linear(segs), size, nil
}

// segment is a run of the LV's bytes stored contiguously on one physical volume.
type segment struct {
	start, size int64 // in the LV
	r           io.ReaderAt
	off         int64 // on the PV
}

// linear reads an LV through its segments, sorted and contiguous from 0.
type linear []segment

func (l linear) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errors.New("lvm: negative offset")
	}
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		i := sort.Search(len(l), func(i int) bool { return l[i].start+l[i].size > pos })
		if i == len(l) {
			return n, io.EOF
		}
		s := l[i]
		chunk := p[n:min(len(p), n+int(s.start+s.size-pos))]
		if err := readat.Full(s.r, chunk, s.off+pos-s.start); err != nil {
			return n, err
		}
		n += len(chunk)
	}
	return n, nil
}
