package cleanup

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
)

var checkPasswordHashes = Check{
	ID:       "password-hashes",
	OS:       Linux,
	Severity: High,
	Summary:  "No usable password hash (and no empty password) in /etc/shadow, /etc/gshadow, their backups or /etc/passwd, except for accounts in keep_passwords",
	Needs:    []string{"/etc/passwd", "/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-"},
	Run:      runPasswordHashes,
}

// passwordFile is a file holding name:password lines. An empty field means "no password"
// in passwd and shadow; in gshadow it only means "members only", which is harmless.
type passwordFile struct {
	path       string
	what       string // "account" or "group"
	emptyLogin bool   // an empty field lets anyone log in without a password
}

var passwordFiles = []passwordFile{
	{"/etc/passwd", "account", true},
	{"/etc/shadow", "account", true},
	{"/etc/shadow-", "account", true},
	{"/etc/gshadow", "group", false},
	{"/etc/gshadow-", "group", false},
}

func runPasswordHashes(t *Target) ([]Finding, error) {
	r := newReport("password-hashes", High)
	for _, pf := range passwordFiles {
		data, err := readFileInFS(t.FS, pf.path, maxConfigSize)
		if err != nil {
			r.fail(fmt.Errorf("%s: %w", pf.path, err))
			continue
		}
		for i, line := range bytes.Split(data, []byte("\n")) {
			name, field, ok := strings.Cut(strings.TrimRight(string(line), "\r"), ":")
			if !ok || name == "" || strings.HasPrefix(name, "+") || strings.HasPrefix(name, "-") {
				continue
			}
			pw, _, _ := strings.Cut(field, ":")
			if pf.path == "/etc/passwd" && pw == "x" {
				continue // the hash is in /etc/shadow
			}
			if slices.Contains(t.KeepPasswords, name) {
				continue
			}
			who := pf.what + " " + printable(name, 64)
			if name == "root" {
				who = "root"
			}
			switch {
			case pw == "" && pf.emptyLogin:
				r.addSeverity(Critical, pf.path, "%s has an empty password: it can log in without one (line %d)", who, i+1)
			case pw == "" || strings.HasPrefix(pw, "!") || strings.HasPrefix(pw, "*"):
				// locked or no group password
			case hashAlgorithm(pw) == "":
				r.add(pf.path, "%s has a password field that is not locked, in no known hash format (line %d)", who, i+1)
			default:
				r.add(pf.path, "%s has a usable %s password hash (line %d)", who, hashAlgorithm(pw), i+1)
			}
		}
	}
	return r.result()
}

// hashAlgorithm names a crypt(3) hash by its prefix ("" when unknown); the hash itself
// is never shown.
func hashAlgorithm(h string) string {
	for _, a := range []struct{ prefix, name string }{
		{"$y$", "yescrypt"}, {"$gy$", "gost-yescrypt"}, {"$7$", "scrypt"},
		{"$6$", "sha512crypt"}, {"$5$", "sha256crypt"}, {"$1$", "md5crypt"},
		{"$2a$", "bcrypt"}, {"$2b$", "bcrypt"}, {"$2y$", "bcrypt"}, {"$2x$", "bcrypt"},
		{"$sha1$", "sha1crypt"}, {"$md5", "SunMD5"}, {"$3$", "NT-hash"},
	} {
		if strings.HasPrefix(h, a.prefix) {
			return a.name
		}
	}
	switch {
	case len(h) == 13 && isCryptSalt(h):
		return "DES crypt"
	case len(h) == 20 && h[0] == '_' && isCryptSalt(h[1:]):
		return "BSDi extended DES"
	}
	return ""
}

func isCryptSalt(s string) bool {
	for _, c := range s {
		if !(c == '.' || c == '/' || c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}
