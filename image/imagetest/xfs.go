package imagetest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// MkfsXFS makes an image file of sizeMiB (at least 300) holding an XFS filesystem
// populated from the directory tree through a mkfs.xfs protofile; args go to mkfs.xfs
// (for example "-s", "size=4096" or "-i", "nrext64=1"). Protofiles cannot name files
// with white space.
func MkfsXFS(t testing.TB, tree, img string, sizeMiB int, args ...string) {
	t.Helper()
	Need(t, "mkfs.xfs")
	proto := img + ".proto"
	var b strings.Builder
	b.WriteString("/dev/null\n0 0\nd--755 0 0\n")
	writeProto(t, &b, tree, 1)
	b.WriteString("$\n")
	if err := os.WriteFile(proto, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(proto)
	if err := os.WriteFile(img, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, int64(sizeMiB)<<20); err != nil {
		t.Fatal(err)
	}
	Run(t, "mkfs.xfs", append(append([]string{"-q", "-f", "-p", proto}, args...), img)...)
}

// writeProto lists dir's entries in protofile syntax: name, type and mode, uid, gid, and
// the content's host path (files) or the target (symlinks); "$" closes a directory.
func writeProto(t testing.TB, b *strings.Builder, dir string, depth int) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	indent := strings.Repeat(" ", depth)
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		if strings.ContainsAny(e.Name()+p, " \t\n") {
			t.Fatalf("a protofile cannot name %q", p)
		}
		fi, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		perm := fi.Mode().Perm()
		suid, sgid := "-", "-"
		if fi.Mode()&os.ModeSetuid != 0 {
			suid = "u"
		}
		if fi.Mode()&os.ModeSetgid != 0 {
			sgid = "g"
		}
		mode := func(typ string) string { return typ + suid + sgid + fmt.Sprintf("%03o", perm) }
		switch {
		case fi.IsDir():
			fmt.Fprintf(b, "%s%s %s 0 0\n", indent, e.Name(), mode("d"))
			writeProto(t, b, p, depth+1)
			b.WriteString(indent + "$\n")
		case fi.Mode()&os.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			fmt.Fprintf(b, "%s%s %s 0 0 %s\n", indent, e.Name(), mode("l"), target)
		default:
			fmt.Fprintf(b, "%s%s %s 0 0 %s\n", indent, e.Name(), mode("-"), p)
		}
	}
}

// Mount mounts the filesystem image img (loop device, root only) for fn to change, then
// unmounts it cleanly. Skips (fails under CI=true) where mounting is not allowed.
func Mount(t testing.TB, img string, fn func(dir string)) {
	t.Helper()
	NeedRoot(t)
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-o", "loop", img, dir).CombinedOutput(); err != nil {
		msg := fmt.Sprintf("mount -o loop %s: %v: %s", img, err, out)
		if os.Getenv("CI") == "true" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	defer func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Fatalf("umount %s: %v: %s", dir, err, out)
		}
	}()
	fn(dir)
}
