package fsfile

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
	"syscall"
)

// Bounds on what a crafted image can make a path walk do.
const (
	// MaxSymlinkHops bounds symlink resolution, as the kernel's ELOOP limit does.
	MaxSymlinkHops = 40
	// MaxDepth bounds the directories of one path: Linux paths stop at 4096 bytes, so
	// no real tree is 1024 levels deep, and a deeper one would make every walk quadratic.
	MaxDepth = 1024
	// MaxDirs bounds the directories a Tree remembers the place of (about 64 bytes each).
	MaxDirs = 1 << 20
)

// Tree is what a reader with inodes (ext4, xfs, NTFS's MFT records) gives the path walk.
// N is its inode.
type Tree[N any] struct {
	Root func() (N, error)
	// Child looks name up in dir: the node, and the name dir holds it under, which a
	// reader that looks names up without regard to case (NTFS) may spell otherwise
	// ("WINDOWS" found as "Windows"): a directory's place is recorded under its own
	// name. ok is false when dir has no entry of that name.
	Child     func(dir N, name string) (n N, entry string, ok bool, err error)
	ReadLink  func(link N) (string, error)
	IsDir     func(N) bool
	IsSymlink func(N) bool
	Num       func(N) uint64 // the inode number, which tells a directory loop
	Corrupt   error          // the reader's "corrupt" error, which a directory loop wraps

	mu     sync.Mutex
	places map[uint64]place             // directory inode -> where it was first met
	walked *Cache[string, walkedDir[N]] // directory path -> how Resolve reached it
}

// walkedDir is how Resolve reached a directory: the directories on the way (top is it)
// and the symlink hops spent.
type walkedDir[N any] struct {
	top  *frame[N]
	hops int
}

// CachedWalkedDirs bounds the directory paths Resolve remembers (a frame and a path each).
const CachedWalkedDirs = 1 << 16

// place is a directory's one entry in its parent.
type place struct {
	parent uint64
	name   string
}

// Resolve walks name from the root directory, following symlinks inside the image (the
// last element only when followLast is set): absolute targets mean the image's root, at
// most MaxSymlinkHops of them, at most MaxDepth directories deep.
//
// A directory has one entry in one parent; a crafted image can link it under many (k
// names at each of d levels are k^d paths for a walk, a link to an ancestor endless
// ones). Every directory met is remembered with its entry, and one met under a second
// entry is an error wrapping t.Corrupt, so each directory is walked once.
func (t *Tree[N]) Resolve(op, name string, followLast bool) (N, error) {
	var none N
	fail := func(err error) (N, error) { return none, &fs.PathError{Op: op, Path: name, Err: err} }
	if !fs.ValidPath(name) {
		return fail(fs.ErrInvalid)
	}
	root, err := t.Root()
	if err != nil {
		return fail(err)
	}
	// the directories walked (so ".." after a symlink is right), as a list sharing its
	// tail: a remembered walk costs one frame, not its depth
	top := &frame[N]{n: root}
	pending := splitPath(name)
	hops := 0
	// A walk lists each directory after its parent: starting where the parent's walk
	// ended keeps a walk linear in the entries, not in entries times depth (on a crafted
	// image, a million directories at the bottom of a 1000-level chain).
	if parent := path.Dir(name); parent != "." {
		if w, ok := t.walkedDirs().Get(parent); ok {
			top, hops, pending = w.top, w.hops, pending[len(pending)-1:]
		}
	}
	for len(pending) > 0 {
		elem := pending[0]
		pending = pending[1:]
		if elem == ".." {
			if top.up != nil {
				top = top.up
			}
			continue
		}
		dir := top.n
		if !t.IsDir(dir) {
			return fail(syscall.ENOTDIR)
		}
		n, entry, ok, err := t.Child(dir, elem)
		switch {
		case err != nil:
			return fail(err)
		case !ok:
			return fail(fs.ErrNotExist)
		}
		if t.IsSymlink(n) && (len(pending) > 0 || followLast) {
			if hops++; hops > MaxSymlinkHops {
				return fail(syscall.ELOOP)
			}
			target, err := t.ReadLink(n)
			if err != nil {
				return fail(err)
			}
			if strings.HasPrefix(target, "/") {
				top = top.root()
			}
			pending = append(splitPath(target), pending...)
			continue
		}
		if t.IsDir(n) {
			if err := t.claim(root, dir, entry, n); err != nil {
				if t.inWalk(top, n) { // the clearer of the two names for the same fault
					err = fmt.Errorf("%w: directory loop (%q is inode %d, an ancestor)", t.Corrupt, elem, t.Num(n))
				}
				return fail(err)
			}
			if top.depth >= MaxDepth { // the root and MaxDepth directories below it
				return fail(fmt.Errorf("directories nested more than %d deep (a crafted image?)", MaxDepth))
			}
		}
		top = &frame[N]{n: n, up: top, depth: top.depth + 1}
	}
	if top.up != nil && t.IsDir(top.n) {
		t.walkedDirs().Put(name, walkedDir[N]{top: top, hops: hops})
	}
	return top.n, nil
}

// frame is one directory of a walk, over the frames of its ancestors.
type frame[N any] struct {
	n     N
	up    *frame[N]
	depth int // below the root
}

func (f *frame[N]) root() *frame[N] {
	for f.up != nil {
		f = f.up
	}
	return f
}

func (t *Tree[N]) walkedDirs() *Cache[string, walkedDir[N]] {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.walked == nil {
		t.walked = NewCache[string, walkedDir[N]](CachedWalkedDirs, nil)
	}
	return t.walked
}

func (t *Tree[N]) inWalk(top *frame[N], n N) bool {
	for f := top; f != nil; f = f.up {
		if t.Num(f.n) == t.Num(n) {
			return true
		}
	}
	return false
}

// claim records that directory n is the entry name of dir, or fails when n was met as
// another entry before (or is the root, which no directory holds).
func (t *Tree[N]) claim(root, dir N, name string, n N) error {
	num, here := t.Num(n), place{parent: t.Num(dir), name: name}
	if num == t.Num(root) {
		return fmt.Errorf("%w: directory loop (%q links to the root)", t.Corrupt, name) // no entry holds the root
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	first, ok := t.places[num]
	switch {
	case ok && first != here:
		return fmt.Errorf("%w: directory %q (inode %d) is linked from several places (a crafted image?)", t.Corrupt, name, num)
	case ok:
		return nil
	case len(t.places) >= MaxDirs:
		return fmt.Errorf("more than %d directories: the rest is not read", MaxDirs)
	}
	if t.places == nil {
		t.places = map[uint64]place{}
	}
	t.places[num] = place{parent: here.parent, name: strings.Clone(name)} // not the whole path's memory
	return nil
}

func splitPath(p string) []string {
	var out []string
	for _, e := range strings.Split(p, "/") {
		if e != "" && e != "." {
			out = append(out, e)
		}
	}
	return out
}

// BaseName is the name fs.FileInfo gives the file at an fs.FS path ("." for the root).
func BaseName(name string) string {
	if name == "." {
		return "."
	}
	return path.Base(name)
}
