package provisioner

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// TestPackerKeyOperationInChroot runs the assembled script for real, as root, in a chroot of
// the e2e Debian rootfs: Packer's temporary key goes from every authorized_keys file (with
// options and another comment too), the other keys stay, and a second run has nothing to do.
func TestPackerKeyOperationInChroot(t *testing.T) {
	rootfs := chrootRootfs(t)
	packerKey := newAuthorizedKey(t, "packer_temporary")
	otherKey := newAuthorizedKey(t, "ops@example.com")
	blob := strings.Fields(packerKey)[1]
	files := map[string]string{
		"root/.ssh/authorized_keys":         packerKey + "\n" + otherKey + "\n",
		"home/packer/.ssh/authorized_keys":  `no-pty,from="10.0.0.1" ssh-ed25519 ` + blob + " another-comment\n",
		"srv/app/.ssh/authorized_keys2":     otherKey + "\n",
		"etc/ssh/authorized_keys/packer":    packerKey + "\n",
		"etc/ssh/sshd_config.d/10-akf.conf": "AuthorizedKeysFile .ssh/authorized_keys /etc/ssh/authorized_keys/%u\n",
	}
	for p, body := range files {
		full := filepath.Join(rootfs, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	passwd, _ := os.ReadFile(filepath.Join(rootfs, "etc/passwd"))
	passwd = append(passwd, []byte("app:x:1500:1500::/srv/app:/bin/sh\n")...)
	if err := os.WriteFile(filepath.Join(rootfs, "etc/passwd"), passwd, 0o644); err != nil {
		t.Fatal(err)
	}

	op, _ := cleanup.LookupOperation(cleanup.Linux, "packer-key")
	for run := 1; run <= 2; run++ {
		out := runInChroot(t, rootfs, []cleanup.Operation{op}, scriptSettings{PackerPublicKey: packerKey})
		res, err := parseOutput(out, []string{"packer-key"}, false)
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, out)
		}
		want := map[int]string{1: "done", 2: "noop"}[run]
		if res.Ops[0].Status != want {
			t.Fatalf("run %d: packer-key is %s, want %s\n%s", run, res.Ops[0].Status, want, out)
		}
	}
	for p := range files {
		b, _ := os.ReadFile(filepath.Join(rootfs, p))
		if strings.Contains(string(b), blob) {
			t.Errorf("/%s still holds Packer's key", p)
		}
	}
	for _, p := range []string{"root/.ssh/authorized_keys", "srv/app/.ssh/authorized_keys2"} {
		if b, _ := os.ReadFile(filepath.Join(rootfs, p)); !strings.Contains(string(b), strings.Fields(otherKey)[1]) {
			t.Errorf("/%s lost a key that is not Packer's", p)
		}
	}
}

func newAuthorizedKey(t *testing.T, comment string) string {
	t.Helper()
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + " " + comment
}

// chrootRootfs unpacks the e2e Debian rootfs (scripts/e2e/rootfs.sh, cached debootstrap).
// Skipped without root or debootstrap, except under CI=true.
func chrootRootfs(t *testing.T) string {
	t.Helper()
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root")
	}
	for _, c := range []string{"debootstrap", "zstd", "chroot"} {
		if _, err := exec.LookPath(c); err != nil {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		if os.Getenv("CI") == "true" {
			t.Fatalf("missing %s", strings.Join(missing, ", "))
		}
		t.Skipf("missing %s", strings.Join(missing, ", "))
	}
	rootfs := filepath.Join(t.TempDir(), "rootfs")
	cmd := exec.Command("bash", "../scripts/e2e/rootfs.sh", rootfs)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("rootfs.sh: %v\n%s", err, out)
	}
	return rootfs
}

func runInChroot(t *testing.T, rootfs string, ops []cleanup.Operation, s scriptSettings) string {
	t.Helper()
	s.Self = "/tmp/sanitize-test.sh"
	script, err := linuxScript(ops, nil, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(rootfs, "tmp/sanitize-test.sh"), []byte(script), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("chroot", rootfs, "sh", "/tmp/sanitize-test.sh").Output()
	if err != nil {
		t.Fatalf("script: %v\n%s", err, out)
	}
	return string(out)
}
