package cleanup

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"
	"syscall"
)

// Checks read the guest through these helpers, never with the fs's own symlink
// following: an image's absolute symlink ("/etc/machine-id") must resolve inside the
// image, and an os.DirFS over fetched files would otherwise follow it on the host.

// maxSymlinkHops bounds symlink resolution, as the kernel's ELOOP limit does.
const maxSymlinkHops = 40

// maxConfigSize caps how much of a config-like file a check reads.
const maxConfigSize = 4 << 20

// errTooLarge marks a file larger than the size a check is prepared to read.
var errTooLarge = errors.New("file too large to verify")

// fsPath turns a guest path ("/etc/shadow") into an fs path ("etc/shadow"; "." for "/").
func fsPath(p string) string {
	p = path.Clean("/" + p)
	if p == "/" {
		return "."
	}
	return p[1:]
}

// guestPath turns an fs path back into the guest's /-rooted form for findings.
func guestPath(p string) string { return path.Clean("/" + p) }

// isMissing tells whether err means "there is no such file" (which is not an error for
// a check) as opposed to "the file exists and could not be read" (which is).
func isMissing(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// resolveInFS resolves every symlink in name inside fsys, the last element included when
// followLast is set, and returns a path naming no symlink.
func resolveInFS(fsys fs.FS, name string, followLast bool) (string, error) {
	pending := splitPath(fsPath(name))
	cur := "."
	hops := 0
	for len(pending) > 0 {
		elem := pending[0]
		pending = pending[1:]
		if elem == ".." {
			cur = path.Dir(cur) // ".." of the root is the root, as in the kernel
			continue
		}
		next := path.Join(cur, elem)
		if len(pending) == 0 && !followLast {
			return next, nil
		}
		info, err := fs.Lstat(fsys, next)
		if err != nil {
			return "", err
		}
		if info.Mode()&fs.ModeSymlink == 0 {
			cur = next
			continue
		}
		if hops++; hops > maxSymlinkHops {
			return "", &fs.PathError{Op: "resolve", Path: guestPath(name), Err: errors.New("too many levels of symbolic links")}
		}
		target, err := fs.ReadLink(fsys, next)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(target, "/") {
			cur = "."
		}
		pending = append(splitPath(target), pending...)
	}
	return cur, nil
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

// lstatInFS resolves the parents of name and describes its last element without
// following it. It returns the resolved path of that element.
func lstatInFS(fsys fs.FS, name string) (string, fs.FileInfo, error) {
	p, err := resolveInFS(fsys, name, false)
	if err != nil {
		return "", nil, err
	}
	info, err := fs.Lstat(fsys, p)
	return p, info, err
}

// statInFS follows every symlink of name inside fsys and describes the result.
func statInFS(fsys fs.FS, name string) (string, fs.FileInfo, error) {
	p, err := resolveInFS(fsys, name, true)
	if err != nil {
		return "", nil, err
	}
	info, err := fs.Lstat(fsys, p)
	return p, info, err
}

// readFileInFS reads name after resolving it inside fsys, at most limit bytes. A longer
// file returns its first limit bytes and an error wrapping errTooLarge.
func readFileInFS(fsys fs.FS, name string, limit int64) ([]byte, error) {
	p, err := resolveInFS(fsys, name, true)
	if err != nil {
		return nil, err
	}
	return readResolved(fsys, p, limit)
}

// readResolved reads a path that names no symlink (one from resolveInFS or a walk).
func readResolved(fsys fs.FS, p string, limit int64) ([]byte, error) {
	f, err := fsys.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: guestPath(p), Err: err}
	}
	if int64(len(data)) > limit {
		return data[:limit], fmt.Errorf("%s: %w (more than %d bytes)", guestPath(p), errTooLarge, limit)
	}
	return data, nil
}

// walkInFS walks the tree at root (resolved inside fsys first) and calls fn for every
// entry below it, never descending through a symlink. Paths given to fn are resolved fs
// paths. Unreadable directories are collected in the returned error and skipped; a
// missing root is not an error.
func walkInFS(fsys fs.FS, root string, fn func(p string, d fs.DirEntry) error) error {
	start, err := resolveInFS(fsys, root, true)
	if isMissing(err) {
		return nil
	}
	if err != nil {
		return err
	}
	var errs []error
	err = fs.WalkDir(fsys, start, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == start && isMissing(err) {
				return nil
			}
			errs = append(errs, err)
			return nil // WalkDir skips the directory it could not read
		}
		if p == start {
			return nil
		}
		return fn(p, d)
	})
	return errors.Join(append(errs, err)...)
}

// globInFS expands a guest glob ("/tmp/script_*.sh") inside fsys, one element at a time,
// resolving directories inside fsys. It returns guest paths in lexical order; the last
// element of a match may be a symlink.
func globInFS(fsys fs.FS, pattern string) ([]string, error) {
	matches := []string{"."}
	elems := splitPath(fsPath(pattern))
	var errs []error
	for i, elem := range elems {
		last := i == len(elems)-1
		var next []string
		for _, dir := range matches {
			if !hasMeta(elem) {
				next = appendIfExists(fsys, next, path.Join(dir, elem), &errs)
				continue
			}
			resolved, err := resolveInFS(fsys, dir, true)
			if err == nil {
				var entries []fs.DirEntry
				entries, err = fs.ReadDir(fsys, resolved)
				for _, e := range entries {
					if ok, _ := path.Match(elem, e.Name()); ok && (last || e.IsDir() || e.Type()&fs.ModeSymlink != 0) {
						next = append(next, path.Join(dir, e.Name()))
					}
				}
			}
			if err != nil && !isMissing(err) {
				errs = append(errs, err)
			}
		}
		matches = next
	}
	out := make([]string, 0, len(matches))
	for _, m := range matches {
		out = append(out, guestPath(m))
	}
	return out, errors.Join(errs...)
}

func appendIfExists(fsys fs.FS, list []string, p string, errs *[]error) []string {
	_, _, err := lstatInFS(fsys, p)
	switch {
	case err == nil:
		return append(list, p)
	case !isMissing(err):
		*errs = append(*errs, err)
	}
	return list
}

func hasMeta(elem string) bool { return strings.ContainsAny(elem, `*?[\`) }
