package fsfile

import (
	"fmt"
	"io/fs"
	"path"
	"strings"
	"syscall"
)

// MaxSymlinkHops bounds symlink resolution, as the kernel's ELOOP limit does.
const MaxSymlinkHops = 40

// Tree is what a reader with inodes (ext4, xfs) gives the path walk. N is its inode.
type Tree[N any] struct {
	Root      func() (N, error)
	Child     func(dir N, name string) (N, bool, error) // false: no entry of that name
	ReadLink  func(link N) (string, error)
	IsDir     func(N) bool
	IsSymlink func(N) bool
	Num       func(N) uint64 // the inode number, which tells a directory loop
	Corrupt   error          // the reader's "corrupt" error, which a directory loop wraps
}

// Resolve walks name from the root directory, following symlinks inside the image (the
// last element only when followLast is set): absolute targets mean the image's root, at
// most MaxSymlinkHops of them. A directory met again below itself (a hard link to an
// ancestor: a walk through it would never end) is an error wrapping t.Corrupt.
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
	stack := []N{root} // the directories walked, so ".." after a symlink is right
	pending := splitPath(name)
	for hops := 0; len(pending) > 0; {
		elem := pending[0]
		pending = pending[1:]
		if elem == ".." {
			if len(stack) > 1 {
				stack = stack[:len(stack)-1]
			}
			continue
		}
		dir := stack[len(stack)-1]
		if !t.IsDir(dir) {
			return fail(syscall.ENOTDIR)
		}
		n, ok, err := t.Child(dir, elem)
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
				stack = stack[:1]
			}
			pending = append(splitPath(target), pending...)
			continue
		}
		if t.IsDir(n) && t.inStack(stack, n) {
			return fail(fmt.Errorf("%w: directory loop (inode %d)", t.Corrupt, t.Num(n)))
		}
		stack = append(stack, n)
	}
	return stack[len(stack)-1], nil
}

func (t *Tree[N]) inStack(stack []N, n N) bool {
	for _, a := range stack {
		if t.Num(a) == t.Num(n) {
			return true
		}
	}
	return false
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
