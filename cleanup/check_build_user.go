package cleanup

import (
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

var checkBuildUser = Check{
	ID:       "build-user",
	OS:       Linux,
	Severity: Medium,
	Summary:  "The build's login account is gone: not in /etc/passwd, no home directory, no sudoers rule",
	Needs:    []string{"/etc/passwd", "/etc/sudoers.d/", "/home/*"},
	Optional: true,
	Run:      runBuildUser,
}

func runBuildUser(t *Target) ([]Finding, error) {
	user := t.BuildUser
	if user == "" {
		return nil, nil // no build account named: nothing to look for
	}
	if strings.ContainsAny(user, "/:\n") || user == "." || user == ".." {
		return nil, fmt.Errorf("build user %q is not an account name", user)
	}
	r := newReport("build-user", Medium)
	accounts, err := loadAccounts(t)
	if err != nil {
		return nil, err
	}
	home := path.Join("/home", user)
	for _, a := range accounts {
		if a.Name == user {
			r.add("/etc/passwd", "build account %s (uid %d) still exists", printable(user, 64), a.UID)
			home = a.Home
		}
	}
	if home != "/" {
		if _, _, err := lstatInFS(t.FS, home); err == nil {
			r.add(home, "home directory of build account %s is still there", printable(user, 64))
		} else {
			r.fail(err)
		}
	}
	r.fail(walkInFS(t.FS, "/etc/sudoers.d", func(p string, d fs.DirEntry) error {
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := readResolved(t.FS, p, maxConfigSize)
		if err != nil {
			r.fail(err)
			return nil
		}
		for i, line := range bytes.Split(data, []byte("\n")) {
			if f := strings.Fields(string(line)); len(f) > 0 && f[0] == user {
				r.add(p, "line %d grants sudo to build account %s", i+1, printable(user, 64))
			}
		}
		return nil
	}))
	return r.result()
}
