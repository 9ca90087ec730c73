package blockuse

import (
	"fmt"
	"path"
)

// MaxDepth bounds the directory walks that find the files owning blocks.
const MaxDepth = 256

// Tree is what a walk for the owners of blocks needs from a filesystem: its directories'
// entries (E), the files and directories they load (N), and how to claim a node's blocks.
type Tree[N, E any] struct {
	Entries func(dir N) ([]E, error)
	Name    func(E) string
	Load    func(E) (N, error)
	ID      func(N) uint64 // a directory's identity: each is walked once
	EntryID func(E) uint64 // the ID of the node an entry names, without loading it (Names)
	IsDir   func(N) bool
	// Claim resolves the pending offsets in a node's blocks: a directory's as its
	// metadata, a file's as its data or slack (FileUse).
	Claim func(n N, path string) error
}

// Walk claims the blocks of root and of everything below it, depth first, and stops as
// soon as nothing is pending.
func (t Tree[N, E]) Walk(root N, pending interface{ Len() int }) error {
	return t.descend(root, func() bool { return pending.Len() > 0 },
		func(dir N, p string) error { return t.Claim(dir, p) },
		func(e E, child string) (N, bool, error) {
			n, err := t.Load(e)
			if err != nil || t.IsDir(n) {
				return n, err == nil, err
			}
			var none N
			return none, false, t.Claim(n, child)
		})
}

// Names sets the path of each ID in names (those mapped to "") as Walk meets it first:
// depth first, in the order Entries gives, each directory once and no deeper than
// MaxDepth; an ID Walk never meets keeps "". It stops once all are named. dirOf tells
// from a record of the filesystem (an index) whether an ID is a directory, so that only
// directories are loaded; an ID it does not know is loaded and asked.
func (t Tree[N, E]) Names(root N, names map[uint64]string, dirOf func(id uint64) (known, dir bool)) error {
	left := 0
	for _, p := range names {
		if p == "" {
			left++
		}
	}
	name := func(id uint64, p string) {
		if q, ok := names[id]; ok && q == "" {
			names[id] = p
			left--
		}
	}
	return t.descend(root, func() bool { return left > 0 },
		func(dir N, p string) error { name(t.ID(dir), p); return nil },
		func(e E, child string) (N, bool, error) {
			eid := t.EntryID(e)
			if known, isDir := dirOf(eid); !known || isDir {
				n, err := t.Load(e)
				if err != nil || t.IsDir(n) {
					return n, err == nil, err
				}
			}
			name(eid, child)
			var none N
			return none, false, nil
		})
}

// descend goes through the tree depth first, while more says so: onDir for each
// directory (once, no deeper than MaxDepth), onEntry for each of its entries in order,
// which returns the directory to go down into, if the entry is one.
func (t Tree[N, E]) descend(root N, more func() bool, onDir func(dir N, path string) error,
	onEntry func(e E, child string) (N, bool, error)) error {
	seen := map[uint64]bool{}
	var walk func(dir N, p string, depth int) error
	walk = func(dir N, p string, depth int) error {
		if depth > MaxDepth || seen[t.ID(dir)] {
			return nil
		}
		seen[t.ID(dir)] = true
		if err := onDir(dir, p); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		entries, err := t.Entries(dir)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, e := range entries {
			if !more() {
				return nil
			}
			child := path.Join(p, t.Name(e))
			sub, isDir, err := onEntry(e, child)
			if err != nil {
				return fmt.Errorf("%s: %w", child, err)
			}
			if isDir {
				if err := walk(sub, child, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(root, "/", 0)
}
