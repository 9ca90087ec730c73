package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// secrets planted by scripts/e2e/plant-residue.sh: none may ever reach Packer's output.
var plantedSecrets = []string{
	"Residue-Root-Pass1", "Residue-Deploy-Pass1", "Residue-Db-Pass1", "Residue-Git-Pass1",
	"Qm9ndXNTZWNyZXRLZXlGb3JUZXN0aW5nT25seTEy", "AKIA2OGYBAH6QRESIDUE", "LTAI5tResidueKey0001",
	"ResidueSecretResidueSecret01", "Residue-Cloud-Pass1", "Y2k6UmVzaWR1ZS1SZWdpc3RyeS1QYXNzMQ",
}

func TestProvisionerCleansLiveGuest(t *testing.T) {
	packer := requirePrereqs(t)
	installPlugin(t, packer)
	tg := startTarget(t)

	out, work, err := tg.build(t, packer)
	if err != nil {
		t.Fatalf("packer build failed: %v", err)
	}
	for _, want := range []string{"ssh-hostkeys", "done", "No residue at or above medium", "still connected as packer"} {
		if !strings.Contains(out, want) {
			t.Errorf("packer output lacks %q", want)
		}
	}
	assertNoSecrets(t, out)
	// the second pass (after the shell provisioner) finds nothing left to do: idempotent
	if second := out[strings.Index(out, "still connected as packer"):]; strings.Contains(second, "done (") || strings.Contains(second, "FAILED") {
		t.Errorf("the second sanitize pass changed something:\n%s", second)
	}
	if n := len(regexp.MustCompile(`Verified the live guest: \d+ checks, 0 findings, 0 not verified`).FindAllString(out, -1)); n != 2 {
		t.Errorf("want both passes verified with no finding at all")
	}

	// Independently of the plugin's own checks: every planted residue is gone.
	gone := []string{
		"etc/ssh/ssh_host_ed25519_key", "etc/ssh/ssh_host_rsa_key", "etc/ssh/ssh_host_ecdsa_key",
		"etc/ssh/ssh_host_ed25519_key.pub",
		"home/linky/.ssh/authorized_keys", // the symlink itself is removed...
		"srv/deploy/.ssh/id_ed25519",
		"root/.bash_history", "home/packer/.bash_history", "root/.python_history", "srv/deploy/.psql_history",
		"srv/deploy/.aws/credentials", "home/packer/.aliyun/config.json", "root/.git-credentials",
		"root/.docker/config.json",
		"etc/shadow-", "etc/passwd-", "etc/gshadow-",
		"tmp/script_4242.sh", "tmp/packer-shell-env-vars-1.sh", "var/tmp/build-scratch.txt",
		"var/log/syslog.2.gz", "var/lib/cloud/instances", "var/lib/cloud/instance",
		"var/cache/apt/archives/residue_1.0_amd64.deb",
	}
	for _, p := range gone {
		if _, err := os.Lstat(tg.path(p)); err == nil {
			t.Errorf("/%s is still there", p)
		}
	}
	// ...and never followed: its target keeps its content.
	if b, _ := os.ReadFile(tg.path("etc/ssh/shared_keys")); len(b) == 0 {
		t.Errorf("/etc/ssh/shared_keys (target of a symlinked authorized_keys) was emptied through the link")
	}
	empty := []string{
		"root/.ssh/authorized_keys", "srv/deploy/.ssh/authorized_keys2", "etc/ssh/authorized_keys/deploy",
		"home/packer/.ssh/authorized_keys", "var/log/auth.log", "var/log/wtmp", "etc/machine-id",
	}
	for _, p := range empty {
		fi, err := os.Stat(tg.path(p))
		if err != nil {
			t.Errorf("/%s: %v (want an empty file)", p, err)
		} else if fi.Size() != 0 {
			t.Errorf("/%s has %d bytes, want 0", p, fi.Size())
		}
	}
	shadow := readShadow(t, tg.path("etc/shadow"))
	for _, user := range []string{"root", "deploy", "legacy"} {
		if h := shadow[user]; !strings.HasPrefix(h, "!") {
			t.Errorf("%s's password is not locked (hash field starts %.1q)", user, h)
		}
	}
	if _, err := os.Stat(tg.path("var/lib/sanitize-after-marker")); err != nil {
		t.Errorf("the shell provisioner after sanitize did not run: %v", err)
	}

	// The system is still sound: passwd parses, sudoers is valid, sshd accepts its config
	// with the hardened settings in force, and fresh host keys can be made.
	readPasswd(t, tg.path("etc/passwd"))
	chroot(t, tg, "visudo", "-c")
	chroot(t, tg, "ssh-keygen", "-A")
	if err := os.MkdirAll(tg.path("run/sshd"), 0o755); err != nil {
		t.Fatal(err)
	}
	chroot(t, tg, "/usr/sbin/sshd", "-t")
	eff := strings.ToLower(chroot(t, tg, "/usr/sbin/sshd", "-T", "-C", "user=root,host=x,addr=127.0.0.1"))
	if !strings.Contains(eff, "passwordauthentication no") {
		t.Errorf("sshd -T: password authentication is still on")
	}
	if !strings.Contains(eff, "permitrootlogin without-password") && !strings.Contains(eff, "permitrootlogin prohibit-password") {
		t.Errorf("sshd -T: root may still log in with a password")
	}

	var rep struct {
		Passed   bool              `json:"passed"`
		Findings []json.RawMessage `json:"findings"`
	}
	b, err := os.ReadFile(filepath.Join(work, "live-report.json"))
	if err == nil {
		err = json.Unmarshal(b, &rep)
	}
	if err != nil {
		t.Errorf("live report: %v", err)
	} else if !rep.Passed {
		t.Errorf("live report says not passed: %s", b)
	}
}

