package cleanup

import (
	"bytes"
	"regexp"
	"sort"
	"strconv"
)

// SecretRule is one kind of credential the content scan looks for.
type SecretRule struct {
	ID          string
	Description string
	// Keywords are literals; the regexp runs only on data holding one of them, because Go's
	// regexp is slow and a literal scan is not. A keyword in lower case matches in any
	// case; one with capitals matches as written, for a case-sensitive pattern (AKIA...).
	Keywords []string
	// Context, when set, limits the rule to data holding one of these literals, e.g.
	// cloud-init's "#cloud-config": a "password:" key means a secret there, not anywhere.
	Context []string
	// Pattern finds the secret: the first submatch that matched, else the whole match.
	Pattern *regexp.Regexp
	// Ignore tells a placeholder from a secret (beyond the global allowlist).
	Ignore func(secret []byte) bool
}

// secretRules is the one list of secret rules; the content scans of the secrets and
// cloud-credentials checks and the post-processor's scan all use it through ScanSecrets.
var secretRules = []SecretRule{
	{ID: "aws-access-key-id", Description: "AWS access key ID",
		Keywords: []string{"AKIA", "ASIA"},
		Pattern:  regexp.MustCompile(`\b((?:AKIA|ASIA)[A-Z2-7]{16})\b`)},
	{ID: "aws-secret-access-key", Description: "AWS secret access key",
		Keywords: []string{"secret_access_key", "secretaccesskey", "aws_secret_key"},
		Pattern:  regexp.MustCompile(`(?i)(?:secret_access_key|secretaccesskey|aws_secret_key)["']?[ \t]*[:=][ \t]*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)`)},
	{ID: "aws-session-token", Description: "AWS session token",
		Keywords: []string{"session_token", "sessiontoken", "security_token"},
		Pattern:  regexp.MustCompile(`(?i)(?:session_token|sessiontoken|security_token)["']?[ \t]*[:=][ \t]*["']?([A-Za-z0-9/+=]{100,})`)},
	{ID: "alibaba-access-key-id", Description: "Alibaba Cloud AccessKey ID",
		Keywords: []string{"LTAI"},
		Pattern:  regexp.MustCompile(`\b(LTAI[A-Za-z0-9]{12,20})\b`)},
	{ID: "alibaba-access-key-secret", Description: "Alibaba Cloud AccessKey secret",
		Keywords: []string{"access_key_secret", "accesskeysecret", "alicloud_secret_key"},
		Pattern:  regexp.MustCompile(`(?i)(?:access_key_secret|accesskeysecret|alicloud_secret_key)["']?[ \t]*[:=][ \t]*["']?([A-Za-z0-9]{30})\b`)},
	{ID: "private-key-pem", Description: "private key (PEM, OpenSSH, PGP or PuTTY)",
		Keywords: []string{"private key", "putty-user-key-file-"},
		Pattern: regexp.MustCompile(`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[ \t]*\r?\n` +
			`(?:[A-Za-z0-9-]+:[^\n]*\n)*(?:[ \t]*\r?\n)?[ \t]*[A-Za-z0-9+/=]{16,}|PuTTY-User-Key-File-[0-9]+:[ \t]*\S+`)},
	{ID: "git-credential-url", Description: "URL with an embedded password (git credentials, database URLs)",
		Keywords: []string{"://"},
		Pattern:  regexp.MustCompile(`\b[a-zA-Z][a-zA-Z0-9+.-]{1,15}://[^\s:@/"'<>]{1,256}:([^\s@/"'<>]{1,256})@[A-Za-z0-9.-]+`),
		Ignore:   isPlaceholderPassword},
	{ID: "docker-auth", Description: "Docker registry credential",
		Keywords: []string{`"auth"`, `"identitytoken"`, `"registrytoken"`},
		Pattern:  regexp.MustCompile(`"(?:auth|identitytoken|registrytoken)"[ \t]*:[ \t]*"([A-Za-z0-9+/=._-]{8,})"`)},
	{ID: "github-token", Description: "GitHub token",
		Keywords: []string{"ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"},
		Pattern:  regexp.MustCompile(`\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{50,})\b`)},
	{ID: "slack-token", Description: "Slack token",
		Keywords: []string{"xox"},
		Pattern:  regexp.MustCompile(`\b(xox[baprs]-[A-Za-z0-9-]{10,})`)},
	{ID: "cloud-init-password", Description: "password in cloud-init user-data",
		Keywords: []string{"passw"},
		Context:  []string{"#cloud-config", "chpasswd"},
		Pattern: regexp.MustCompile(`(?im)(?:^[ \t]*(?:-[ \t]*)?(?:password|passwd|plain_text_passwd|hashed_passwd)[ \t]*:` +
			`|(?:password|passwd)[ \t]*=)[ \t]*["']?([^\s"'#$][^\s"';&|]*)`),
		Ignore: isPlaceholderPassword},
	{ID: "cloud-init-chpasswd", Description: "password in a cloud-init chpasswd list or command",
		Keywords: []string{"chpasswd"},
		Pattern: regexp.MustCompile(`(?m)^[ \t]*list:[ \t]*\|?[ \t]*\r?\n[ \t]+(?:-[ \t]*)?["']?([^\s:"'#]+:[^\s"']+)` +
			`|\b([a-z_][a-z0-9_.-]*:[^\s:'"|]+)['"]?[ \t]*\|[ \t]*(?:sudo[ \t]+)?chpasswd`),
		Ignore: func(s []byte) bool {
			_, pw, _ := bytes.Cut(s, []byte(":"))
			return isPlaceholderPassword(pw)
		}},
}

