package deepscan

import (
	"bytes"
	"regexp"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// rule finds one kind of secret in raw bytes. The scan finds its anchors through a rare
// byte of each (chunk.go); the regexp runs only on the few hundred bytes around an anchor,
// because a regexp over every byte of a disk could never keep up with it.
type rule struct {
	id, desc string
	sev      cleanup.Severity
	anchors  []string
	// before and after bound the context the pattern needs around an anchor (at most
	// contextBytes each).
	before, after int
	// pattern finds the secret: the first submatch that matched, else the whole match. A
	// match counts only if it covers the anchor, so that one secret found from two
	// anchors (a PEM's BEGIN and END lines) is reported once.
	pattern *regexp.Regexp
	// ignore tells placeholders and documented examples from secrets.
	ignore func(secret []byte) bool
	// companion, when set, must match near the secret: an AWS key ID is a credential only
	// with its secret access key next to it.
	companion *regexp.Regexp
}

// contextBytes is the overlap between buffers: the most context a rule may read on each
// side of an anchor, so a secret across a buffer boundary is still seen whole.
const contextBytes = 4096

// fromCleanup takes the content scan's pattern, so both scans agree on what a secret is.
func fromCleanup(id string) *regexp.Regexp {
	r, ok := cleanup.LookupSecretRule(id)
	if !ok {
		panic("deepscan: no cleanup secret rule " + id)
	}
	return r.Pattern
}

// awsSecret is a 40-character secret access key: base64 characters, mixed case.
var awsSecret = regexp.MustCompile(`(?:^|[^A-Za-z0-9/+=])([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)`)

// shadowEntry is a usable password hash in /etc/shadow form: `name:$id$...:` where the
// hash scheme is one crypt(3) verifies (a locked "!$6$..." does not match).
var shadowEntry = regexp.MustCompile(`(?:^|[\x00\n])[a-z_][a-z0-9_.-]{0,31}\$?:` +
	`(\$(?:1|2[abxy]|5|6|7|y|gy|sha1|md5)\$[./A-Za-z0-9$=,]{8,}):[0-9]*:`)

// rules is kept short on purpose: each pivot byte (pivotBytes) costs a pass over every
// chunk, and each occurrence of it a comparison per anchor it pivots. The
// content scan's keyword rules (ACCESS_KEY_SECRET, SecretAccessKey, ...) stay with the
// content scan; on raw blocks an AWS secret is found next to its key ID.
var rules = []*rule{
	{id: "private-key", desc: "private key (PEM, OpenSSH, PGP or PuTTY)", sev: cleanup.High,
		anchors: []string{"PRIVATE KEY", "PuTTY-User-Key-File-"}, before: 64, after: 1024,
		pattern: fromCleanup("private-key-pem")},
	{id: "aws-access-key", desc: "AWS access key ID with its secret access key", sev: cleanup.Critical,
		anchors: []string{"AKIA", "ASIA"}, before: 1, after: 20,
		pattern: fromCleanup("aws-access-key-id"), ignore: cleanup.IsAllowedSecret,
		companion: awsSecret},
	{id: "aws-secret-access-key", desc: "AWS secret access key", sev: cleanup.Critical,
		anchors: []string{"secret_access_key"}, before: 8, after: 80,
		pattern: fromCleanup("aws-secret-access-key"), ignore: cleanup.IsAllowedSecret},
	{id: "alibaba-access-key-id", desc: "Alibaba Cloud AccessKey ID", sev: cleanup.Critical,
		anchors: []string{"LTAI"}, before: 1, after: 24,
		pattern: fromCleanup("alibaba-access-key-id"), ignore: cleanup.IsAllowedSecret},
	{id: "password-hash", desc: "usable password hash (shadow entry)", sev: cleanup.High,
		anchors: []string{":$"}, before: 34, after: 256, pattern: shadowEntry},
}

// plausibleAWSSecret rejects 40-character runs that are not random keys (all one case,
// path names, runs of one letter): a real secret mixes upper, lower case and digits.
func plausibleAWSSecret(s []byte) bool {
	var upper, lower, digit bool
	for _, c := range s {
		switch {
		case c >= 'A' && c <= 'Z':
			upper = true
		case c >= 'a' && c <= 'z':
			lower = true
		case c >= '0' && c <= '9':
			digit = true
		}
	}
	return upper && lower && digit && !bytes.Contains(s, []byte("EXAMPLE"))
}

// quickReject is the cheap test run before a rule's regexp: most anchors in a disk are
// not secrets (":$" in scripts, "AKIA" in binaries).
func quickReject(r *rule, data []byte, p int) bool {
	switch r.id {
	case "password-hash":
		rest := data[p+2:]
		for _, id := range []string{"6$", "y$", "5$", "1$", "2b$", "2y$", "2a$", "2x$", "7$", "gy$", "sha1$", "md5$"} {
			if bytes.HasPrefix(rest, []byte(id)) {
				return false
			}
		}
		return true
	case "aws-access-key", "alibaba-access-key-id":
		return p+20 > len(data) || !isAlnum(data[p+4])
	}
	return false
}

func isAlnum(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
}
