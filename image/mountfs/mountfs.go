// Package mountfs merges filesystems into one tree rooted at /, as the kernel mounts them
// at boot: a root filesystem with others mounted at their mount points (/home, /var).
// Symlinks are resolved here, across mounts, inside the merged tree: never on the host,
// and never inside one filesystem alone (a link on / to /home/alice must reach the /home
// filesystem).
package mountfs

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"syscall"

	"github.com/goldenimage/packer-plugin-sanitize/image/fsfile"
)

// maxSymlinkHops bounds symlink resolution, as the kernel's ELOOP limit does.
const maxSymlinkHops = 40

// FS is a merged tree. It implements fs.ReadLinkFS, fs.StatFS and fs.ReadDirFS.
type FS struct {
	mounts []mount // longest mount point first
}

type mount struct {
	point string // fs path: "." for the root, "home", "var/log"
	fsys  fs.FS
}

// New returns a tree holding root at /.
func New(root fs.FS) *FS { return &FS{mounts: []mount{{".", root}}} }

// Mount mounts fsys at point, an fs path ("home", "var/log"), hiding what the tree held
// there. A point mounted twice is an error (fstab names it twice).
func (m *FS) Mount(point string, fsys fs.FS) error {
	if !fs.ValidPath(point) || point == "." {
		return fmt.Errorf("mount point %q: not a path below the root", point)
	}
	for _, mt := range m.mounts {
		if mt.point == point {
			return fmt.Errorf("mount point /%s is mounted twice", point)
		}
	}
	m.mounts = append(m.mounts, mount{point, fsys})
	slices.SortStableFunc(m.mounts, func(a, b mount) int { return depth(b.point) - depth(a.point) })
	return nil
}

func depth(p string) int {
	if p == "." {
		return 0
	}
	return strings.Count(p, "/") + 1
}

// Owner is the mount point (an fs path, "." for the root) whose filesystem holds name,
// read as written (its symlinks not followed): where a check's finding lives.
func (m *FS) Owner(name string) string {
	mt, _ := m.owner(strings.TrimPrefix(path.Clean("/"+name), "/"))
	return mt.point
}

// owner finds the filesystem holding the symlink-free fs path p, and p inside it.
func (m *FS) owner(p string) (mount, string) {
	if p == "" {
		p = "."
	}
	for _, mt := range m.mounts {
		switch {
		case mt.point == ".":
			return mt, p
		case p == mt.point:
			return mt, "."
		case strings.HasPrefix(p, mt.point+"/"):
			return mt, p[len(mt.point)+1:]
		}
	}
	panic("mountfs: no root mount")
}

// lstat describes the symlink-free path p without following its last element.
func (m *FS) lstat(p string) (fs.FileInfo, error) {
	mt, rel := m.owner(p)
	if rel == "." {
		fi, err := fs.Stat(mt.fsys, ".")
		if err != nil {
			return nil, err
		}
		return namedInfo{fi, path.Base(p)}, nil
	}
	return fs.Lstat(mt.fsys, rel)
}

// resolve returns the path naming no symlink that name leads to, the last element
// followed when followLast is set.
func (m *FS) resolve(op, name string, followLast bool) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	var pending []string
	if name != "." {
		pending = strings.Split(name, "/")
	}
	cur := "."
	for hops := 0; len(pending) > 0; {
		elem := pending[0]
		pending = pending[1:]
		switch elem {
		case "", ".":
			continue
		case "..":
			cur = path.Dir(cur) // ".." of the root is the root
			continue
		}
		next := path.Join(cur, elem)
		if len(pending) == 0 && !followLast {
			return next, nil
		}
		fi, err := m.lstat(next)
		if err != nil {
			return "", &fs.PathError{Op: op, Path: name, Err: unwrap(err)}
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			if len(pending) > 0 && !fi.IsDir() {
				return "", &fs.PathError{Op: op, Path: name, Err: syscall.ENOTDIR}
			}
			cur = next
			continue
		}
		if hops++; hops > maxSymlinkHops {
			return "", &fs.PathError{Op: op, Path: name, Err: syscall.ELOOP}
		}
		mt, rel := m.owner(next)
		target, err := fs.ReadLink(mt.fsys, rel)
		if err != nil {
			return "", &fs.PathError{Op: op, Path: name, Err: unwrap(err)}
		}
		if strings.HasPrefix(target, "/") {
			cur = "."
		}
		pending = append(strings.Split(target, "/"), pending...)
	}
	return cur, nil
}

