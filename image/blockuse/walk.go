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
	IsDir   func(N) bool
	// Claim resolves the pending offsets in a node's blocks: a directory's as its
	// metadata, a file's as its data or slack (FileUse).
	Claim func(n N, path string) error
}

// Walk claims the blocks of root and of everything below it, depth first, and stops as
// soon as nothing is pending.
func (t Tree[N, E]) Walk(root N, pending interface{ Len() int }) error {
	seen := map[uint64]bool{}
	var walk func(dir N, p string, depth int) error
	walk = func(dir N, p string, depth int) error {
		if depth > MaxDepth || seen[t.ID(dir)] {
			return nil
		}
		seen[t.ID(dir)] = true
		if err := t.Claim(dir, p); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		entries, err := t.Entries(dir)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, e := range entries {
			if pending.Len() == 0 {
				return nil
			}
			child := path.Join(p, t.Name(e))
			n, err := t.Load(e)
			if err != nil {
				return fmt.Errorf("%s: %w", child, err)
			}
			if t.IsDir(n) {
				if err := walk(n, child, depth+1); err != nil {
					return err
				}
			} else if err := t.Claim(n, child); err != nil {
				return fmt.Errorf("%s: %w", child, err)
			}
		}
		return nil
	}
	return walk(root, "/", 0)
}