func TestProvisionerFailsBuildWhenResidueIsLeft(t *testing.T) {
	packer := requirePrereqs(t)
	installPlugin(t, packer)
	tg := startTarget(t)

	out, _, err := tg.build(t, packer, `operations=["defaults","-ssh-hostkeys"]`)
	if err == nil {
		t.Fatalf("packer build passed with ssh-hostkeys skipped; want the verification to fail it")
	}
	for _, want := range []string{"ssh-host-keys", "/etc/ssh/ssh_host_ed25519_key", "residue left on the guest"} {
		if !strings.Contains(out, want) {
			t.Errorf("packer output lacks %q", want)
		}
	}
	if strings.Contains(out, "still connected as") {
		t.Errorf("the build went on after the failed verification")
	}
	if _, err := os.Stat(tg.path("etc/ssh/ssh_host_ed25519_key")); err != nil {
		t.Errorf("the skipped operation ran anyway: %v", err)
	}
	assertNoSecrets(t, out)
}

func assertNoSecrets(t *testing.T, out string) {
	t.Helper()
	for _, s := range plantedSecrets {
		if strings.Contains(out, s) {
			t.Errorf("Packer's output shows a planted secret (%.6s…)", s)
		}
	}
}

func chroot(t *testing.T, tg *target, args ...string) string {
	t.Helper()
	out, err := exec.Command("chroot", append([]string{tg.rootfs}, args...)...).CombinedOutput()
	if err != nil {
		t.Errorf("chroot %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func readShadow(t *testing.T, path string) map[string]string {
	t.Helper()
	hashes := map[string]string{}
	for i, line := range readLines(t, path) {
		f := strings.Split(line, ":")
		if len(f) != 9 {
			t.Fatalf("%s line %d has %d fields, want 9", path, i+1, len(f))
		}
		hashes[f[0]] = f[1]
	}
	return hashes
}

func readPasswd(t *testing.T, path string) {
	t.Helper()
	for i, line := range readLines(t, path) {
		if f := strings.Split(line, ":"); len(f) != 7 {
			t.Fatalf("%s line %d has %d fields, want 7", path, i+1, len(f))
		}
	}
}

func readLines(t *testing.T, path string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimRight(string(b), "\n"), "\n")
}
