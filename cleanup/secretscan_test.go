package cleanup

import (
	"bytes"
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/internal/bytepairs"
)

// scanSecretsReference is the straightforward scan ScanSecrets must agree with: every
// rule's regexp over all of the data when one of its keywords is there.
func scanSecretsReference(data []byte) []SecretMatch {
	lower := bytes.ToLower(data)
	has := func(d []byte, lits []string) bool {
		for _, l := range lits {
			if bytes.Contains(d, []byte(l)) {
				return true
			}
		}
		return false
	}
	hasKeyword := func(lits []string) bool { // lower case: any case; with capitals: as written
		for _, l := range lits {
			if foldsCase(l) && bytes.Contains(lower, []byte(l)) || bytes.Contains(data, []byte(l)) {
				return true
			}
		}
		return false
	}
	lines := lineStarts(data)
	var out []SecretMatch
	for _, rule := range secretRules {
		if len(rule.Context) > 0 && !has(data, rule.Context) || !hasKeyword(rule.Keywords) {
			continue
		}
		for _, m := range rule.Pattern.FindAllSubmatchIndex(data, -1) {
			start, end := m[0], m[1]
			for g := 2; g+1 < len(m); g += 2 {
				if m[g] >= 0 {
					start, end = m[g], m[g+1]
					break
				}
			}
			secret := data[start:end]
			if allowedSecret(secret) || (rule.Ignore != nil && rule.Ignore(secret)) {
				continue
			}
			out = append(out, SecretMatch{Rule: rule.ID, Description: rule.Description,
				Line: sort.SearchInts(lines, start+1), Preview: redact(secret)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Line < out[j].Line })
	return out
}

// TestScanSecretsAgreesWithReference compares the windowed scan with the reference on
// random mixes of secrets, keywords in every case, noise, long lines and no newlines.
func TestScanSecretsAgreesWithReference(t *testing.T) {
	rnd := rand.New(rand.NewSource(7))
	pieces := []string{
		"AKIA2OGYBAH6QRESIDUX", "asia2ogybah6qresidux", "ASIA2OGYBAH6QRESIDU", "xAKIA2OGYBAH6QRESIDUXx",
		"aws_secret_access_key = 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", `"SecretAccessKey": "Qm9ndXNTZWNyZXRLZXlGb3JUZXN0aW5nT25seTEy"`,
		"AWS_SESSION_TOKEN=" + strings.Repeat("Ab9+", 40), "LTAI5tResidueKey0001", "access_key_secret: ResidueSecretResidueSecret0123",
		"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----",
		"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,ABC\n\nMIIEowIBAAKCAQEAbenchbenchbench",
		"PuTTY-User-Key-File-3: ssh-ed25519", "https://ci:Residue-Git-Pass1@git.example.com", "postgres://app:pw@db:5432/x",
		`{"auths":{"r":{"auth":"Y2k6UmVzaWR1ZS1SZWdpc3RyeS1QYXNzMQ=="}}}`, "ghp_" + strings.Repeat("a1B2", 9),
		"xoxb-123456789012-abcdefghij", "#cloud-config\nchpasswd:\n  list: |\n    root:Residue-Cloud-Pass1\n",
		"#Cloud-Config\npassword: hunter2hunter", "users:\n  - plain_text_passwd: s3cr3tpass\n", "echo 'root:pw123' | chpasswd",
		"DB_PASSWORD=Residue-Db-Pass1", "private key", "PRIVATE KEY", "://", "passw", "secret", "token",
		"\n", "\n", " ", "\t", "_", "-", "=", ":", "word", "AKIAIOSFODNN7EXAMPLE", strings.Repeat("x", 5000),
	}
	for i := 0; i < 1500; i++ {
		var b strings.Builder
		for n := rnd.Intn(40); n > 0; n-- {
			p := pieces[rnd.Intn(len(pieces))]
			if rnd.Intn(4) == 0 {
				p = strings.ToUpper(p)
			}
			b.WriteString(p)
			if rnd.Intn(3) == 0 {
				b.WriteString(fmt.Sprint(rnd.Intn(1000)))
			}
		}
		data := []byte(b.String())
		got, want := ScanSecrets(data), scanSecretsReference(data)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("input %q:\ngot  %+v\nwant %+v", data, got, want)
		}
	}
}

func BenchmarkScanSecrets(b *testing.B) {
	rnd := rand.New(rand.NewSource(1))
	// text with a keyword (a URL, a token name) every few hundred words, as configs have
	words := strings.Fields("the server config value path user data file host port enable return import")
	rare := strings.Fields("session_token https://example.org/ password private")
	var sb strings.Builder
	for sb.Len() < 1<<20 {
		if rnd.Intn(300) == 0 {
			sb.WriteString(rare[rnd.Intn(len(rare))])
		} else {
			sb.WriteString(words[rnd.Intn(len(words))])
		}
		if rnd.Intn(10) == 0 {
			sb.WriteByte('\n')
		} else {
			sb.WriteByte(' ')
		}
	}
	data := []byte(sb.String())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		ScanSecrets(data)
	}
}

