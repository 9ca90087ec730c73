package cleanup

import (
	"errors"
	"io/fs"
	"path"
	"strings"
)

var checkPrivateKeys = Check{
	ID:       "private-keys",
	OS:       Linux,
	Severity: High,
	Summary:  "No private key in any account's ~/.ssh (id_rsa, id_ed25519 or any other name) or /root/.ssh",
	Needs:    []string{"/etc/passwd", "~/.ssh/", "/root/.ssh/"},
	Run:      runPrivateKeys,
}

func runPrivateKeys(t *Target) ([]Finding, error) {
	r := newReport("private-keys", High)
	accounts, err := loadAccounts(t)
	if err != nil {
		return nil, err
	}
	dirs := []string{"/root/.ssh"}
	for _, h := range homes(accounts) {
		dirs = append(dirs, path.Join(h.Path, ".ssh"))
	}
	seen := map[string]bool{} // resolved files: homes may share or link to a directory
	for _, dir := range dirs {
		r.fail(walkInFS(t.FS, dir, func(p string, d fs.DirEntry) error {
			if !d.Type().IsRegular() || strings.HasSuffix(d.Name(), ".pub") || seen[p] {
				return nil
			}
			seen[p] = true
			data, err := readResolved(t.FS, p, maxKeyFileSize)
			if err != nil && !errors.Is(err, errTooLarge) { // a longer file is judged by its start
				r.fail(err)
				return nil
			}
			if desc, isKey := describePrivateKey(data); isKey {
				r.add(p, "%s", desc)
			}
			return nil
		}))
	}
	return r.result()
}
