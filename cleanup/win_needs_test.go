package cleanup

import (
	"path"
	"strings"
	"testing"
)

// TestWindowsNeedsCoverWhatChecksRead: the provisioner fetches exactly a check's Needs
// from a live Windows guest ("~/" under every profile), so a check must read nothing else.
// NTFS names ignore case, so the comparison does too.
func TestWindowsNeedsCoverWhatChecksRead(t *testing.T) {
	fsys := cleanWindowsGuest(t)
	for _, tc := range winDirtyCases {
		planted, _ := tc.files(t)
		for k, v := range planted {
			fsys[k] = v
		}
	}
	profiles, err := winProfiles(fsys)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Checks(Windows) {
		rec := recordingFS{MapFS: fsys, seen: map[string]bool{}}
		if _, err := c.Run(&Target{FS: rec}); err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		var needs []string
		for _, n := range c.Needs {
			rest, ok := strings.CutPrefix(n, "~/")
			if !ok {
				needs = append(needs, strings.ToLower(n))
				continue
			}
			for _, prof := range profiles {
				p := path.Join("/", prof, rest)
				if strings.HasSuffix(n, "/") {
					p += "/"
				}
				needs = append(needs, strings.ToLower(p))
			}
		}
		for p := range rec.seen {
			if !covered(strings.ToLower(p), needs) {
				t.Errorf("%s reads %s, which its Needs %v do not cover", c.ID, guestPath(p), c.Needs)
			}
		}
	}
}

func TestWinLookupIgnoresCaseAndLinks(t *testing.T) {
	fsys := cleanWindowsGuest(t)
	p, _, err := winLookup(fsys, "/windows/PANTHER/Unattend.XML")
	if err != nil || p != "Windows/Panther/unattend.xml" {
		t.Fatalf("got %q, %v", p, err)
	}
	// "All Users" is a junction to ProgramData: nothing is found through it
	if _, _, err := winLookup(fsys, "/Users/All Users/ssh/sshd_config"); !isMissing(err) {
		t.Fatalf("looked through a junction: %v", err)
	}
	profiles, err := winProfiles(fsys)
	if err != nil || strings.Join(profiles, ",") != "Users/Administrator,Users/Default,Users/Public,Windows/System32/config/systemprofile,Windows/ServiceProfiles/NetworkService" {
		t.Fatalf("profiles %v, %v", profiles, err)
	}
	delete(fsys, "Users/Administrator/NTUSER.DAT")
	for name := range fsys {
		if strings.HasPrefix(name, "Users/") {
			delete(fsys, name)
		}
	}
	if _, err := winProfiles(fsys); err == nil {
		t.Fatal("no Users directory must be an error")
	}
}
