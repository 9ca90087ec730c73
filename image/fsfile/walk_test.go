package fsfile_test

import (
	"errors"
	"fmt"
	"io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/fsfile"
)

// node is an inode of the test tree: a directory (children), a symlink (link) or a file.
type node struct {
	num      uint64
	children map[string]*node
	link     string
	isLink   bool
}

var errCorrupt = errors.New("corrupt")

func testTree() (*fsfile.Tree[*node], map[string]*node) {
	root := &node{num: 1, children: map[string]*node{}}
	etc := &node{num: 2, children: map[string]*node{}}
	shadow := &node{num: 3}
	deep := &node{num: 4, children: map[string]*node{}}
	root.children["etc"], etc.children["shadow"], root.children["deep"] = etc, shadow, deep
	link := func(num uint64, target string) *node { return &node{num: num, link: target, isLink: true} }
	deep.children["up"] = link(5, "../etc/shadow")
	deep.children["abs"] = link(6, "/etc/shadow")
	deep.children["self"] = link(7, "self")
	deep.children["back"] = root // a hard link to an ancestor directory
	etc.children["dir-link"] = link(8, "/deep")
	nodes := map[string]*node{"root": root, "etc": etc, "shadow": shadow, "deep": deep}
	return &fsfile.Tree[*node]{
		Root: func() (*node, error) { return root, nil },
		Child: func(dir *node, name string) (*node, string, bool, error) {
			n, ok := dir.children[name]
			return n, name, ok, nil
		},
		ReadLink:  func(n *node) (string, error) { return n.link, nil },
		IsDir:     func(n *node) bool { return n.children != nil },
		IsSymlink: func(n *node) bool { return n.isLink },
		Num:       func(n *node) uint64 { return n.num },
		Corrupt:   errCorrupt,
	}, nodes
}

func TestTreeResolve(t *testing.T) {
	tree, nodes := testTree()
	for _, c := range []struct {
		path       string
		followLast bool
		want       string // a key of nodes, or "" when an error is wanted
		wantErr    error
	}{
		{".", true, "root", nil},
		{"etc/shadow", true, "shadow", nil},
		{"deep/up", true, "shadow", nil},                // ".." after the link's own directory
		{"deep/abs", true, "shadow", nil},               // absolute: the image's root
		{"etc/dir-link/up", true, "shadow", nil},        // a link in the middle is always followed
		{"deep/../etc/shadow", true, "", fs.ErrInvalid}, // not an fs.FS path: ".." only in targets
		{"deep/self", true, "", syscall.ELOOP},
		{"deep/back", true, "", errCorrupt},
		{"etc/shadow/x", true, "", syscall.ENOTDIR},
		{"etc/nope", true, "", fs.ErrNotExist},
		{"/etc", true, "", fs.ErrInvalid},
	} {
		got, err := tree.Resolve("open", c.path, c.followLast)
		if !errors.Is(err, c.wantErr) || (c.want != "" && got != nodes[c.want]) {
			t.Errorf("Resolve(%q) = %+v, %v; want %s, %v", c.path, got, err, c.want, c.wantErr)
		}
		var pe *fs.PathError
		if err != nil && (!errors.As(err, &pe) || pe.Path != c.path || pe.Op != "open") {
			t.Errorf("Resolve(%q): error %v does not name the op and path", c.path, err)
		}
	}
	// without following the last element, a symlink is itself
	if n, err := tree.Resolve("lstat", "deep/self", false); err != nil || !n.isLink {
		t.Errorf("Resolve(deep/self, no follow) = %+v, %v; want the link", n, err)
	}
}

// TestTreeRefusesDirectoryLinkedTwice: a directory under a second name (in the same or
// another parent) is corruption, however it is reached, and one name keeps working.
func TestTreeRefusesDirectoryLinkedTwice(t *testing.T) {
	tree, nodes := testTree()
	shared := &node{num: 10, children: map[string]*node{"f": {num: 11}}}
	nodes["root"].children["a"], nodes["root"].children["b"] = shared, shared
	nodes["etc"].children["c"] = shared
	if _, err := tree.Resolve("open", "a/f", true); err != nil {
		t.Fatalf("first name: %v", err)
	}
	for _, p := range []string{"b/f", "etc/c", "b"} {
		_, err := tree.Resolve("open", p, true)
		if !errors.Is(err, errCorrupt) || !strings.Contains(err.Error(), "linked from several places") {
			t.Errorf("Resolve(%q) = %v; want a directory linked from several places", p, err)
		}
	}
	if _, err := tree.Resolve("open", "a/f", true); err != nil {
		t.Errorf("first name again: %v", err)
	}
}

// TestTreeDepthLimit: a chain deeper than MaxDepth is an error, not a quadratic walk.
func TestTreeDepthLimit(t *testing.T) {
	tree, nodes := testTree()
	dir, elems := nodes["root"], []string{}
	for i := 0; i < fsfile.MaxDepth+5; i++ {
		next := &node{num: uint64(100 + i), children: map[string]*node{}}
		dir.children["d"], dir = next, next
		elems = append(elems, "d")
	}
	ok := strings.Join(elems[:fsfile.MaxDepth], "/")
	if _, err := tree.Resolve("open", ok, true); err != nil {
		t.Fatalf("%d levels: %v", fsfile.MaxDepth, err)
	}
	_, err := tree.Resolve("open", strings.Join(elems, "/"), true)
	if err == nil || !strings.Contains(err.Error(), "nested more than") {
		t.Fatalf("%d levels: %v; want the depth limit", len(elems), err)
	}
}

// TestTreeWalkIsLinear: resolving each directory after its parent (as a walk lists them)
// costs a few Child lookups each, not the depth: 2000 directories at the bottom of a
// 500-level chain would otherwise be a million lookups.
func TestTreeWalkIsLinear(t *testing.T) {
	tree, nodes := testTree()
	lookups := 0
	child := tree.Child
	tree.Child = func(dir *node, name string) (*node, string, bool, error) { lookups++; return child(dir, name) }
	dir, p := nodes["root"], "."
	for i := 0; i < 500; i++ {
		next := &node{num: uint64(100 + i), children: map[string]*node{}}
		dir.children["d"], dir, p = next, next, strings.TrimPrefix(p+"/d", "./")
	}
	for i := 0; i < 2000; i++ {
		dir.children[fmt.Sprint("w", i)] = &node{num: uint64(1000 + i), children: map[string]*node{}}
	}
	var walk func(p string, n *node) int
	walk = func(p string, n *node) int {
		count := 1
		for name, c := range n.children {
			if c.children != nil && c.num >= 100 {
				cp := strings.TrimPrefix(p+"/"+name, "./")
				if _, err := tree.Resolve("readdir", cp, true); err != nil {
					t.Fatal(err)
				}
				count += walk(cp, c)
			}
		}
		return count
	}
	dirs := walk(".", nodes["root"])
	if lookups > 4*dirs {
		t.Fatalf("%d lookups to walk %d directories", lookups, dirs)
	}
	t.Logf("%d lookups to walk %d directories", lookups, dirs)
}
