package cleanup

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// Windows checks read an fs.FS rooted at the system drive ("C:\") with forward slashes:
// "Users/alice/.ssh/id_ed25519". NTFS names are case-insensitive while fs.FS paths are
// not, so every Windows lookup matches names without regard to case ("Unattend.xml" is
// "unattend.xml"). Reparse points (junctions such as "Users/All Users") are never
// followed: they lead to directories that are checked under their own name.

// winProfileNeeds are what a check needs to list the profiles: every entry of C:\Users
// (the Default profile included: new accounts are copied from it), LocalSystem's profile
// and the service accounts' profiles.
var winProfileNeeds = []string{"/Users/*", "/Windows/System32/config/systemprofile", "/Windows/ServiceProfiles/*"}

// winLookup finds name ("/Windows/Panther/unattend.xml") in fsys, element by element and
// case-insensitively, without following symlinks. It returns the fs path with the case the
// filesystem uses and the entry's FileInfo, or an error isMissing recognises.
func winLookup(fsys fs.FS, name string) (string, fs.FileInfo, error) {
	cur := "."
	elems := splitPath(fsPath(name))
	for i, elem := range elems {
		if i > 0 {
			if info, err := fs.Lstat(fsys, cur); err != nil {
				return "", nil, err
			} else if !info.IsDir() { // a symlink or a file on the way: nothing below it
				return "", nil, &fs.PathError{Op: "lookup", Path: guestPath(name), Err: fs.ErrNotExist}
			}
		}
		next := path.Join(cur, elem)
		if _, err := fs.Lstat(fsys, next); err == nil {
			cur = next
			continue
		} else if !isMissing(err) {
			return "", nil, err
		}
		entries, err := fs.ReadDir(fsys, cur)
		if err != nil {
			return "", nil, err
		}
		found := ""
		for _, e := range entries {
			if strings.EqualFold(e.Name(), elem) {
				found = e.Name()
				break
			}
		}
		if found == "" {
			return "", nil, &fs.PathError{Op: "lookup", Path: guestPath(name), Err: fs.ErrNotExist}
		}
		cur = path.Join(cur, found)
	}
	info, err := fs.Lstat(fsys, cur)
	return cur, info, err
}

// winReadFile reads a regular file found by winLookup, at most limit bytes (see
// readResolved). It returns the fs path it read.
func winReadFile(fsys fs.FS, name string, limit int64) (string, []byte, error) {
	p, info, err := winLookup(fsys, name)
	if err != nil {
		return "", nil, err
	}
	switch {
	case info.Mode()&fs.ModeSymlink != 0:
		// Windows follows it (to a file, a loop, another drive); a check here does not,
		// so what the name holds is not known: not verified, never "no such file".
		return p, nil, &fs.PathError{Op: "read", Path: guestPath(p), Err: errors.New("a symbolic link, not followed: what it leads to is not verified")}
	case !info.Mode().IsRegular():
		return p, nil, &fs.PathError{Op: "read", Path: guestPath(p), Err: fs.ErrNotExist}
	}
	data, err := readResolved(fsys, p, limit)
	return p, data, err
}

// winGlob expands a Windows glob ("/Windows/Temp/packer-*") case-insensitively. It
// returns fs paths in lexical order; symlinks match only as the last element.
func winGlob(fsys fs.FS, pattern string) ([]string, error) {
	matches := []string{"."}
	elems := splitPath(fsPath(pattern))
	var errs []error
	for i, elem := range elems {
		last := i == len(elems)-1
		var next []string
		for _, dir := range matches {
			if !hasMeta(elem) {
				p, _, err := winLookup(fsys, path.Join(dir, elem))
				if err == nil {
					next = append(next, p)
				} else if !isMissing(err) {
					errs = append(errs, err)
				}
				continue
			}
			entries, err := fs.ReadDir(fsys, dir)
			if err != nil && !isMissing(err) {
				errs = append(errs, err)
			}
			for _, e := range entries {
				ok, _ := path.Match(strings.ToLower(elem), strings.ToLower(e.Name()))
				if ok && (last || e.IsDir()) {
					next = append(next, path.Join(dir, e.Name()))
				}
			}
		}
		matches = next
	}
	return matches, errors.Join(errs...)
}

// winWalk walks the tree at root (found case-insensitively) without following symlinks;
// a missing root is not an error.
func winWalk(fsys fs.FS, root string, fn func(p string, d fs.DirEntry) error) error {
	p, info, err := winLookup(fsys, root)
	if isMissing(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if !info.IsDir() {
		return nil
	}
	return walkInFS(fsys, p, fn)
}

// winProfiles lists the profile directories (fs paths): every directory in Users, then
// LocalSystem's and the service accounts' profiles. Without a Users directory the checks
// cannot tell where the profiles are, which is an error.
func winProfiles(fsys fs.FS) ([]string, error) {
	users, info, err := winLookup(fsys, "/Users")
	if err != nil || !info.IsDir() {
		if err == nil || isMissing(err) {
			return nil, errors.New("no Users directory: cannot list the profiles to check")
		}
		return nil, fmt.Errorf("listing the profiles: %w", err)
	}
	var out []string
	var errs []error
	entries, err := fs.ReadDir(fsys, users)
	if err != nil {
		errs = append(errs, err)
	}
	for _, e := range entries {
		if e.IsDir() { // junctions ("All Users", "Default User") are symlinks, not dirs
			out = append(out, path.Join(users, e.Name()))
		}
	}
	if p, info, err := winLookup(fsys, "/Windows/System32/config/systemprofile"); err == nil && info.IsDir() {
		out = append(out, p)
	} else if err != nil && !isMissing(err) {
		errs = append(errs, err)
	}
	services, err := winGlob(fsys, "/Windows/ServiceProfiles/*")
	errs = append(errs, err)
	for _, p := range services {
		if info, err := fs.Lstat(fsys, p); err == nil && info.IsDir() {
			out = append(out, p)
		}
	}
	return out, errors.Join(errs...)
}

// winProfileName names a profile for a message: "alice" for Users/alice, else its path.
func winProfileName(p string) string {
	if dir, name := path.Split(p); strings.EqualFold(strings.TrimSuffix(dir, "/"), "Users") {
		return "profile " + printable(name, 64)
	}
	return "profile " + guestPath(p)
}
