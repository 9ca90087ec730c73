package cleanup

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/crypto/ssh"
)

// Keys are parsed, not grepped, and named by type, comment and SHA256 fingerprint: the
// key bytes never reach a finding.

// keyName describes a public key for a message.
func keyName(pub ssh.PublicKey, comment string) string {
	s := pub.Type() + " key " + ssh.FingerprintSHA256(pub)
	if comment = strings.TrimSpace(comment); comment != "" {
		s += fmt.Sprintf(" %q", printable(comment, 80))
	}
	return s
}

// privateKeyMarker matches the armour of PEM, OpenSSH and PGP private keys and the
// header of PuTTY key files.
var privateKeyMarker = regexp.MustCompile(`-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|PuTTY-User-Key-File-\d+:`)

// looksLikePrivateKey tells whether data carries a private key marker. The literal
// prefilter keeps the regexp off most files.
func looksLikePrivateKey(data []byte) bool {
	if !bytes.Contains(data, []byte("PRIVATE KEY")) && !bytes.Contains(data, []byte("PuTTY-User-Key-File-")) {
		return false
	}
	return privateKeyMarker.Match(data)
}

// describePrivateKey tells whether data is a private key and names it: by type and the
// fingerprint of its public key when it parses (an encrypted OpenSSH key still shows its
// public key), as "unparseable private key file" when it only looks like one.
func describePrivateKey(data []byte) (string, bool) {
	raw, err := ssh.ParseRawPrivateKey(data)
	if err == nil {
		signer, err := ssh.NewSignerFromKey(raw)
		if err != nil {
			return fmt.Sprintf("private key of an unsupported type (%T)", raw), true
		}
		return "private " + keyName(signer.PublicKey(), ""), true
	}
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		if missing.PublicKey != nil {
			return "passphrase-protected private " + keyName(missing.PublicKey, ""), true
		}
		return "passphrase-protected private key", true
	}
	if looksLikePrivateKey(data) {
		return "unparseable private key file", true
	}
	return "", false
}

// authorizedKey is one key line of an authorized_keys file.
type authorizedKey struct {
	Line    int
	Key     ssh.PublicKey
	Comment string
}

// parseAuthorizedKeys parses an authorized_keys file (options such as from="..." or
// command="..." allowed). It returns the keys and the numbers of the lines that are
// neither a key, a comment nor blank.
func parseAuthorizedKeys(data []byte) (keys []authorizedKey, bad []int) {
	for i, raw := range bytes.Split(data, []byte("\n")) {
		line := bytes.TrimSpace(raw)
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		pub, comment, _, _, err := ssh.ParseAuthorizedKey(line)
		if err != nil {
			bad = append(bad, i+1)
			continue
		}
		keys = append(keys, authorizedKey{Line: i + 1, Key: pub, Comment: comment})
	}
	return keys, bad
}
