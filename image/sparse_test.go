package image_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// The holes of a sparse raw image and the clusters a qcow2 image never wrote are known
// zeros, through the partition's section; every byte said to be one reads as zero, and a
// qcow2 image over a backing file, which holds what the overlay did not write, knows
// none.
func TestKnownZerosOfSparseImages(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "qemu-img", "sgdisk")
	dir := t.TempDir()
	fsImg := filepath.Join(dir, "root.ext4")
	imagetest.Mkfs(t, t.TempDir(), fsImg, 16)
	disk := filepath.Join(dir, "disk.img")
	imagetest.GPTDisk(t, disk, []imagetest.Partition{{Image: fsImg}})
	qcow := filepath.Join(dir, "disk.qcow2")
	imagetest.QCOW2(t, disk, qcow)
	raw := filepath.Join(dir, "disk.raw") // sparse, as qemu-img writes it
	imagetest.Run(t, "qemu-img", "convert", "-f", "qcow2", "-O", "raw", qcow, raw)
	overlay := filepath.Join(dir, "overlay.qcow2")
	imagetest.Run(t, "qemu-img", "create", "-q", "-f", "qcow2", "-b", qcow, "-F", "qcow2", overlay)
	for _, c := range []struct {
		img       string
		wantZeros bool
	}{{raw, true}, {qcow, true}, {overlay, false}} {
		im, err := image.Open(c.img)
		if err != nil {
			t.Fatalf("%s: %v", filepath.Base(c.img), err)
		}
		v := im.Volumes[0]
		size := v.Raw.Size()
		var known int64
		buf := make([]byte, 64<<10)
		for off := int64(0); off < size; off += int64(len(buf)) {
			n := min(int64(len(buf)), size-off)
			z, err := readat.KnownZeros(v.Raw, off, n)
			if err != nil {
				t.Fatalf("%s at %d: %v", filepath.Base(c.img), off, err)
			}
			known += z
			if _, err := v.Raw.ReadAt(buf[:n], off); err != nil {
				t.Fatal(err)
			}
			if z > 0 && !bytes.Equal(buf[:z], make([]byte, z)) {
				t.Fatalf("%s: %d bytes at %d said to be zeros hold data", filepath.Base(c.img), z, off)
			}
		}
		im.Close()
		t.Logf("%s: %d of %d bytes known zeros", filepath.Base(c.img), known, size)
		if (known > size/2) != c.wantZeros {
			t.Errorf("%s: %d of %d bytes known zeros, want most: %t", filepath.Base(c.img), known, size, c.wantZeros)
		}
	}
}
