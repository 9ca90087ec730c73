// Package image opens a disk image or rootfs archive read-only and yields the
// filesystems inside it as io/fs.FS values the cleanup checks take.
//
// Everything is detected by content, never by file name: the container (raw, qcow2 with
// zlib or zstd clusters, VHD, VHDX, VMDK, OVA, tar, tar.gz), the partition table (none, MBR
// with extended/logical partitions, GPT), LVM2 linear logical volumes, and each volume's
// filesystem (ext2/3/4, xfs v5, FAT12/16/32, NTFS; swap, which holds no files, is
// reported skipped with its bytes kept for the deep scan). Trees merges a root filesystem
// with the volumes its /etc/fstab mounts. It fails closed: a volume whose
// filesystem is unknown, or recognised but not readable yet (btrfs, LUKS, BitLocker, ...),
// becomes a Volume with an error, never a silent skip; a file the NTFS reader cannot
// decode (EFS-encrypted, WOF-compressed) is an error when read, never wrong bytes; a
// reader that panics on a hostile image becomes an error naming the source.
package image

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/goldenimage/packer-plugin-sanitize/archivefs"
	"github.com/goldenimage/packer-plugin-sanitize/image/ext4"
	"github.com/goldenimage/packer-plugin-sanitize/image/fat"
	"github.com/goldenimage/packer-plugin-sanitize/image/ntfs"
	"github.com/goldenimage/packer-plugin-sanitize/image/partition"
	"github.com/goldenimage/packer-plugin-sanitize/image/xfs"
)

// Volume is one filesystem found in an image.
type Volume struct {
	// Source names it for people: `disk.raw partition 2 (GPT "root")`.
	Source string
	// Filesystem is "ext4", "xfs", "rootfs archive", ... or "" when unknown.
	Filesystem string
	// FS is rooted at the volume's root; nil when Err or Skipped is set. It implements
	// fs.ReadLinkFS.
	FS fs.FS
	// Err says why the volume could not be verified.
	Err error
	// Skipped says why a partition holding no filesystem by design (a BIOS boot
	// partition) was not checked. It is reported, never silent.
	Skipped string
	// Raw is the volume's bytes, for the deep scan of free space; nil when Skipped,
	// except for swap (paged-out memory may hold secrets).
	Raw *io.SectionReader
	// IDs name the volume as /etc/fstab may (see Trees).
	IDs VolumeIDs
}

// Image is an opened image file.
type Image struct {
	Path string
	// Format is the container: "raw", "qcow2", "vhd (fixed)", "vmdk (streamOptimized)",
	// "ova: vmdk (streamOptimized)", "tar" or "tar.gz".
	Format string
	// Table is "GPT", "MBR" or "none" (for an OVA, one per disk, comma-separated).
	Table   string
	Volumes []Volume
	closers []io.Closer
}

// Close releases the image file.
func (im *Image) Close() error {
	var errs []error
	for i := len(im.closers) - 1; i >= 0; i-- {
		if err := im.closers[i].Close(); err != nil && !errors.Is(err, os.ErrClosed) {
			errs = append(errs, err)
		}
	}
	im.closers = nil
	return errors.Join(errs...)
}

// Open opens the image at path read-only and finds its volumes. An image that cannot be
// read at all (missing, truncated partition table, unsupported container) is an error;
// a volume that cannot be read is a Volume with Err set.
func Open(path string) (im *Image, err error) {
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return nil, err
	}
	img := &Image{Path: path, closers: []io.Closer{f}}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s: the image reader crashed: %v", path, p)
		}
		if err != nil {
			img.Close()
			im = nil
		}
	}()
	return img, img.open(f)
}

