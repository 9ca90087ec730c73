package image_test

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// OpenReaderAt over a GPT disk finds what Open finds, named after the given source.
func TestOpenReaderAtMatchesOpen(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "sfdisk")
	dir := t.TempDir()
	fsImg := rootfsImage(t, dir, true)
	disk := filepath.Join(dir, "disk.raw")
	imagetest.GPTDisk(t, disk, []imagetest.Partition{
		{MiB: 1, Type: "21686148-6449-6E6F-744E-656564454649"},
		{Image: fsImg, Name: "root"},
	})
	f, err := os.Open(disk)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fi, _ := f.Stat()

	const source = "ami-0abc1234 snapshot snap-0def5678"
	im, err := image.OpenReaderAt(f, fi.Size(), source)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	ref := open(t, disk)
	if im.Table != "GPT" || im.Format != "raw" || len(im.Volumes) != len(ref.Volumes) {
		t.Fatalf("table %q format %q, %d volumes; Open found %d", im.Table, im.Format, len(im.Volumes), len(ref.Volumes))
	}
	for i, v := range im.Volumes {
		want := strings.Replace(ref.Volumes[i].Source, disk, source, 1)
		if v.Source != want || v.Filesystem != ref.Volumes[i].Filesystem || (v.Skipped == "") != (ref.Volumes[i].Skipped == "") {
			t.Errorf("volume %d: %+v, want source %q like %+v", i, v, want, ref.Volumes[i])
		}
	}
	root := im.Volumes[1]
	if root.FS == nil {
		t.Fatalf("root volume not opened: %v", root.Err)
	}
	if b, err := fs.ReadFile(root.FS, "etc/shadow"); err != nil || !bytes.Contains(b, []byte("root:$6$")) {
		t.Errorf("etc/shadow: %q, %v", b, err)
	}
}

func TestOpenReaderAtFailsClosed(t *testing.T) {
	zeros := bytes.NewReader(make([]byte, 1<<20))
	for name, tc := range map[string]struct {
		r    *bytes.Reader
		size int64
		want string
	}{
		"empty":  {zeros, 0, "empty"},
		"zeros":  {zeros, 1 << 20, "starts with zeros"},
		"no r":   {nil, 1 << 20, "no reader"},
		"random": {bytes.NewReader(bytes.Repeat([]byte("not a disk "), 100000)), 1100000, "no partition table"},
	} {
		var err error
		if tc.r == nil {
			_, err = image.OpenReaderAt(nil, tc.size, "snap")
		} else {
			_, err = image.OpenReaderAt(tc.r, tc.size, "snap")
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), "snap: ") {
			t.Errorf("%s: %v, want an error naming the source and %q", name, err, tc.want)
		}
	}
	if _, err := image.OpenReaderAt(panicReader{}, 1<<20, "snap"); err == nil || !strings.Contains(err.Error(), "crashed") {
		t.Errorf("a panicking reader: %v", err)
	}
}

type panicReader struct{}

func (panicReader) ReadAt([]byte, int64) (int, error) { panic("hostile bytes") }