func unwrap(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Open opens name, following symlinks in the merged tree.
func (m *FS) Open(name string) (fs.File, error) {
	p, err := m.resolve("open", name, true)
	if err != nil {
		return nil, err
	}
	mt, rel := m.owner(p)
	if len(m.childMounts(p)) == 0 && rel != "." {
		return mt.fsys.Open(rel)
	}
	// a mounted root (named after its mount point) or a directory holding mount points
	info, err := m.lstat(p)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: name, Err: unwrap(err)}
	}
	return fsfile.NewDir(name, info, func() ([]fs.DirEntry, error) {
		entries, err := fs.ReadDir(mt.fsys, rel)
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: name, Err: unwrap(err)}
		}
		return m.withMounts(p, entries)
	}), nil
}

// Stat describes name, following symlinks.
func (m *FS) Stat(name string) (fs.FileInfo, error) {
	p, err := m.resolve("stat", name, true)
	if err != nil {
		return nil, err
	}
	return m.lstat(p)
}

// Lstat describes name without following its last element.
func (m *FS) Lstat(name string) (fs.FileInfo, error) {
	p, err := m.resolve("lstat", name, false)
	if err != nil {
		return nil, err
	}
	fi, err := m.lstat(p)
	if err != nil {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: unwrap(err)}
	}
	return fi, nil
}

// ReadLink reads the symlink name (its parents resolved in the merged tree).
func (m *FS) ReadLink(name string) (string, error) {
	p, err := m.resolve("readlink", name, false)
	if err != nil {
		return "", err
	}
	mt, rel := m.owner(p)
	if rel == "." {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return fs.ReadLink(mt.fsys, rel)
}

// ReadDir lists the directory name, its mount points shown as the mounted roots.
func (m *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	p, err := m.resolve("readdir", name, true)
	if err != nil {
		return nil, err
	}
	mt, rel := m.owner(p)
	entries, err := fs.ReadDir(mt.fsys, rel)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: unwrap(err)}
	}
	return m.withMounts(p, entries)
}

// childMounts are the mount points right below the directory p.
func (m *FS) childMounts(p string) []mount {
	var out []mount
	for _, mt := range m.mounts {
		if mt.point != "." && path.Dir(mt.point) == p {
			out = append(out, mt)
		}
	}
	return out
}

// withMounts replaces (or adds) the entries of p's mount points by the mounted roots.
func (m *FS) withMounts(p string, entries []fs.DirEntry) ([]fs.DirEntry, error) {
	children := m.childMounts(p)
	if len(children) == 0 {
		return entries, nil
	}
	for _, mt := range children {
		fi, err := fs.Stat(mt.fsys, ".")
		if err != nil {
			return nil, fmt.Errorf("the filesystem mounted at /%s: %w", mt.point, err)
		}
		base := path.Base(mt.point)
		entries = slices.DeleteFunc(entries, func(e fs.DirEntry) bool { return e.Name() == base })
		entries = append(entries, fs.FileInfoToDirEntry(namedInfo{fi, base}))
	}
	slices.SortFunc(entries, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return entries, nil
}

// namedInfo renames a mounted root's FileInfo ("." in its own filesystem) after its
// mount point.
type namedInfo struct {
	fs.FileInfo
	name string
}

func (i namedInfo) Name() string { return i.name }
