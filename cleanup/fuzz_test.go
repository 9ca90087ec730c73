package cleanup

import (
	"bytes"
	"testing"
	"testing/fstest"
)

// Fuzz targets for the parsers of guest bytes: none may panic, and a secret's preview
// never shows more than 4 of its characters.

func FuzzScanSecrets(f *testing.F) {
	f.Add([]byte("AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP\n"))
	f.Add([]byte("#cloud-config\nchpasswd:\n  list: |\n    root:pw\n"))
	f.Add([]byte("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n")) + 1
		for _, m := range ScanSecrets(data) {
			if m.Line < 1 || m.Line > lines {
				t.Fatalf("line %d of %d", m.Line, lines)
			}
			if len([]rune(m.Preview)) > 4+len("…(9999999 chars)") {
				t.Fatalf("preview too long: %q", m.Preview)
			}
		}
	})
}

func FuzzSSHDConfig(f *testing.F) {
	f.Add("Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\n", "Match User x\nPermitRootLogin yes\n")
	f.Add(`AuthorizedKeysFile "a b" %h/%u`, "Include /etc/ssh/sshd_config")
	f.Fuzz(func(t *testing.T, main, included string) {
		fsys := fstest.MapFS{
			"etc/passwd":                   file(cleanPasswd),
			"etc/ssh/sshd_config":          file(main),
			"etc/ssh/sshd_config.d/a.conf": file(included),
		}
		_, _ = ParseSSHDConfig(fsys)
		_, _ = runSSHDConfig(&Target{FS: fsys})
		_, _ = runAuthorizedKeys(&Target{FS: fsys})
	})
}

func FuzzAccountFiles(f *testing.F) {
	f.Add([]byte(cleanPasswd), []byte("root:$6$x$y:1::::::\n"))
	f.Fuzz(func(t *testing.T, passwd, shadow []byte) {
		parsePasswd(passwd)
		parseAuthorizedKeys(shadow)
		fsys := fstest.MapFS{"etc/passwd": {Data: passwd}, "etc/shadow": {Data: shadow}, "root/.netrc": {Data: shadow},
			"root/.docker/config.json": {Data: shadow}, "root/.aws/credentials": {Data: shadow}}
		_, _ = runPasswordHashes(&Target{FS: fsys})
		_, _ = runCloudCredentials(&Target{FS: fsys})
	})
}
