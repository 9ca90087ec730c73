package cleanup

import (
	"bytes"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"
)

// Account is one line of /etc/passwd.
type Account struct {
	Name  string
	UID   int
	Home  string // guest path, "/" when passwd leaves it empty (as login does)
	Shell string
	// Password is passwd's second field: normally "x" (the hash is in /etc/shadow).
	Password string
}

// label names the account in a message; root is called root whatever else is said.
func (a Account) label() string {
	if a.UID == 0 && a.Name == "root" {
		return "root"
	}
	return fmt.Sprintf("account %s (uid %d)", printable(a.Name, 64), a.UID)
}

// parsePasswd reads /etc/passwd lines. Lines that are not seven colon-separated fields
// with a numeric uid, and NIS "+"/"-" lines, are skipped and their numbers returned: an
// account the check cannot read must not hide the others.
func parsePasswd(data []byte) (accounts []Account, bad []int) {
	for i, line := range bytes.Split(data, []byte("\n")) {
		text := strings.TrimRight(string(line), "\r")
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		f := strings.Split(text, ":")
		if len(f) != 7 || f[0] == "" || strings.HasPrefix(f[0], "+") || strings.HasPrefix(f[0], "-") {
			bad = append(bad, i+1)
			continue
		}
		uid, err := strconv.Atoi(f[2])
		if err != nil || uid < 0 {
			bad = append(bad, i+1)
			continue
		}
		home := f[5]
		if home == "" {
			home = "/"
		}
		accounts = append(accounts, Account{Name: f[0], UID: uid, Home: path.Clean("/" + home), Shell: f[6], Password: f[1]})
	}
	return accounts, bad
}

// loadAccounts reads the guest's /etc/passwd. Checks that look under every home cannot
// look at all without it, so a missing, unreadable or unparsable passwd is an error.
func loadAccounts(t *Target) ([]Account, error) {
	data, err := readFileInFS(t.FS, "etc/passwd", maxConfigSize)
	if err != nil {
		if isMissing(err) {
			return nil, errors.New("/etc/passwd is missing: cannot list the accounts whose homes to check")
		}
		return nil, fmt.Errorf("reading /etc/passwd: %w", err)
	}
	accounts, _ := parsePasswd(data)
	if len(accounts) == 0 {
		return nil, errors.New("/etc/passwd holds no account line: cannot list the homes to check")
	}
	return accounts, nil
}

// homeDir is one home directory and the accounts that share it (many system accounts
// share "/" or "/nonexistent").
type homeDir struct {
	Path     string
	Accounts []Account
}

// owner names the home's accounts for a message.
func (h homeDir) owner() string {
	if len(h.Accounts) == 1 {
		return h.Accounts[0].label()
	}
	names := make([]string, 0, len(h.Accounts))
	for _, a := range h.Accounts {
		names = append(names, printable(a.Name, 64))
	}
	return "accounts " + strings.Join(names, ", ")
}

// homes groups the accounts by home directory, in passwd order.
func homes(accounts []Account) []homeDir {
	var out []homeDir
	index := map[string]int{}
	for _, a := range accounts {
		i, ok := index[a.Home]
		if !ok {
			i = len(out)
			index[a.Home] = i
			out = append(out, homeDir{Path: a.Home})
		}
		out[i].Accounts = append(out[i].Accounts, a)
	}
	return out
}

// expandNeeds replaces each "~/" entry of a check's Needs with one entry per home
// directory, as the provisioner does in its fetch script.
func expandNeeds(needs []string, accounts []Account) []string {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	for _, n := range needs {
		rest, ok := strings.CutPrefix(n, "~/")
		if !ok {
			add(n)
			continue
		}
		for _, h := range homes(accounts) {
			p := path.Join(h.Path, rest)
			if strings.HasSuffix(n, "/") {
				p += "/"
			}
			add(p)
		}
	}
	return out
}
