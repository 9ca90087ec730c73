package blockuse

import (
	"fmt"
	"maps"
	"sort"
	"testing"
)

// node is an in-memory file or directory for the walk tests.
type node struct {
	id      uint64
	entries map[string]*node // nil for a file
}

type entry struct {
	name string
	n    *node
}

func memTree() Tree[*node, entry] {
	return Tree[*node, entry]{
		Entries: func(d *node) ([]entry, error) {
			var out []entry
			for name, n := range d.entries {
				out = append(out, entry{name, n})
			}
			sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
			return out, nil
		},
		Name:    func(e entry) string { return e.name },
		Load:    func(e entry) (*node, error) { return e.n, nil },
		ID:      func(n *node) uint64 { return n.id },
		EntryID: func(e entry) uint64 { return e.n.id },
		IsDir:   func(n *node) bool { return n.entries != nil },
	}
}

type claimAll struct{}

func (claimAll) Len() int { return 1 }

// Names gives every ID the path Walk claims it under first: a file under several names
// (the least path name by name: "/a/z" before "/a-hard"), a directory reached twice,
// files below MaxDepth (none), whether dirOf knows the IDs or not.
func TestNamesAreWhatTheWalkMeetsFirst(t *testing.T) {
	next := uint64(1)
	dir := func() *node { next++; return &node{id: next, entries: map[string]*node{}} }
	file := func() *node { next++; return &node{id: next} }
	root := dir()
	linked, shared := file(), dir()
	root.entries["a"] = dir()
	root.entries["a"].entries["z"] = linked
	root.entries["a-hard"] = linked // after "a" and all below it, though "a-hard" < "a/z"
	root.entries["b"] = shared
	root.entries["a"].entries["shared"] = shared
	shared.entries["f"] = file()
	deep := root
	for range MaxDepth + 2 {
		d := dir()
		deep.entries["d"] = d
		deep = d
	}
	deep.entries["bottom"] = file()

	first := map[uint64]string{}
	tree := memTree()
	tree.Claim = func(n *node, p string) error {
		if _, ok := first[n.id]; !ok {
			first[n.id] = p
		}
		return nil
	}
	if err := tree.Walk(root, claimAll{}); err != nil {
		t.Fatal(err)
	}
	isDir := map[uint64]bool{}
	var all func(n *node)
	all = func(n *node) {
		if _, ok := isDir[n.id]; ok {
			return
		}
		isDir[n.id] = n.entries != nil
		for _, c := range n.entries {
			all(c)
		}
	}
	all(root)
	for _, known := range []bool{true, false} {
		t.Run(fmt.Sprintf("dirs known %t", known), func(t *testing.T) {
			names := map[uint64]string{}
			for id := range isDir {
				names[id] = ""
			}
			dirOf := func(id uint64) (bool, bool) { return known, known && isDir[id] }
			if err := tree.Names(root, names, dirOf); err != nil {
				t.Fatal(err)
			}
			want := maps.Clone(first)
			for id := range isDir {
				if _, ok := want[id]; !ok {
					want[id] = "" // never met: below MaxDepth
				}
			}
			if !maps.Equal(names, want) {
				for id, p := range want {
					if names[id] != p {
						t.Errorf("id %d: named %q, the walk met it as %q", id, names[id], p)
					}
				}
			}
			if names[linked.id] != "/a/z" || names[shared.id] != "/a/shared" || names[deep.id] != "" {
				t.Errorf("linked %q, shared %q, deepest %q", names[linked.id], names[shared.id], names[deep.id])
			}
		})
	}
}
