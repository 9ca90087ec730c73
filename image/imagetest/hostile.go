package imagetest

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Hostile images: what a crafted image can do to a reader that trusts it. They are built
// by mkfs.ext4 -d, then bent with debugfs -w, which writes what the kernel never would.

// Debugfs runs debugfs -w on img with the commands, one a line, and fails the test when
// one is refused (debugfs reports errors on stderr and still exits 0).
func Debugfs(t testing.TB, img string, commands []string) {
	t.Helper()
	Need(t, "debugfs")
	cmd := exec.Command("debugfs", "-w", "-f", "-", img)
	cmd.Stdin = strings.NewReader(strings.Join(commands, "\n") + "\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("debugfs: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		// debugfs echoes "debugfs: <command>" (and write tells the inode it took); any
		// other line is a complaint.
		if line != "" && !strings.HasPrefix(line, "debugfs ") && !strings.HasPrefix(line, "debugfs:") && !strings.HasPrefix(line, "Allocated inode: ") {
			t.Fatalf("debugfs refused a command: %s\n%s", line, out)
		}
	}
}

// Chain is the directory path dir/d1/d2/.../dN.
func Chain(dir string, levels int) string {
	elems := []string{dir}
	for i := 1; i <= levels; i++ {
		elems = append(elems, fmt.Sprintf("d%d", i))
	}
	return path.Join(elems...)
}

// LinkBombCommands are the debugfs commands that give each directory of the chain
// dir/d1/.../dLevels (which must exist) names-1 more names in its parent (n2...): a walk
// that does not notice a directory seen before visits names^levels paths.
func LinkBombCommands(dir string, names, levels int) []string {
	var cmds []string
	for level := 1; level <= levels; level++ {
		for n := 2; n <= names; n++ {
			cmds = append(cmds, fmt.Sprintf("ln /%s /%s/n%d", Chain(dir, level), Chain(dir, level-1), n))
		}
	}
	return cmds
}

// LinkBombTree adds to files the chain dir/d1/.../dLevels and, beside each dI, the empty
// directories n2...nNames that XFSLinkBomb turns into more names of dI.
func LinkBombTree(files map[string]File, dir string, names, levels int) {
	files[Chain(dir, levels)] = File{Dir: true}
	for level := 1; level <= levels; level++ {
		for n := 2; n <= names; n++ {
			files[fmt.Sprintf("%s/n%d", Chain(dir, level-1), n)] = File{Dir: true}
		}
	}
}

// XFSLinkBomb points the entries n2...nNames of each directory of an xfs image made from a
// LinkBombTree at its dI, with xfs_db -x (which rewrites the inode's checksum): each dI
// then has names entries in its parent, as LinkBombCommands does on ext4.
func XFSLinkBomb(t testing.TB, img, dir string, names, levels int) {
	t.Helper()
	Need(t, "xfs_db")
	entry := regexp.MustCompile(`u3\.sfdir3\.list\[(\d+)\]\.(name|inumber\.i4) = "?([^"\n]*)"?`)
	for level := 1; level <= levels; level++ {
		parent := "/" + Chain(dir, level-1)
		listing := Run(t, "xfs_db", "-r", "-c", "path "+parent, "-c", "print u3.sfdir3.list", img)
		index, inum := map[string]string{}, map[string]string{} // name -> list index; index -> inode
		for _, m := range entry.FindAllStringSubmatch(listing, -1) {
			if m[2] == "name" {
				index[m[3]] = m[1]
			} else {
				inum[m[1]] = m[3]
			}
		}
		target := inum[index[fmt.Sprintf("d%d", level)]]
		if target == "" {
			t.Fatalf("xfs_db lists no d%d in %s (not a short-form directory?):\n%s", level, parent, listing)
		}
		args := []string{"-x", "-c", "path " + parent}
		for n := 2; n <= names; n++ {
			i, ok := index[fmt.Sprintf("n%d", n)]
			if !ok {
				t.Fatalf("xfs_db lists no n%d in %s:\n%s", n, parent, listing)
			}
			args = append(args, "-c", fmt.Sprintf("write u3.sfdir3.list[%s].inumber.i4 %s", i, target))
		}
		Run(t, "xfs_db", append(args, img)...)
	}
}

// Nested is the path dir/d/d/.../d of levels directories named "d" (2 bytes a level: a
// host path holds about 2000 of them).
func Nested(dir string, levels int) string {
	return dir + strings.Repeat("/d", levels)
}

// DeepChainCommands are the debugfs commands that make levels nested directories "d"
// under dir (which must exist), deeper than any host path could be.
func DeepChainCommands(dir string, levels int) []string {
	cmds := []string{"cd /" + dir}
	for i := 0; i < levels; i++ {
		cmds = append(cmds, "mkdir d", "cd d")
	}
	return cmds
}

// SparseFile makes a file of size bytes under tree holding data at its start and nothing
// else: mkfs.ext4 -d copies its holes as holes.
func SparseFile(t testing.TB, tree, name string, size int64, data string) {
	t.Helper()
	p := filepath.Join(tree, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, size); err != nil {
		t.Fatal(err)
	}
}
