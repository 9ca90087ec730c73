package cleanup

import (
	"errors"
	"io/fs"
	"path"
)

// maxScannedFileSize is the largest file the secrets check reads while walking a tree
// such as /root: credentials live in small files, and reading every big one costs more
// than it finds.
const maxScannedFileSize = 1 << 20

var (
	secretFiles = []string{"/etc/environment", "/etc/profile", "/var/lib/cloud/instance/user-data.txt",
		"/var/lib/cloud/instances/*/user-data.txt"}
	secretTrees     = []string{"/etc/profile.d", "/etc/default", "/root"}
	secretHomeFiles = []string{".bashrc", ".profile", ".bash_profile", ".zshrc", ".env"}
)

var checkSecrets = Check{
	ID:       "secrets",
	OS:       Linux,
	Severity: Critical,
	Summary:  "No secret (cloud access keys, private keys, tokens, URL or user-data passwords) in shell profiles, /etc/environment, /etc/default, /root or cloud-init user-data",
	Needs: append(append([]string{"/etc/passwd", "/etc/profile.d/", "/etc/default/", "/root/"},
		secretFiles...), homeNeeds(secretHomeFiles)...),
	Run: runSecrets,
}

func runSecrets(t *Target) ([]Finding, error) {
	r := newReport("secrets", Critical)
	accounts, err := loadAccounts(t)
	if err != nil {
		return nil, err
	}
	scanned := map[string]bool{} // resolved paths: /root is also root's home
	scan := func(p string) {
		resolved, info, err := statInFS(t.FS, p)
		if err != nil || !info.Mode().IsRegular() || scanned[resolved] {
			r.fail(err)
			return
		}
		scanned[resolved] = true
		data, err := readResolved(t.FS, resolved, maxConfigSize)
		r.fail(err) // a truncated file is not verified, but its start is still scanned
		if err == nil || errors.Is(err, errTooLarge) {
			addSecretMatches(r, p, data)
		}
	}
	for _, pattern := range secretFiles {
		names, err := globInFS(t.FS, pattern)
		r.fail(err)
		for _, p := range names {
			scan(p)
		}
	}
	for _, h := range homes(accounts) {
		for _, name := range secretHomeFiles {
			scan(path.Join(h.Path, name))
		}
	}
	for _, tree := range secretTrees {
		r.fail(walkInFS(t.FS, tree, func(p string, d fs.DirEntry) error {
			if !d.Type().IsRegular() || scanned[p] {
				return nil
			}
			if info, err := d.Info(); err != nil || info.Size() > maxScannedFileSize {
				r.fail(err)
				return nil
			}
			scan(p)
			return nil
		}))
	}
	return r.result()
}

// addSecretMatches reports what the secret rules find in one file, redacted.
func addSecretMatches(r *report, p string, data []byte) {
	for _, m := range ScanSecrets(data) {
		r.add(p, "line %d: %s (%s): %s", m.Line, m.Description, m.Rule, m.Preview)
	}
}
