package cleanup

import (
	"io/fs"
	"path"
	"reflect"
	"strings"
	"testing"
	"testing/fstest"
)

func TestParsePasswd(t *testing.T) {
	accounts, bad := parsePasswd([]byte("root:x:0:0:root:/root:/bin/bash\r\ngarbage\n+::::::\nweird:x:notanumber:1::/:/bin/sh\nnohome:x:5:5:::\n\n"))
	if len(accounts) != 2 || accounts[0].Home != "/root" || accounts[1].Home != "/" || !reflect.DeepEqual(bad, []int{2, 3, 4}) {
		t.Fatalf("got %+v, bad %v", accounts, bad)
	}
}

func TestExpandNeeds(t *testing.T) {
	accounts, _ := parsePasswd([]byte(cleanPasswd))
	got := expandNeeds([]string{"/etc/passwd", "~/.ssh/", "~/.bashrc"}, accounts[:3])
	want := []string{"/etc/passwd", "/root/.ssh/", "/usr/sbin/.ssh/", "/home/alice/.ssh/", "/root/.bashrc", "/usr/sbin/.bashrc", "/home/alice/.bashrc"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %v", got)
	}
}

// recordingFS notes every path a check opens or looks at.
type recordingFS struct {
	fstest.MapFS
	seen map[string]bool
}

func (r recordingFS) Open(name string) (fs.File, error) {
	r.seen[name] = true
	return r.MapFS.Open(name)
}
func (r recordingFS) Lstat(name string) (fs.FileInfo, error) {
	r.seen[name] = true
	return r.MapFS.Lstat(name)
}
func (r recordingFS) ReadLink(name string) (string, error) {
	r.seen[name] = true
	return r.MapFS.ReadLink(name)
}

// covered tells whether reading p is allowed by the expanded needs: p is a need, lies
// below a directory need, matches a glob need, or is an ancestor on the way to one.
func covered(p string, needs []string) bool {
	p = guestPath(p)
	pe := splitPath(p)
	for _, n := range needs {
		ne := splitPath(n)
		if len(pe) > len(ne) && !strings.HasSuffix(n, "/") {
			continue
		}
		matched := true
		for i := range min(len(pe), len(ne)) {
			if ok, _ := path.Match(ne[i], pe[i]); !ok {
				matched = false
			}
		}
		if matched {
			return true
		}
	}
	return false
}

// TestNeedsCoverWhatChecksRead: the provisioner fetches exactly a check's Needs from a live
// guest, so a check must read nothing else.
func TestNeedsCoverWhatChecksRead(t *testing.T) {
	fsys := cleanGuest(t)
	target := &Target{FS: fsys, BuildUser: "alice"}
	for _, tc := range dirtyCases {
		tc.plant(t, target, fsys)
	}
	target.BuildUser = "packer"
	accounts, _ := parsePasswd(fsys["etc/passwd"].Data)
	for _, c := range Checks(Linux) {
		rec := recordingFS{MapFS: fsys, seen: map[string]bool{}}
		target.FS = rec
		if _, err := c.Run(target); err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		needs := expandNeeds(c.Needs, accounts)
		for p := range rec.seen {
			// A history linked to /dev/null is followed to see that it is no file.
			if !covered(p, needs) && !(c.ID == "shell-history" && strings.HasPrefix(p, "dev")) {
				t.Errorf("%s reads %s, which its Needs %v do not cover", c.ID, guestPath(p), c.Needs)
			}
		}
	}
}

func TestSelectChecksLeavesOptionalOnesOut(t *testing.T) {
	defaults, err := SelectChecks(Linux, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range defaults {
		if c.Optional {
			t.Errorf("optional check %s selected by default", c.ID)
		}
	}
	if len(defaults) != len(Checks(Linux))-1 {
		t.Errorf("want every check but build-user, got %d", len(defaults))
	}
	chosen, err := SelectChecks(Linux, []string{"defaults", "build-user", "-logfiles"})
	if err != nil || len(chosen) != len(defaults) || chosen[len(chosen)-1].ID != "build-user" {
		t.Errorf("got %v, %v", chosen, err)
	}
}
