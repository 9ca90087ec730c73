package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// TestJoinProvisionerAndVerify joins the two halves in one real `packer build` each
// (e2e/testdata/join.pkr.hcl): the rootfs the sanitize provisioner cleaned over SSH
// becomes an ext4 image (sshd stopped, mkfs.ext4 -d, by the shell-local post-processor)
// that sanitize-verify passes offline; the same planted rootfs, not cleaned, fails it
// with the report naming the residue.
func TestJoinProvisionerAndVerify(t *testing.T) {
	packer := requirePrereqs(t)
	imagetest.Need(t, "mkfs.ext4")
	installPlugin(t, packer)

	build := func(t *testing.T, skip string) (string, joinReport, error) {
		tg := startTarget(t)
		img := filepath.Join(t.TempDir(), "rootfs.ext4")
		return joinBuild(t, packer, tg, img, "skip_sanitize="+skip)
	}

	t.Run("cleaned by the provisioner, the image passes", func(t *testing.T) {
		out, rep, err := build(t, "[]")
		if err != nil || !rep.Passed {
			t.Fatalf("build error %v, report passed %t, findings %+v, not verified %+v", err, rep.Passed, rep.Findings, rep.NotVerified)
		}
		for _, want := range []string{"Sanitizing the linux guest", "Passed: no residue at or above medium"} {
			if !strings.Contains(out, want) {
				t.Errorf("packer output lacks %q", want)
			}
		}
		if len(rep.Sources) != 1 || rep.Sources[0].Status != "verified" || len(rep.Sources[0].Volumes) != 1 ||
			rep.Sources[0].Volumes[0].Filesystem != "ext4" {
			t.Errorf("sources %+v, want one verified ext4 volume", rep.Sources)
		}
	})

	t.Run("not cleaned, the same rootfs fails", func(t *testing.T) {
		out, rep, err := build(t, `["null.local"]`)
		if err == nil || rep.Passed {
			t.Fatalf("the uncleaned rootfs passed")
		}
		if strings.Contains(out, "Sanitizing the linux guest") {
			t.Fatalf("the provisioner ran although skipped")
		}
		// residue plant-residue.sh leaves, one per kind; each must be named in the report
		// and in Packer's output
		want := []struct{ check, path string }{
			{"ssh-host-keys", "/etc/ssh/ssh_host_ed25519_key"},
			{"authorized-keys", "/root/.ssh/authorized_keys"},
			{"authorized-keys", "/srv/deploy/.ssh/authorized_keys2"},
			{"authorized-keys", "/etc/ssh/authorized_keys/deploy"},
			{"password-hashes", "/etc/shadow"},
			{"sshd-config", "/etc/ssh/sshd_config.d/50-cloud-init.conf"},
			{"shell-history", "/root/.bash_history"},
			{"private-keys", "/srv/deploy/.ssh/id_ed25519"},
			{"cloud-credentials", "/srv/deploy/.aws/credentials"},
			{"cloud-credentials", "/root/.git-credentials"},
			{"packer-leftovers", "/tmp/script_4242.sh"},
		}
		for _, w := range want {
			if !rep.has(w.check, w.path) {
				t.Errorf("the report has no %s finding at %s", w.check, w.path)
			}
			if !strings.Contains(out, w.path) {
				t.Errorf("packer output does not show %s", w.path)
			}
		}
		if !strings.Contains(out, "residue in the image") {
			t.Errorf("packer output lacks the failure reason")
		}
	})
}

// joinBuild runs e2e/testdata/join.pkr.hcl against tg: the sanitize provisioner over SSH,
// then sshd stopped, the image img made (or, with image_cmd, the rootfs's own image
// unmounted) and verified by sanitize-verify. vars are more -var settings. It returns
// Packer's output (secrets absent, asserted), the report and the build's error.
func joinBuild(t *testing.T, packer string, tg *target, img string, vars ...string) (string, joinReport, error) {
	t.Helper()
	work := t.TempDir()
	report := filepath.Join(work, "report.json")
	args := []string{"build", "-color=false",
		"-var", "ssh_port=" + strconv.Itoa(tg.port),
		"-var", "ssh_key=" + tg.key,
		"-var", "rootfs=" + tg.rootfs,
		"-var", "image=" + img,
		"-var", "stop_cmd=bash " + filepath.Join(repoRoot, "scripts", "e2e", "sshd.sh") + " stop " + tg.rootfs,
		"-var", "report_path=" + report,
	}
	for _, v := range vars {
		args = append(args, "-var", v)
	}
	out, err := run(work, packerEnv(work), packer, append(args, filepath.Join(repoRoot, "e2e", "testdata", "join.pkr.hcl"))...)
	t.Logf("packer build output:\n%s", out)
	var rep joinReport
	b, rerr := os.ReadFile(report)
	if rerr == nil {
		rerr = json.Unmarshal(b, &rep)
	}
	if rerr != nil {
		t.Fatalf("report: %v", rerr)
	}
	assertNoSecrets(t, out)
	assertNoSecrets(t, string(b))
	return out, rep, err
}

type joinReport struct {
	Passed   bool `json:"passed"`
	Findings []struct {
		Check, Path, Source, Message string
	} `json:"findings"`
	NotVerified []struct {
		Source, Check, Error string
	} `json:"not_verified"`
	Sources []struct {
		Status  string `json:"status"`
		Volumes []struct {
			Filesystem string `json:"filesystem"`
		} `json:"volumes"`
	} `json:"sources"`
}

func (r joinReport) has(check, path string) bool {
	for _, f := range r.Findings {
		if f.Check == check && f.Path == path {
			return true
		}
	}
	return false
}
