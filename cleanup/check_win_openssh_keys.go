package cleanup

import (
	"errors"
	"io/fs"
	"path"
	"strings"
)

var checkWinOpenSSHKeys = Check{
	ID:       "openssh-keys",
	OS:       Windows,
	Severity: High,
	Summary:  "No OpenSSH key left: administrators_authorized_keys is empty, no host private key (ssh_host_*_key) in ProgramData\\ssh, no private key or authorized_keys in any profile's .ssh",
	Needs:    append([]string{"/ProgramData/ssh/*", "~/.ssh/"}, winProfileNeeds...),
	Run:      runWinOpenSSHKeys,
}

func runWinOpenSSHKeys(t *Target) ([]Finding, error) {
	r := newReport("openssh-keys", High)
	// ProgramData\ssh: administrators_authorized_keys, host keys; logs\ is not looked into
	names, err := winGlob(t.FS, "/ProgramData/ssh/*")
	r.fail(err)
	for _, p := range names {
		name := strings.ToLower(path.Base(p))
		switch {
		case name == "administrators_authorized_keys":
			winAuthorizedKeys(t.FS, r, p, "every administrator")
		case name == "sshd_config" || name == "moduli" || strings.HasSuffix(name, ".pub"):
		default:
			winPrivateKey(t.FS, r, p, strings.HasPrefix(name, "ssh_host_") && strings.HasSuffix(name, "_key"))
		}
	}
	profiles, err := winProfiles(t.FS)
	r.fail(err)
	for _, prof := range profiles {
		r.fail(winWalk(t.FS, path.Join(prof, ".ssh"), func(p string, d fs.DirEntry) error {
			name := strings.ToLower(d.Name())
			switch {
			case !d.Type().IsRegular() || strings.HasSuffix(name, ".pub"):
			case name == "authorized_keys" || name == "authorized_keys2":
				winAuthorizedKeys(t.FS, r, p, winProfileName(prof))
			default:
				winPrivateKey(t.FS, r, p, false)
			}
			return nil
		}))
	}
	return r.result()
}

// winAuthorizedKeys reports every key (and every line that is not one) of an
// authorized_keys file; who says whom the keys let in.
func winAuthorizedKeys(fsys fs.FS, r *report, p, who string) {
	info, err := fs.Lstat(fsys, p)
	if err != nil {
		r.fail(err)
		return
	}
	if !info.Mode().IsRegular() || info.Size() == 0 {
		return
	}
	data, err := readResolved(fsys, p, maxKeyFileSize)
	if err != nil && !errors.Is(err, errTooLarge) {
		r.fail(err)
		return
	}
	keys, bad := parseAuthorizedKeys(data)
	for _, k := range keys {
		r.add(p, "line %d authorizes %s for %s", k.Line, keyName(k.Key, k.Comment), who)
	}
	for _, n := range bad {
		r.add(p, "line %d is not a valid key", n)
	}
}

// winPrivateKey reports a file holding a private key; hostKeyName marks a file sshd loads
// as a host key, reported even when no parser understands it.
func winPrivateKey(fsys fs.FS, r *report, p string, hostKeyName bool) {
	info, err := fs.Lstat(fsys, p)
	if err != nil || !info.Mode().IsRegular() {
		r.fail(err)
		return
	}
	data, err := readResolved(fsys, p, maxKeyFileSize)
	if err != nil && !errors.Is(err, errTooLarge) {
		r.fail(err)
		return
	}
	if desc, isKey := describePrivateKey(data); isKey {
		r.add(p, "%s", desc)
	} else if hostKeyName && len(data) > 0 {
		r.add(p, "unparseable host key file")
	}
}
