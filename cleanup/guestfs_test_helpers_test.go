package cleanup

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io/fs"
	"maps"
	"math/big"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/crypto/ssh"
)

// Shared fixtures: a small, clean Linux guest that every check passes, and helpers to
// dirty it. Secrets are generated at run time so that no scanner flags this repository.

const cleanPasswd = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
alice:x:1000:1000:Alice:/home/alice:/bin/bash
app:x:998:998::/srv/app:/bin/sh
svc:x:997:997::/var/lib/svc:/usr/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
`

func file(s string) *fstest.MapFile { return &fstest.MapFile{Data: []byte(s), Mode: 0o644} }
func link(target string) *fstest.MapFile {
	return &fstest.MapFile{Data: []byte(target), Mode: fs.ModeSymlink | 0o777}
}
func dir() *fstest.MapFile { return &fstest.MapFile{Mode: fs.ModeDir | 0o755} }

// cleanGuest passes every check.
func cleanGuest(t *testing.T) fstest.MapFS {
	_, pubLine, _ := newKey(t, "host")
	cert, pubPEM := newCertificate(t)
	return fstest.MapFS{
		"etc/passwd":  file(cleanPasswd),
		"etc/group":   file("root:x:0:\nsudo:x:27:alice\n"),
		"etc/shadow":  file("root:*:19000:0:99999:7:::\ndaemon:*:19000::::::\nalice:!$6$Zm9v$cmVkYWN0ZWQ:19000::::::\napp:!!:19000::::::\nsvc:!*:19000::::::\nnobody:*:19000::::::\n"),
		"etc/gshadow": file("root:*::\nsudo:*::alice\nwheel:::\n"),
		"etc/ssh/sshd_config": file("Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\n" +
			"PermitRootLogin prohibit-password\nKbdInteractiveAuthentication no\nSubsystem sftp /usr/lib/openssh/sftp-server\n"),
		"etc/ssh/sshd_config.d":                     dir(),
		"etc/ssh/moduli":                            file("20190426000000 2 6 100 2047 2 DEADBEEF\n"),
		"etc/ssh/ssh_host_ed25519_key.pub":          file(pubLine + "\n"),
		"etc/ssh/ssh_known_hosts":                   file("example.org " + pubLine + "\n"),
		"etc/machine-id":                            file(""),
		"var/lib/dbus/machine-id":                   link("/etc/machine-id"),
		"etc/environment":                           file("PATH=\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin\"\n"),
		"etc/profile":                               file("if [ \"$PS1\" ]; then PS1='\\u@\\h:\\w\\$ '; fi\n"),
		"etc/profile.d/locale.sh":                   file("export LANG=C.UTF-8\n"),
		"etc/default/grub":                          file("GRUB_CMDLINE_LINUX_DEFAULT=\"quiet\"\n"),
		"etc/ssl/certs/site.pem":                    file(cert),
		"root/.bashrc":                              file("alias ll='ls -l'\nexport AWS_DEFAULT_REGION=eu-west-1\n"),
		"root/.profile":                             file("mesg n || true\n"),
		"root/.ssh/authorized_keys":                 file(""),
		"root/site.crt":                             file(cert),
		"root/site.pub.pem":                         file(pubPEM),
		"root/notes.txt":                            file("example key from the AWS docs: AKIAIOSFODNN7EXAMPLE / wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"),
		"home/alice/.bashrc":                        file("export EDITOR=vi\n"),
		"home/alice/.bash_history":                  link("/dev/null"),
		"home/alice/.ssh/id_ed25519.pub":            file(pubLine + "\n"),
		"home/alice/.ssh/known_hosts":               file("github.com " + pubLine + "\n"),
		"home/alice/.aws/config":                    file("[default]\nregion = eu-west-1\n"),
		"srv/app/.profile":                          file("umask 027\n"),
		"var/lib/svc/.lesshst":                      file(""),
		"tmp/.X11-unix/X0":                          &fstest.MapFile{Mode: fs.ModeSocket | 0o777},
		"tmp/.X0-lock":                              file("       1\n"),
		"tmp/systemd-private-x":                     dir(),
		"var/tmp":                                   dir(),
		"var/log/syslog":                            file(""),
		"var/log/wtmp":                              file(""),
		"var/log/journal":                           dir(),
		"var/lib/cloud/seed/nocloud":                dir(),
		"var/lib/cloud/scripts/per-boot":            dir(),
		"var/lib/apt/lists/deb.debian.org_Packages": file("Package: bash\n"),
		"var/cache/apt/archives/lock":               file(""),
		"var/cache/apt/archives/partial":            dir(),
	}
}

// with returns a copy of base with entries added (nil deletes).
func with(base fstest.MapFS, entries map[string]*fstest.MapFile) fstest.MapFS {
	out := maps.Clone(base)
	for k, v := range entries {
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

func newEd25519(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey, error) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return pub, priv, nil
}

// newKey makes an ed25519 key: OpenSSH private key PEM, authorized_keys line, fingerprint.
func newKey(t *testing.T, comment string) ([]byte, string, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, comment)
	if err != nil {
		t.Fatal(err)
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sshPub))) + " " + comment
	return pem.EncodeToMemory(block), line, ssh.FingerprintSHA256(sshPub)
}

// randomString draws n characters from alphabet.
func randomString(t *testing.T, alphabet string, n int) string {
	t.Helper()
	var b strings.Builder
	for range n {
		i, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			t.Fatal(err)
		}
		b.WriteByte(alphabet[i.Int64()])
	}
	return b.String()
}

const (
	base32Upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	alnum       = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	base64Chars = alnum + "+/"
)

func fakeAWSKeyID(t *testing.T) string  { return "AKIA" + randomString(t, base32Upper, 16) }
func fakeAWSSecret(t *testing.T) string { return randomString(t, base64Chars, 40) }

// notFetchedFS is a guest whose listed files exist but cannot be read, like a live
// guest's file above the fetch limit.
type notFetchedFS struct {
	fstest.MapFS
	missing map[string]bool
}

func (f notFetchedFS) Open(name string) (fs.File, error) {
	if f.missing[name] {
		return nil, &fs.PathError{Op: "open", Path: name, Err: ErrNotFetched}
	}
	return f.MapFS.Open(name)
}

func (f notFetchedFS) ReadFile(name string) ([]byte, error) { return fs.ReadFile(fsOpenOnly{f}, name) }

type fsOpenOnly struct{ fs.FS }

// runCheck runs one registered Linux check on the target.
func runCheck(t *testing.T, id string, target *Target) ([]Finding, error) {
	t.Helper()
	c, ok := LookupCheck(Linux, id)
	if !ok {
		t.Fatalf("check %s is not registered", id)
	}
	return c.Run(target)
}

// assertNoLeak fails when a planted secret shows up in a finding.
func assertNoLeak(t *testing.T, found []Finding, secrets ...string) {
	t.Helper()
	for _, f := range found {
		for _, s := range secrets {
			if s != "" && (strings.Contains(f.Message, s) || strings.Contains(f.Path, s)) {
				t.Errorf("finding leaks a secret: %s", f)
			}
		}
	}
}

func messages(found []Finding) string {
	var b strings.Builder
	for _, f := range found {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}

// newCertificate makes a self-signed certificate and a public key, both PEM: neither is
// a secret.
func newCertificate(t *testing.T) (string, string) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "site"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, pub, priv)
	if err != nil {
		t.Fatal(err)
	}
	spki, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: spki}))
}

// pathMessages is what tests match against: "Path Message" per finding.
func pathMessages(found []Finding) string {
	var b strings.Builder
	for _, f := range found {
		b.WriteString(f.Path + " " + f.Message + "\n")
	}
	return b.String()
}
