package image

import (
	"fmt"
	"io"

	"github.com/goldenimage/packer-plugin-sanitize/image/lvm"
)

// kindLVM is what probe calls a partition (or disk) holding an LVM2 label.
const kindLVM = "LVM2 physical volume"

// physicalVolumes collects the LVM2 physical volumes of one disk, whose volume groups'
// logical volumes become volumes once every partition was seen (a volume group may span
// several).
type physicalVolumes struct {
	pvs  []*lvm.PV
	srcs []string
}

// add takes the volume at r if it is a physical volume, and returns the Volume that
// reports it: skipped (its logical volumes are checked instead) or not verified.
func (p *physicalVolumes) add(r io.ReaderAt, size int64, src, kind string) (Volume, bool) {
	if kind != kindLVM {
		return Volume{}, false
	}
	v := Volume{Source: src, Filesystem: kind}
	pv, err := readPV(r, size)
	if err != nil {
		v.Err = fmt.Errorf("not verified: %w", err)
		return v, true
	}
	p.pvs, p.srcs = append(p.pvs, pv), append(p.srcs, src)
	v.Skipped = "LVM2 physical volume: its logical volumes are checked as volumes of their own"
	return v, true
}

// readPV turns a panic of the metadata parser on a hostile image into an error.
func readPV(r io.ReaderAt, size int64) (pv *lvm.PV, err error) {
	defer func() {
		if p := recover(); p != nil {
			pv, err = nil, fmt.Errorf("the LVM2 reader crashed: %v", p)
		}
	}()
	return lvm.ReadPV(r, size)
}

// logicalVolumes opens the filesystem of every visible logical volume, named
// "DISK LVM2 VG/LV". A logical volume that cannot be read (thin, RAID, striped, or with a
// physical volume missing) is a Volume with its error, naming it.
func (p *physicalVolumes) logicalVolumes(disk string) (vols []Volume) {
	if len(p.pvs) == 0 {
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			vols = []Volume{{Source: disk + " LVM2", Filesystem: kindLVM, Err: fmt.Errorf("not verified: the LVM2 reader crashed: %v", r)}}
		}
	}()
	lvs, err := lvm.Assemble(p.pvs)
	if err != nil {
		return []Volume{{Source: fmt.Sprintf("%s LVM2 (physical volumes: %v)", disk, p.srcs), Filesystem: kindLVM, Err: fmt.Errorf("not verified: %w", err)}}
	}
	for _, lv := range lvs {
		src := fmt.Sprintf("%s LVM2 %s/%s", disk, lv.VG, lv.Name)
		if lv.Err != nil {
			vols = append(vols, Volume{Source: src, Filesystem: "LVM2 logical volume", Err: fmt.Errorf("not verified: %w", lv.Err),
				IDs: VolumeIDs{LV: lv.VG + "/" + lv.Name}})
			continue
		}
		r := io.NewSectionReader(lv.R, 0, lv.Size)
		vol := openVolume(r, lv.Size, src, probe(r))
		vol.IDs.LV = lv.VG + "/" + lv.Name
		vols = append(vols, vol)
	}
	return vols
}
