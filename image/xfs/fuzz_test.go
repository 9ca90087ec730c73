package xfs

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// zeroTail reads head, then zeros up to size: a 300 MiB filesystem from a small input.
type zeroTail struct {
	head []byte
	size int64
}

func (z zeroTail) ReadAt(p []byte, off int64) (int, error) {
	if off >= z.size {
		return 0, io.EOF
	}
	n := 0
	if off < int64(len(z.head)) {
		n = copy(p, z.head[off:])
	}
	end := min(int64(len(p)), z.size-off)
	clear(p[n:end])
	if end < int64(len(p)) {
		return int(end), io.EOF
	}
	return len(p), nil
}

// FuzzWalk reads whatever a hostile filesystem holds in its first blocks (superblock,
// inodes, directories, block maps): errors are fine, panics and hangs are not. The log
// check is left out, or almost every input would stop there. The seed is the first
// 256 KiB of a small mkfs.xfs image (when installed), where its files' metadata lies.
func FuzzWalk(f *testing.F) {
	if _, err := exec.LookPath("mkfs.xfs"); err == nil {
		dir := f.TempDir()
		img, proto := filepath.Join(dir, "fs.img"), filepath.Join(dir, "proto")
		os.WriteFile(filepath.Join(dir, "shadow"), []byte("root:*:1::::::\n"), 0o644)
		os.WriteFile(proto, []byte("/dev/null\n0 0\nd--755 0 0\netc d--755 0 0\nshadow ---640 0 0 "+
			filepath.Join(dir, "shadow")+"\nlink l--777 0 0 /etc/shadow\n$\n$\n"), 0o644)
		os.WriteFile(img, nil, 0o644)
		os.Truncate(img, 300<<20)
		if out, err := exec.Command("mkfs.xfs", "-q", "-f", "-p", proto, img).CombinedOutput(); err != nil {
			f.Fatalf("mkfs.xfs: %v\n%s", err, out)
		}
		b, _ := os.ReadFile(img)
		f.Add(bytes.TrimRight(b[:256<<10], "\x00"))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := zeroTail{head: b, size: 300 << 20}
		sb, err := readSuperblock(r, r.size)
		if err != nil {
			return
		}
		fsys := newFS(r, sb)
		_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return nil
			}
			switch {
			case d.Type()&fs.ModeSymlink != 0:
				_, _ = fs.ReadLink(fsys, p)
				_, _ = fs.Stat(fsys, p)
			case d.Type().IsRegular():
				if f, err := fsys.Open(p); err == nil {
					_, _ = io.Copy(io.Discard, io.LimitReader(f, 4<<20))
					f.Close()
				}
			}
			return nil
		})
		_, _ = fsys.Uses(imagetest.SpreadOffsets(r.size, 64))
		if x, err := fsys.Index(context.Background()); err == nil { // the deep scan's owner index
			_, _ = x.Uses(imagetest.SpreadOffsets(r.size, 64))
		}
	})
}