func (im *Image) open(f *os.File) error {
	path := im.Path
	size, err := f.Seek(0, io.SeekEnd) // works for block devices too
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if size == 0 {
		return fmt.Errorf("%s: the file is empty", path)
	}
	format, err := detectFormat(f, size)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if format == formatTar || format == formatTarGz {
		im.Format, im.Table = format, "none"
		fsys, err := archivefs.Read(io.NewSectionReader(f, 0, size), archivefs.DefaultLimits)
		if err != nil {
			return fmt.Errorf("%s: reading the %s rootfs: %w", path, format, err)
		}
		im.Volumes = []Volume{{Source: path, Filesystem: "rootfs archive (" + format + ")", FS: guard(fsys, path)}}
		return nil
	}
	if format == formatOVA {
		return im.openOVA(f, size)
	}
	var dev *device
	if format == formatVMDKDescriptor {
		dev, err = openVMDKDescriptor(f, size, path)
	} else {
		dev, err = openDevice(f, size, format)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if dev.closer != nil {
		im.closers = append(im.closers, dev.closer)
	}
	im.Format = dev.format
	im.Table, im.Volumes, err = findVolumes(dev, path)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// findVolumes looks for a filesystem at offset 0 first (an NTFS or FAT boot sector would
// otherwise pass for an empty MBR), then for GPT, then for MBR. A FAT boot sector and a
// partition table can share sector 0 (boot code that carries a BPB, as GRUB's does):
// then the partition table wins, as the kernel decides.
//
// name is how sources name the disk: the image's path, or the path and an OVA member.
func findVolumes(dev *device, name string) (scheme string, vols []Volume, err error) {
	table, err := partition.Read(dev.r, dev.size)
	var pvs physicalVolumes
	if kind := probe(dev.r); kind != "" && !(kind == "FAT" && err == nil && table != nil && len(table.Partitions) > 0) {
		r := io.NewSectionReader(dev.r, 0, dev.size)
		vol, isPV := pvs.add(r, dev.size, name, kind)
		if !isPV {
			vol = openVolume(r, dev.size, name, kind)
		}
		return "none", append([]Volume{vol}, pvs.logicalVolumes(name)...), nil
	}
	if err != nil {
		return "", nil, err
	}
	if table == nil {
		if looksEmpty(dev.r) {
			return "", nil, errors.New("the image starts with zeros: no partition table and no filesystem (empty or unformatted disk)")
		}
		return "", nil, errors.New("no partition table and no known filesystem found")
	}
	for _, p := range table.Partitions {
		src := fmt.Sprintf("%s partition %d (%s)", name, p.Number, describe(p))
		if p.Type == partition.GUIDBIOSBoot {
			vols = append(vols, Volume{Source: src, Skipped: "BIOS boot partition: it holds the boot loader's code, no filesystem"})
			continue
		}
		r := io.NewSectionReader(dev.r, p.Start, p.Size)
		if why := reservedSkip(r, p); why != "" {
			vols = append(vols, Volume{Source: src, Skipped: why})
			continue
		}
		kind := probe(r)
		vol, isPV := pvs.add(r, p.Size, src, kind)
		if !isPV {
			vol = openVolume(r, p.Size, src, kind)
		}
		vol.IDs.PartUUID, vol.IDs.PartLabel, vol.IDs.Partition = p.UUID, p.Name, p.Number
		if kind == "" && p.TypeName == "Linux swap" && vol.Err != nil {
			// The type is a label anyone can set: without the signature it is not swap.
			vol.Err = fmt.Errorf("%w (typed Linux swap, but no SWAPSPACE2 signature)", vol.Err)
		}
		vols = append(vols, vol)
	}
	vols = append(vols, pvs.logicalVolumes(name)...)
	if len(vols) == 0 {
		return "", nil, fmt.Errorf("the %s partition table has no partition", table.Scheme)
	}
	return table.Scheme, vols, nil
}

func describe(p partition.Partition) string {
	s := p.Scheme
	if p.Name != "" {
		s += fmt.Sprintf(" %q", p.Name)
	}
	switch {
	case p.TypeName != "" && p.Name == "":
		s += ", " + p.TypeName
	case p.TypeName == "":
		s += ", type " + p.Type
	}
	return s
}

// openVolume opens the filesystem of one volume, or says why it cannot.
func openVolume(r io.ReaderAt, size int64, src, kind string) (v Volume) {
	v = Volume{Source: src, Filesystem: kind, Raw: io.NewSectionReader(r, 0, size)}
	defer func() {
		if p := recover(); p != nil {
			v.FS, v.Err = nil, fmt.Errorf("not verified: the %s reader crashed: %v", kind, p)
		}
	}()
	switch kind {
	case "ext":
		fsys, err := ext4.Open(r, size)
		if err != nil {
			v.Err = fmt.Errorf("not verified: ext2/3/4: %w", err)
			return v
		}
		v.Filesystem = fsys.Kind()
		v.FS = guard(fsys, src)
		v.IDs.UUID, v.IDs.Label = formatUUID(fsys.UUID()), fsys.Label()
	case "xfs":
		fsys, err := xfs.Open(r, size)
		if err != nil {
			v.Err = fmt.Errorf("not verified: xfs: %w", err)
			return v
		}
		v.FS = guard(fsys, src)
		v.IDs.UUID, v.IDs.Label = formatUUID(fsys.UUID()), fsys.Label()
	case "FAT":
		fsys, err := fat.Open(r, size)
		if err != nil {
			v.Err = fmt.Errorf("not verified: FAT: %w", err)
			return v
		}
		v.Filesystem = fsys.Kind()
		v.FS = guard(fsys, src)
		v.IDs.UUID, v.IDs.Label = fatIDs(r)
	case "NTFS":
		fsys, err := ntfs.Open(r, size)
		if err != nil {
			v.Err = fmt.Errorf("not verified: NTFS: %w", err)
			return v
		}
		v.FS = guard(fsys, src)
	case kindSwap:
		// Swap holds no files, but paged-out memory may hold secrets: Raw stays set for
		// the deep scan.
		v.Skipped = "swap: holds no files"
	case "":
		why := "unknown filesystem"
		if looksEmpty(r) {
			why += " (its first 128 KiB are zeros: unformatted?)"
		}
		v.Err = errors.New("not verified: " + why)
	default:
		v.Err = fmt.Errorf("not verified: %s is %w", kind, errNotYet)
	}
	return v
}
