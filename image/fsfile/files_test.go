package fsfile_test

import (
	"errors"
	"io"
	"io/fs"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/image/fsfile"
)

// memNode is a node of the in-memory reader the Files tests run on.
type memNode struct {
	name, data, target string
	dir                bool
	kids               []*memNode
}

type memInfo struct {
	name string
	n    *memNode
}

func (i memInfo) Name() string { return i.name }
func (i memInfo) Size() int64  { return int64(len(i.n.data)) }
func (i memInfo) Mode() fs.FileMode {
	switch {
	case i.n.dir:
		return fs.ModeDir | 0o755
	case i.n.target != "":
		return fs.ModeSymlink | 0o777
	}
	return 0o644
}
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return i.n.dir }
func (i memInfo) Sys() any           { return nil }

var errUnsupported = errors.New("unsupported")

// memFiles is Files over a small tree: etc/hostname, etc/motd -> hostname (a link),
// etc/broken -> a link whose target cannot be read.
func memFiles() *fsfile.Files[*memNode] {
	hostname := &memNode{name: "hostname", data: "golden\n"}
	motd := &memNode{name: "motd", target: "hostname"}
	broken := &memNode{name: "broken", target: "?"}
	etc := &memNode{name: "etc", dir: true, kids: []*memNode{broken, hostname, motd}}
	root := &memNode{dir: true, kids: []*memNode{etc}}
	var resolve func(op, name string, followLast bool) (*memNode, error)
	resolve = func(op, name string, followLast bool) (*memNode, error) {
		n := root
		if name == "." {
			return n, nil
		}
		parts := strings.Split(name, "/")
		for i, p := range parts {
			var next *memNode
			for _, k := range n.kids {
				if k.name == p {
					next = k
				}
			}
			if next == nil {
				return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
			}
			if next.target == "hostname" && (followLast || i < len(parts)-1) {
				next = hostname
			}
			n = next
		}
		return n, nil
	}
	return &fsfile.Files[*memNode]{
		Resolve:   resolve,
		Info:      func(name string, n *memNode) fs.FileInfo { return memInfo{name, n} },
		IsDir:     func(n *memNode) bool { return n.dir },
		IsSymlink: func(n *memNode) bool { return n.target != "" },
		Entries: func(name string, dir *memNode) ([]fs.DirEntry, error) {
			var out []fs.DirEntry
			for _, k := range dir.kids {
				out = append(out, fs.FileInfoToDirEntry(memInfo{k.name, k}))
			}
			return out, nil
		},
		Content: func(n *memNode) (io.ReaderAt, error) { return strings.NewReader(n.data), nil },
		Target: func(n *memNode) (string, error) {
			if n.target == "?" {
				return "", errors.New("unreadable target")
			}
			return n.target, nil
		},
		Unsupported: errUnsupported,
	}
}

// Files gives the same io/fs behaviour over any reader's nodes: fstest.TestFS passes,
// and each method fails as the io/fs contract says, naming the path.
func TestFilesActsAsAnFS(t *testing.T) {
	x := memFiles()
	if err := fstest.TestFS(x, "etc/hostname", "etc/motd"); err != nil {
		t.Fatal(err)
	}
	if b, err := x.ReadFile("etc/motd"); err != nil || string(b) != "golden\n" {
		t.Errorf("ReadFile through a link = %q, %v", b, err)
	}
	if fi, err := x.Lstat("etc/motd"); err != nil || fi.Mode()&fs.ModeSymlink == 0 || fi.Name() != "motd" {
		t.Errorf("Lstat of a link = %v, %v", fi, err)
	}
	if fi, err := x.Stat("etc/motd"); err != nil || !fi.Mode().IsRegular() || fi.Name() != "motd" {
		t.Errorf("Stat of a link = %v, %v", fi, err)
	}
	for _, tc := range []struct {
		name string
		call func() error
		want error
		path string
	}{
		{"ReadDir of a file", func() error { _, err := x.ReadDir("etc/hostname"); return err }, syscall.ENOTDIR, "etc/hostname"},
		{"ReadDir of nothing", func() error { _, err := x.ReadDir("etc/none"); return err }, fs.ErrNotExist, "etc/none"},
		{"ReadLink of a file", func() error { _, err := x.ReadLink("etc/hostname"); return err }, fs.ErrInvalid, "etc/hostname"},
		{"ReadLink unreadable", func() error { _, err := x.ReadLink("etc/broken"); return err }, nil, "etc/broken"},
		{"ReadFile of nothing", func() error { _, err := x.ReadFile("etc/none"); return err }, fs.ErrNotExist, "etc/none"},
	} {
		err := tc.call()
		var pe *fs.PathError
		if !errors.As(err, &pe) || pe.Path != tc.path || (tc.want != nil && !errors.Is(err, tc.want)) {
			t.Errorf("%s: %v, want a PathError on %s wrapping %v", tc.name, err, tc.path, tc.want)
		}
	}
	if target, err := x.ReadLink("etc/motd"); err != nil || target != "hostname" {
		t.Errorf("ReadLink = %q, %v", target, err)
	}
}