// allowedSecret is the allowlist of documented example values, such as AWS's
// AKIAIOSFODNN7EXAMPLE and wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY.
func allowedSecret(s []byte) bool {
	return bytes.Contains(s, []byte("EXAMPLE"))
}

// isPlaceholderPassword tells template variables and cloud-init's RANDOM from passwords.
func isPlaceholderPassword(s []byte) bool {
	switch string(bytes.ToLower(s)) {
	case "", "r", "random", "true", "false", "null", "none", "~":
		return true
	}
	return bytes.HasPrefix(s, []byte("$")) || bytes.HasPrefix(s, []byte("{{")) || bytes.HasPrefix(s, []byte("<"))
}

// SecretMatch is one secret found by ScanSecrets. It never holds the secret itself.
type SecretMatch struct {
	Rule        string `json:"rule"`
	Description string `json:"description"`
	Line        int    `json:"line"`
	// Preview is redacted: at most the first 4 characters and the length.
	Preview string `json:"preview"`
}

// ScanSecrets runs every secret rule over data and returns the matches in line order.
func ScanSecrets(data []byte) []SecretMatch {
	hits := keywords.find(data)
	var lines []int // offsets of line starts, built on the first match
	var out []SecretMatch
	for ri, rule := range secretRules {
		if len(rule.Context) > 0 && !keywords.present(data, hits, keywords.ctxRule[ri], true) {
			continue
		}
		if !keywords.present(data, hits, keywords.ofRule[ri], false) {
			continue
		}
		for _, w := range keywords.ruleWindows(data, hits, ri) {
			for _, m := range rule.Pattern.FindAllSubmatchIndex(data[w.start:w.end], -1) {
				start, end := m[0], m[1]
				for g := 2; g+1 < len(m); g += 2 {
					if m[g] >= 0 {
						start, end = m[g], m[g+1]
						break
					}
				}
				start, end = start+w.start, end+w.start
				secret := data[start:end]
				if allowedSecret(secret) || (rule.Ignore != nil && rule.Ignore(secret)) {
					continue
				}
				if lines == nil {
					lines = lineStarts(data)
				}
				out = append(out, SecretMatch{
					Rule:        rule.ID,
					Description: rule.Description,
					Line:        sort.SearchInts(lines, start+1),
					Preview:     redact(secret),
				})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

func lineStarts(data []byte) []int {
	starts := []int{0}
	for i, b := range data {
		if b == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// redact shows at most the first 4 characters of a secret, and only of a long one (an
// AWS key ID's "AKIA" says what it is; 4 characters of a short password say too much).
func redact(secret []byte) string {
	r := []rune(string(secret))
	if len(r) < 16 {
		return "…(" + strconv.Itoa(len(r)) + " chars)"
	}
	return printable(string(r[:4]), 4) + "…(" + strconv.Itoa(len(r)) + " chars)"
}
