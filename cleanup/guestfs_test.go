package cleanup

import (
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func TestResolveInFS(t *testing.T) {
	fsys := fstest.MapFS{
		"etc/machine-id":          file("id"),
		"var/lib/dbus/machine-id": link("/etc/machine-id"),
		"var/run":                 link("../run"),
		"run/x":                   file("x"),
		"home":                    link("usr/home"),
		"usr/home/a/f":            file("f"),
		"up":                      link("../../../etc"),
		"a":                       link("b"),
		"b":                       link("a"),
	}
	for name, want := range map[string]string{
		"/var/lib/dbus/machine-id": "etc/machine-id",
		"var/run/x":                "run/x",
		"/home/a/f":                "usr/home/a/f",
		"/up/machine-id":           "etc/machine-id", // ".." stops at the root
		"/":                        ".",
		"/home/a/../a/f":           "usr/home/a/f",
	} {
		got, err := resolveInFS(fsys, name, true)
		if err != nil || got != want {
			t.Errorf("%s: got %q, %v; want %q", name, got, err, want)
		}
	}
	if got, _ := resolveInFS(fsys, "/var/lib/dbus/machine-id", false); got != "var/lib/dbus/machine-id" {
		t.Errorf("the last element is kept when not followed, got %s", got)
	}
	if _, err := resolveInFS(fsys, "a/x", true); err == nil || !strings.Contains(err.Error(), "symbolic links") {
		t.Errorf("loop: got %v", err)
	}
	if _, err := resolveInFS(fsys, "nope/x", true); !isMissing(err) {
		t.Errorf("missing: got %v", err)
	}
}

func TestReadFileInFSLimit(t *testing.T) {
	fsys := fstest.MapFS{"f": file("0123456789")}
	data, err := readFileInFS(fsys, "/f", 4)
	if string(data) != "0123" || !errors.Is(err, errTooLarge) {
		t.Fatalf("got %q, %v", data, err)
	}
	if data, err := readFileInFS(fsys, "/f", 10); string(data) != "0123456789" || err != nil {
		t.Fatalf("got %q, %v", data, err)
	}
}

func TestGlobInFS(t *testing.T) {
	fsys := fstest.MapFS{
		"tmp":                     link("/private/tmp"),
		"private/tmp/script_1.sh": file(""),
		"private/tmp/script_2.sh": file(""),
		"private/tmp/other":       file(""),
		"d/x/f":                   file(""),
		"d/y":                     file(""),
	}
	got, err := globInFS(fsys, "/tmp/script_*.sh")
	if err != nil || strings.Join(got, " ") != "/tmp/script_1.sh /tmp/script_2.sh" {
		t.Errorf("got %v, %v", got, err)
	}
	got, err = globInFS(fsys, "/d/*/f")
	if err != nil || strings.Join(got, " ") != "/d/x/f" {
		t.Errorf("got %v, %v", got, err)
	}
	if got, err := globInFS(fsys, "/missing/*"); err != nil || len(got) != 0 {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestWalkInFSDoesNotFollowLinks(t *testing.T) {
	fsys := fstest.MapFS{
		"var/log/a":     file("a"),
		"var/log/etc":   link("/etc"),
		"etc/shadow":    file("s"),
		"var/log/sub/b": file("b"),
	}
	var seen []string
	err := walkInFS(fsys, "/var/log", func(p string, d fs.DirEntry) error {
		seen = append(seen, p)
		return nil
	})
	if err != nil || strings.Join(seen, " ") != "var/log/a var/log/etc var/log/sub var/log/sub/b" {
		t.Errorf("got %v, %v", seen, err)
	}
}
