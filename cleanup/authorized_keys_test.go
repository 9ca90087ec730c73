package cleanup

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestAuthorizedKeysSymlinkIsReportedAndFollowedInsideTheFS(t *testing.T) {
	_, line, fp := newKey(t, "alice@laptop")
	fsys := with(cleanGuest(t), map[string]*fstest.MapFile{
		"home/alice/.ssh/authorized_keys": link("/srv/keys/alice"), // absolute: inside the image
		"srv/keys/alice":                  file(line + "\n"),
	})
	found, err := runCheck(t, "authorized-keys", &Target{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	got := pathMessages(found)
	for _, want := range []string{
		"/home/alice/.ssh/authorized_keys authorized keys file is a symlink to /srv/keys/alice",
		"/home/alice/.ssh/authorized_keys line 1 authorizes ssh-ed25519 key " + fp + ` "alice@laptop"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

// On a directory of fetched files, an absolute link must resolve inside it, not on the
// host whose own files os.DirFS would otherwise read.
func TestSymlinksNeverResolveOnTheHost(t *testing.T) {
	root := t.TempDir()
	_, line, fp := newKey(t, "guest")
	write := func(name, data string) {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("etc/passwd", cleanPasswd)
	write("keys/alice", line+"\n")
	mustLink := func(target, name string) {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Skipf("no symlinks here: %v", err)
		}
	}
	mustLink("/keys/alice", "home/alice/.ssh/authorized_keys")
	mustLink("/etc/passwd", "root/.ssh/authorized_keys") // the host's passwd exists; the guest's is no key file
	found, err := runCheck(t, "authorized-keys", &Target{FS: os.DirFS(root)})
	if err != nil {
		t.Fatal(err)
	}
	got := pathMessages(found)
	if !strings.Contains(got, "/home/alice/.ssh/authorized_keys line 1 authorizes ssh-ed25519 key "+fp) {
		t.Errorf("guest key not found through an absolute link:\n%s", got)
	}
	// The guest's /etc/passwd has 6 lines, none a key: 6 "not a valid key" findings.
	if n := strings.Count(got, "/root/.ssh/authorized_keys line"); n != 6 {
		t.Errorf("root's link should read the guest's passwd (6 bad lines), got %d:\n%s", n, got)
	}
}

func TestAuthorizedKeysFileFromSSHDConfig(t *testing.T) {
	_, alice, _ := newKey(t, "alice")
	_, app, _ := newKey(t, "app")
	_, match, _ := newKey(t, "match")
	fsys := with(cleanGuest(t), map[string]*fstest.MapFile{
		"etc/ssh/sshd_config.d/10-keys.conf": file("AuthorizedKeysFile /etc/ssh/keys/%u .config/ssh/keys_%U\n"),
		"etc/ssh/sshd_config": file("Include sshd_config.d/*.conf\nPasswordAuthentication no\n" +
			"Match Group admins\n  AuthorizedKeysFile /var/lib/admin-keys/%u/%%keys\n"),
		"etc/ssh/keys/alice":               file(alice + "\n"),
		"srv/app/.config/ssh/keys_998":     file(app + "\n"),
		"var/lib/admin-keys/alice/%keys":   file(match + "\n"),
		"var/lib/admin-keys/alice/%%keys":  file("decoy: %% is one %\n"),
		"home/alice/.ssh/authorized_keys2": file(""),
	})
	found, err := runCheck(t, "authorized-keys", &Target{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	got := pathMessages(found)
	for _, want := range []string{
		`/etc/ssh/keys/alice line 1 authorizes ssh-ed25519 key SHA256:`,
		`/srv/app/.config/ssh/keys_998 line 1 authorizes`,
		`/var/lib/admin-keys/alice/%keys line 1 authorizes`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "%%keys") || len(found) != 3 {
		t.Errorf("want exactly the three keys:\n%s", got)
	}
}

func TestSharedHomeIsReadOnce(t *testing.T) {
	_, line, _ := newKey(t, "shared")
	fsys := with(cleanGuest(t), map[string]*fstest.MapFile{
		"etc/passwd":                    file(cleanPasswd + "bin:x:2:2:bin:/usr/sbin:/usr/sbin/nologin\n"),
		"usr/sbin/.ssh/authorized_keys": file(line + "\n"),
		"home/alice":                    link("/usr/sbin"), // a second way to the same file
	})
	found, err := runCheck(t, "authorized-keys", &Target{FS: fsys})
	if err != nil || len(found) != 1 {
		t.Fatalf("want one finding, got %v:\n%s", err, messages(found))
	}
}

func TestSymlinkLoopIsAnError(t *testing.T) {
	fsys := with(cleanGuest(t), map[string]*fstest.MapFile{
		"home/alice/.ssh/authorized_keys": link("loop"),
		"home/alice/.ssh/loop":            link("/home/alice/.ssh/authorized_keys"),
	})
	found, err := runCheck(t, "authorized-keys", &Target{FS: fsys})
	if err == nil || !strings.Contains(err.Error(), "too many levels of symbolic links") {
		t.Fatalf("want a loop error, got %v", err)
	}
	if !strings.Contains(pathMessages(found), "symlink to loop") {
		t.Errorf("the link itself is still a finding:\n%s", messages(found))
	}
}

func TestPackerKeyNotAuthorizedPasses(t *testing.T) {
	_, packer, _ := newKey(t, "packer")
	_, other, _ := newKey(t, "other")
	fsys := with(cleanGuest(t), map[string]*fstest.MapFile{"root/.ssh/authorized_keys": file(other + "\n")})
	found, err := runCheck(t, "packer-key", &Target{FS: fsys, PackerPublicKey: packer})
	if err != nil || len(found) > 0 {
		t.Fatalf("want a pass, got %v:\n%s", err, messages(found))
	}
	if _, err := runCheck(t, "packer-key", &Target{FS: fsys, PackerPublicKey: "not a key"}); err == nil {
		t.Error("an unparsable Packer key must be an error, not a pass")
	}
}

func TestExpandAuthorizedKeysFile(t *testing.T) {
	a := Account{Name: "bob", UID: 1001, Home: "/home/bob"}
	for pattern, want := range map[string]string{
		".ssh/authorized_keys":  "/home/bob/.ssh/authorized_keys",
		"/etc/ssh/keys/%u":      "/etc/ssh/keys/bob",
		"%h/.ssh/keys_%U":       "/home/bob/.ssh/keys_1001",
		"/etc/ssh/%%/%u":        "/etc/ssh/%/bob",
		"/etc/ssh/keys/%u/../x": "/etc/ssh/keys/x",
	} {
		if got := expandAuthorizedKeysFile(pattern, a); got != want {
			t.Errorf("%s: got %s, want %s", pattern, got, want)
		}
	}
}
