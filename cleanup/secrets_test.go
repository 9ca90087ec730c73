package cleanup

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

func TestScanSecretsFindsEachRule(t *testing.T) {
	awsID, awsSecret := fakeAWSKeyID(t), fakeAWSSecret(t)
	sshKey, _, _ := newKey(t, "k")
	rsaKey, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	rsaPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}))
	pgp := "-----BEGIN PGP PRIVATE KEY BLOCK-----\nComment: test\n\n" + randomString(t, base64Chars, 64) + "\n-----END PGP PRIVATE KEY BLOCK-----\n"
	password := randomString(t, alnum, 14)
	token := randomString(t, alnum, 36)
	docker := base64.StdEncoding.EncodeToString([]byte("user:" + password))
	for _, tc := range []struct {
		rule, data string
		secret     string
	}{
		{"aws-access-key-id", "export AWS_ACCESS_KEY_ID=" + awsID + "\n", awsID},
		{"aws-secret-access-key", "aws_secret_access_key = " + awsSecret + "\n", awsSecret},
		{"aws-secret-access-key", `{"SecretAccessKey": "` + awsSecret + `"}`, awsSecret},
		{"aws-session-token", "AWS_SESSION_TOKEN=" + randomString(t, base64Chars, 120) + "\n", ""},
		{"alibaba-access-key-id", "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAI" + token[:20] + "\n", token[:20]},
		{"alibaba-access-key-secret", `"access_key_secret": "` + token[:30] + `"`, token[:30]},
		{"private-key-pem", string(sshKey), string(sshKey[40:80])},
		{"private-key-pem", "key:\n" + rsaPEM, rsaPEM[40:80]},
		{"private-key-pem", pgp, ""},
		{"git-credential-url", "https://deploy:" + password + "@git.example.org\n", password},
		{"git-credential-url", "DATABASE_URL=postgres://app:" + password + "@db:5432/app\n", password},
		{"docker-auth", `{"auths":{"registry.example.org":{"auth":"` + docker + `"}}}`, docker},
		{"github-token", "GITHUB_TOKEN=ghp_" + token + "\n", token},
		{"github-token", "token github_pat_" + randomString(t, alnum+"_", 82) + "\n", ""},
		{"slack-token", "SLACK=xoxb-" + randomString(t, "0123456789", 12) + "-" + token + "\n", token},
		{"cloud-init-password", "#cloud-config\nusers:\n  - name: admin\n    plain_text_passwd: " + password + "\n", password},
		{"cloud-init-password", "#cloud-config\nruncmd:\n  - echo DB_PASSWORD=" + password + " >> /etc/app.env\n", password},
		{"cloud-init-chpasswd", "#cloud-config\nchpasswd:\n  list: |\n    root:" + password + "\n    ubuntu:RANDOM\n", password},
		{"cloud-init-chpasswd", "#!/bin/sh\necho 'root:" + password + "' | chpasswd\n", password},
	} {
		matches := ScanSecrets([]byte(tc.data))
		if !slices.ContainsFunc(matches, func(m SecretMatch) bool { return m.Rule == tc.rule }) {
			t.Errorf("%s not found in %.60q: %+v", tc.rule, tc.data, matches)
		}
		for _, m := range matches {
			if tc.secret != "" && strings.Contains(m.Preview, tc.secret) || strings.Contains(m.Preview, "\n") {
				t.Errorf("%s: preview %q leaks", tc.rule, m.Preview)
			}
		}
	}
}

func TestScanSecretsIgnoresExamplesPublicKeysAndPlaceholders(t *testing.T) {
	cert, pub := newCertificate(t)
	_, sshPub, _ := newKey(t, "me@host")
	for _, data := range []string{
		"AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\nAWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
		"[default]\naws_access_key_id = AKIAI44QH8DHBEXAMPLE\naws_secret_access_key = je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY\n",
		cert, pub, sshPub + "\n", "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ user@host\n",
		"#!/bin/sh\ngrep -q -- '-----BEGIN RSA PRIVATE KEY-----' \"$1\" && echo key\n",
		"git clone https://github.com/goldenimage/packer-plugin-sanitize\ngit clone https://${GIT_USER}:${GIT_TOKEN}@github.com/x/y\n",
		"#cloud-config\nssh_pwauth: false\nchpasswd:\n  expire: false\n  list: |\n    ubuntu:RANDOM\nusers:\n  - name: ops\n    lock_passwd: true\n    passwd: $PASSWORD_HASH\n",
		"password: hunter2 # a YAML file that is not cloud-init user-data\n",
		"slack xox is a prefix; ghp_short\n",
	} {
		if m := ScanSecrets([]byte(data)); len(m) > 0 {
			t.Errorf("false positive in %.50q: %+v", data, m)
		}
	}
}

func TestScanSecretsLineNumbersAndRedaction(t *testing.T) {
	id := fakeAWSKeyID(t)
	m := ScanSecrets([]byte("a\nb\n\nkey=" + id + "\n"))
	if len(m) != 1 || m[0].Line != 4 || m[0].Preview != "AKIA…(20 chars)" {
		t.Fatalf("got %+v", m)
	}
	if got := redact([]byte("hunter2")); got != "…(7 chars)" {
		t.Errorf("a short secret shows nothing of itself, got %q", got)
	}
}

func TestSecretsCheckReadsUserDataThroughTheInstanceLink(t *testing.T) {
	password := randomString(t, alnum, 12)
	big := strings.Repeat("x", maxScannedFileSize) + "\nAWS_ACCESS_KEY_ID=" + fakeAWSKeyID(t) + "\n"
	fsys := with(cleanGuest(t), map[string]*fstest.MapFile{
		"var/lib/cloud/instance":                       link("/var/lib/cloud/instances/i-0abc"),
		"var/lib/cloud/instances/i-0abc/user-data.txt": file("#cloud-config\npassword: " + password + "\nchpasswd: { expire: False }\n"),
		"root/big.log":                                 file(big), // above the size a tree walk reads
	})
	found, err := runCheck(t, "secrets", &Target{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0].Path != "/var/lib/cloud/instance/user-data.txt" ||
		!strings.Contains(found[0].Message, "line 2: password in cloud-init user-data (cloud-init-password)") {
		t.Fatalf("want one user-data finding, got:\n%s", messages(found))
	}
	assertNoLeak(t, found, password)
}

func TestSecretRulesAreWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range secretRules {
		if r.ID == "" || r.Description == "" || r.Pattern == nil || len(r.Keywords) == 0 || seen[r.ID] {
			t.Errorf("rule %q is incomplete or repeated", r.ID)
		}
		seen[r.ID] = true
		for _, k := range r.Keywords {
			// a keyword with capitals matches only as written: the rule's pattern must
			// then be case-sensitive, or other spellings would go unscanned
			if !foldsCase(k) && (strings.Contains(r.Pattern.String(), "(?i") || k != strings.ToUpper(k)) {
				t.Errorf("rule %s: keyword %q must be lower case, or upper case with a case-sensitive pattern", r.ID, k)
			}
		}
	}
}
