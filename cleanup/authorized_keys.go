package cleanup

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// defaultAuthorizedKeysFiles is sshd's default AuthorizedKeysFile; both names are
// always looked at, whatever sshd_config says, since a later config could revive them.
var defaultAuthorizedKeysFiles = []string{".ssh/authorized_keys", ".ssh/authorized_keys2"}

// authorizedKeysFile is one authorized_keys file present in the guest.
type authorizedKeysFile struct {
	Path    string // guest path as sshd opens it
	Symlink string // the link's target when the file is a symlink, else ""
	Keys    []authorizedKey
	Bad     []int // lines that are not keys
}

// loadAuthorizedKeys reads the authorized_keys files of every account in /etc/passwd,
// whatever its home, and of every AuthorizedKeysFile of the sshd config (global and in
// Match blocks). Without /etc/passwd it cannot look and returns an error; otherwise it
// returns what it read with the errors met on the way.
func loadAuthorizedKeys(t *Target) ([]authorizedKeysFile, error) {
	accounts, err := loadAccounts(t)
	if err != nil {
		return nil, err
	}
	var errs []error
	cfg, err := ParseSSHDConfig(t.FS)
	if err != nil {
		errs = append(errs, fmt.Errorf("sshd config: %w", err))
	}
	patterns := append([]string{}, defaultAuthorizedKeysFiles...)
	if s, ok := cfg.Lookup("authorizedkeysfile"); ok {
		patterns = append(patterns, s.Args...)
	}
	for _, m := range cfg.Matches {
		if s, ok := m.Lookup("authorizedkeysfile"); ok {
			patterns = append(patterns, s.Args...)
		}
	}
	var out []authorizedKeysFile
	seen := map[string]bool{}     // guest paths looked at
	readKeys := map[string]bool{} // resolved files already parsed
	for _, a := range accounts {
		for _, pattern := range patterns {
			if strings.EqualFold(pattern, "none") {
				continue
			}
			p := expandAuthorizedKeysFile(pattern, a)
			if seen[p] {
				continue
			}
			seen[p] = true
			f, ok, err := readAuthorizedKeysFile(t.FS, p, readKeys)
			if err != nil {
				errs = append(errs, err)
			}
			if ok {
				out = append(out, f)
			}
		}
	}
	return out, errors.Join(errs...)
}

// expandAuthorizedKeysFile applies sshd's %h, %u, %U and %% tokens; a relative result
// is relative to the home directory, as sshd has it.
func expandAuthorizedKeysFile(pattern string, a Account) string {
	var b strings.Builder
	for i := 0; i < len(pattern); i++ {
		if pattern[i] != '%' || i+1 == len(pattern) {
			b.WriteByte(pattern[i])
			continue
		}
		i++
		switch pattern[i] {
		case 'h':
			b.WriteString(a.Home)
		case 'u':
			b.WriteString(a.Name)
		case 'U':
			b.WriteString(strconv.Itoa(a.UID))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(pattern[i])
		}
	}
	p := b.String()
	if !strings.HasPrefix(p, "/") {
		p = path.Join(a.Home, p)
	}
	return path.Clean(p)
}

// readAuthorizedKeysFile reads one candidate file; ok is false when there is none. A
// symlink is reported as such and its target is read inside the fs.
func readAuthorizedKeysFile(fsys fs.FS, p string, readKeys map[string]bool) (authorizedKeysFile, bool, error) {
	f := authorizedKeysFile{Path: p}
	resolved, info, err := lstatInFS(fsys, p)
	if isMissing(err) {
		return f, false, nil
	}
	if err != nil {
		return f, false, err
	}
	if info.Mode()&fs.ModeSymlink != 0 {
		if f.Symlink, err = fs.ReadLink(fsys, resolved); err != nil {
			return f, true, err
		}
		resolved, info, err = statInFS(fsys, resolved)
		if isMissing(err) {
			return f, true, nil // a dangling link is still a link to report
		}
		if err != nil {
			return f, true, err
		}
	}
	if !info.Mode().IsRegular() || readKeys[resolved] {
		return f, f.Symlink != "", nil
	}
	readKeys[resolved] = true
	data, err := readResolved(fsys, resolved, maxConfigSize)
	f.Keys, f.Bad = parseAuthorizedKeys(data)
	return f, true, err
}
