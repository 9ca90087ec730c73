package image

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/klauspost/compress/zstd"
	"github.com/lima-vm/go-qcow2reader"
	qimage "github.com/lima-vm/go-qcow2reader/image"
	"github.com/lima-vm/go-qcow2reader/image/qcow2"

	"github.com/goldenimage/packer-plugin-sanitize/image/vhd"
	"github.com/goldenimage/packer-plugin-sanitize/image/vhdx"
	"github.com/goldenimage/packer-plugin-sanitize/image/vmdk"
)

func init() {
	// qemu-img convert -c -o compression_type=zstd writes zstd clusters.
	qcow2.SetDecompressor(qcow2.CompressionTypeZstd, func(r io.Reader) (io.ReadCloser, error) {
		d, err := zstd.NewReader(r, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(64<<20))
		if err != nil {
			return nil, err
		}
		return d.IOReadCloser(), nil
	})
}

// Container formats, told apart by content, never by file name.
const (
	formatRaw   = "raw"
	formatQcow2 = "qcow2"
	formatVMDK  = "vmdk"
	// formatVMDKDescriptor is a text descriptor whose extents are other files (split or
	// flat disks, vmware-iso's default).
	formatVMDKDescriptor = "vmdk descriptor"
	formatVHD            = "vhd"
	formatVHDX           = "vhdx"
	formatOVA            = "ova"
	formatTar            = "tar"
	formatTarGz          = "tar.gz"
)

// device is a disk's bytes, whatever container held them.
type device struct {
	r      io.ReaderAt
	size   int64
	format string
	closer io.Closer
}

// detectFormat names the container from the file's first bytes (and, for a fixed VHD,
// its last 512). It returns an error naming formats recognised but not supported yet.
func detectFormat(f io.ReaderAt, size int64) (string, error) {
	head := make([]byte, 512)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	head = head[:n]
	has := func(off int, s string) bool { return len(head) >= off+len(s) && string(head[off:off+len(s)]) == s }
	switch {
	case has(0, "QFI\xfb"):
		return formatQcow2, nil
	case has(0, "\x1f\x8b"):
		return formatTarGz, nil
	case has(257, "ustar"):
		if bytes.HasSuffix(bytes.TrimRight(head[:100], "\x00"), []byte(".ovf")) {
			return formatOVA, nil
		}
		return formatTar, nil
	case has(0, "KDMV"):
		return formatVMDK, nil
	case has(0, vmdk.DescriptorMagic):
		return formatVMDKDescriptor, nil
	case has(0, "vhdxfile"):
		return formatVHDX, nil
	case has(0, "conectix"): // a dynamic or differencing VHD's copy of its footer
		return formatVHD, nil
	case has(0, "<<< ") && len(head) >= 0x44 && binary.LittleEndian.Uint32(head[0x40:]) == 0xbeda107f:
		return "", fmt.Errorf("VDI is %w", errNotYet)
	case has(0, "\xfd7zXZ\x00"), has(0, "\x28\xb5\x2f\xfd"), has(0, "BZh"):
		return "", fmt.Errorf("a compressed file (xz, zstd or bzip2) is %w: decompress it first", errNotYet)
	}
	if size >= 512+512 {
		footer := make([]byte, 512)
		if _, err := f.ReadAt(footer, size-512); err == nil && string(footer[:8]) == "conectix" {
			if binary.BigEndian.Uint32(footer[60:]) == 2 { // a fixed VHD is a raw disk plus a footer
				return "vhd-fixed", nil
			}
			return formatVHD, nil // dynamic, its copy at offset 0 damaged: vhd.Open says more
		}
	}
	return formatRaw, nil
}

var errNotYet = errors.New("not supported yet")

// openDevice opens a raw, VHD, VHDX, qcow2 or VMDK container as a disk.
func openDevice(f io.ReaderAt, size int64, format string) (*device, error) {
	switch format {
	case formatVHD:
		d, err := vhd.Open(f, size)
		if err != nil {
			return nil, fmt.Errorf("vhd: %w", err)
		}
		return &device{r: d, size: d.Size(), format: "vhd (dynamic)"}, nil
	case formatVHDX:
		d, err := vhdx.Open(f, size)
		if err != nil {
			return nil, fmt.Errorf("vhdx: %w", err)
		}
		return &device{r: d, size: d.Size(), format: formatVHDX}, nil
	case formatVMDK:
		d, err := vmdk.Open(f, size)
		if err != nil {
			return nil, fmt.Errorf("vmdk: %w", err)
		}
		return &device{r: d, size: d.Size(), format: "vmdk (" + d.Kind() + ")"}, nil
	case formatVMDKDescriptor:
		return nil, fmt.Errorf("a VMDK descriptor file is read only from a file next to its extents (Open), not %w here", errNotYet)
	case formatRaw:
		return &device{r: sparse(f), size: size, format: formatRaw}, nil
	case "vhd-fixed":
		return &device{r: sparse(f), size: size - 512, format: "vhd (fixed)"}, nil
	case formatQcow2:
		img, err := qcow2reader.OpenWithType(f, qimage.Type(qcow2.Type))
		if err != nil {
			return nil, fmt.Errorf("qcow2: %w", err)
		}
		if err := img.Readable(); err != nil {
			img.Close()
			return nil, fmt.Errorf("qcow2: %w", err)
		}
		if img.Size() <= 0 {
			img.Close()
			return nil, fmt.Errorf("qcow2: virtual size %d", img.Size())
		}
		return &device{r: qcowImage{img}, size: img.Size(), format: formatQcow2, closer: img}, nil
	}
	return nil, fmt.Errorf("unknown container format %q", format)
}

// qcowImage reads a qcow2 image; the clusters it never wrote, or wrote as zeros, are known
// zeros (unless a backing file holds what it did not write).
type qcowImage struct{ qimage.Image }

// KnownZeros asks the image's cluster map, from the start of off's cluster.
func (q qcowImage) KnownZeros(off, n int64) (int64, error) {
	img, ok := q.Image.(*qcow2.Qcow2)
	if !ok || img.BackingFile != "" || off < 0 || n <= 0 || off >= q.Size() {
		return 0, nil
	}
	from := off &^ (1<<img.ClusterBits - 1)
	e, err := img.Extent(from, min(off+n, q.Size())-from)
	if err != nil || e.Allocated && !e.Zero {
		return 0, err
	}
	return min(max(e.Start+e.Length-off, 0), n), nil
}
