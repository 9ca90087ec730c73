package fsfile_test

import (
	"errors"
	"io/fs"
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
		Child: func(dir *node, name string) (*node, bool, error) {
			n, ok := dir.children[name]
			return n, ok, nil
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
