package mountfs

import (
	"errors"
	"io/fs"
	"syscall"
	"testing"
	"testing/fstest"
)

func tree(t *testing.T) *FS {
	t.Helper()
	root := fstest.MapFS{
		"etc/passwd":          {Data: []byte("root:x:0:0::/root:/bin/sh\n")},
		"home":                {Mode: fs.ModeDir | 0o755}, // the empty mount point
		"home/hidden":         {Data: []byte("shadowed by the mount")},
		"etc/keys":            {Data: []byte("/home/alice/.ssh"), Mode: fs.ModeSymlink},
		"etc/loop":            {Data: []byte("loop"), Mode: fs.ModeSymlink},
		"var":                 {Mode: fs.ModeDir | 0o755},
		"srv":                 {Data: []byte("home/alice"), Mode: fs.ModeSymlink},
		"etc/up":              {Data: []byte("../../../../home/alice/notes"), Mode: fs.ModeSymlink},
		"etc/ssh/sshd_config": {Data: []byte("AuthorizedKeysFile /var/lib/keys/%u\n")},
	}
	home := fstest.MapFS{
		"alice/.ssh/authorized_keys": {Data: []byte("ssh-ed25519 AAAA alice")},
		"alice/notes":                {Data: []byte("notes")},
		"alice/etc":                  {Data: []byte("/etc/passwd"), Mode: fs.ModeSymlink}, // absolute: the merged root
	}
	varFS := fstest.MapFS{"lib/keys/bob": {Data: []byte("ssh-rsa AAAA bob")}}
	m := New(root)
	if err := m.Mount("home", home); err != nil {
		t.Fatal(err)
	}
	if err := m.Mount("var", varFS); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMergedTree(t *testing.T) {
	m := tree(t)
	reads := []struct{ name, want string }{
		{"home/alice/.ssh/authorized_keys", "ssh-ed25519 AAAA alice"},
		{"etc/keys/authorized_keys", "ssh-ed25519 AAAA alice"}, // a link on / into /home
		{"home/alice/etc", "root:x:0:0::/root:/bin/sh\n"},      // a link on /home to /etc
		{"srv/notes", "notes"},
		{"etc/up", "notes"}, // ".." stops at the merged root
		{"var/lib/keys/bob", "ssh-rsa AAAA bob"},
	}
	for _, r := range reads {
		b, err := fs.ReadFile(m, r.name)
		if err != nil || string(b) != r.want {
			t.Errorf("%s: %q, %v; want %q", r.name, b, err, r.want)
		}
	}
	if _, err := fs.ReadFile(m, "home/hidden"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a file under the mount point of the root filesystem is visible: %v", err)
	}
	if _, err := fs.ReadFile(m, "etc/loop"); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("a symlink loop: %v", err)
	}
	if fi, err := fs.Lstat(m, "etc/keys"); err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Errorf("lstat of a symlink: %v, %v", fi, err)
	}
	if target, err := fs.ReadLink(m, "srv"); err != nil || target != "home/alice" {
		t.Errorf("readlink: %q, %v", target, err)
	}
	if fi, err := fs.Stat(m, "home"); err != nil || !fi.IsDir() || fi.Name() != "home" {
		t.Errorf("stat of a mount point: %v, %v", fi, err)
	}
	owners := map[string]string{
		"/home/alice/.ssh/authorized_keys": "home",
		"/home":                            "home",
		"/etc/keys":                        ".",
		"/var/lib/keys/bob":                "var",
		"/variable":                        ".",
	}
	for p, want := range owners {
		if got := m.Owner(p); got != want {
			t.Errorf("Owner(%s) = %q, want %q", p, got, want)
		}
	}
	var walked []string
	err := fs.WalkDir(m, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		walked = append(walked, p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"home/alice/.ssh/authorized_keys": true, "var/lib/keys/bob": true, "etc/passwd": true}
	for _, p := range walked {
		delete(want, p)
		if p == "home/hidden" {
			t.Errorf("the walk shows a shadowed file")
		}
	}
	if len(want) > 0 {
		t.Errorf("the walk missed %v (walked %v)", want, walked)
	}
	if err := m.Mount("home", fstest.MapFS{}); err == nil {
		t.Error("mounting /home twice is no error")
	}
	for _, bad := range []string{".", "../etc", "/home"} {
		if err := m.Mount(bad, fstest.MapFS{}); err == nil {
			t.Errorf("mount at %q accepted", bad)
		}
	}
}

// TestFSContract runs the standard library's fs checks over the merged tree (symlinks
// left out: fstest expects Open not to follow into other trees).
func TestFSContract(t *testing.T) {
	m := New(fstest.MapFS{"etc/passwd": {Data: []byte("x")}, "home": {Mode: fs.ModeDir | 0o755}, "opt/a": {Data: []byte("a")}})
	if err := m.Mount("home", fstest.MapFS{"alice/notes": {Data: []byte("n")}}); err != nil {
		t.Fatal(err)
	}
	if err := fstest.TestFS(m, "etc/passwd", "home/alice/notes", "opt/a"); err != nil {
		t.Fatal(err)
	}
}