// TestKeywordFindMatchesNaive checks the pivot search against a plain search for every
// literal: every occurrence, in every case where the literal folds, at the data's edges.
func TestKeywordFindMatchesNaive(t *testing.T) {
	rnd := rand.New(rand.NewSource(3))
	noise := []string{"k", "K", "x", "I", "_", "\"", ":", "w", "#", " ", "\n", "a", "pass", "key", "to"}
	for round := 0; round < 500; round++ {
		var b strings.Builder
		for n := rnd.Intn(30); n > 0; n-- {
			if rnd.Intn(2) == 0 {
				b.WriteString(noise[rnd.Intn(len(noise))])
				continue
			}
			lit := []byte(keywords.lits[rnd.Intn(len(keywords.lits))])
			for i := range lit { // random case: only folding literals may still match
				if rnd.Intn(2) == 0 {
					lit[i] = bytes.ToUpper(lit[i : i+1])[0]
				}
			}
			b.Write(lit)
		}
		data := []byte(b.String())
		got := keywords.find(data)
		for l, lit := range keywords.lits {
			var want []int
			for p := 0; p+len(lit) <= len(data); p++ {
				s := string(data[p : p+len(lit)])
				if s == lit || keywordFolds(l) && strings.ToLower(s) == lit {
					want = append(want, p)
				}
			}
			sort.Ints(got[l])
			if !reflect.DeepEqual(got[l], want) {
				t.Fatalf("literal %q in %q: got %v, want %v", lit, data, got[l], want)
			}
		}
	}
}

// keywordFolds tells whether literal l of the keyword set matches in any case.
func keywordFolds(l int) bool {
	for _, g := range keywords.pivots {
		for _, c := range g.cands {
			if c.lit == l {
				return bytes.ContainsAny(c.fold, "\x20") || !bytes.ContainsAny(c.text, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
			}
		}
	}
	return false
}

// The keywords' pivots fit the pair search, and it finds every occurrence of every
// literal that the per-pivot passes find: on text dense with literals in either case,
// pivots before other bytes, and literals cut by the end of the data.
func TestKeywordSearchesAgree(t *testing.T) {
	if !keywords.pairsOK {
		t.Fatalf("%d pivot groups do not fit the pair search's classes", len(keywords.pivots))
	}
	if !bytepairs.Available {
		t.Skip("no AVX2 here: only the per-pivot passes run")
	}
	rnd := rand.New(rand.NewSource(11))
	var pieces []string
	for _, l := range keywords.lits {
		pieces = append(pieces, l, strings.ToUpper(l), l[:len(l)/2])
	}
	pieces = append(pieces, keywords.exact...)
	pieces = append(pieces, "x", "K", "#", "_", "\"", ":", "w", "I", " ", "\n", "k=", "xyz", "__", "::")
	sorted := func(hits [][]int) [][]int {
		for _, h := range hits {
			sort.Ints(h)
		}
		return hits
	}
	for i := 0; i < 2000; i++ {
		var b strings.Builder
		for n := rnd.Intn(60); n > 0; n-- {
			b.WriteString(pieces[rnd.Intn(len(pieces))])
		}
		data := []byte(b.String())
		pairs := sorted(keywords.find(data))
		bytepairs.Available = false
		perPivot := sorted(keywords.find(data))
		bytepairs.Available = true
		if !reflect.DeepEqual(pairs, perPivot) {
			t.Fatalf("%q:\npairs     %v\nper pivot %v", data, pairs, perPivot)
		}
	}
}
