package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestQemuTCGBuild is the build as real as it gets here: the qemu builder boots a Debian disk
// planted with residue under TCG, the sanitize provisioner cleans it over SSH, Packer captures
// a qcow2 and sanitize-verify reads it offline and passes it. The same build without the
// provisioner fails on that qcow2. About a minute per boot on 2 cores.
func TestQemuTCGBuild(t *testing.T) {
	packer := requirePrereqs(t)
	for _, c := range []string{"qemu-system-x86_64", "extlinux", "sfdisk"} {
		if _, err := exec.LookPath(c); err != nil {
			missingPrereq(t, c)
		}
	}
	qemuPlugin := filepath.Join(cacheDir(), "bin", "packer-plugin-qemu-"+envOr("QEMU_PLUGIN_VERSION", "v1.0.9"))
	if _, err := os.Stat(qemuPlugin); err != nil {
		missingPrereq(t, "packer-plugin-qemu ("+qemuPlugin+")")
	}
	installPlugin(t, packer)
	installQemuPlugin(t, packer, qemuPlugin)

	disk := t.TempDir()
	if out, err := run(repoRoot, nil, "bash", "scripts/e2e/vm-disk.sh", disk); err != nil {
		t.Fatalf("vm-disk.sh: %v\n%s", err, out)
	}

	build := func(t *testing.T, skip string) (string, string, error) {
		work := t.TempDir()
		report := filepath.Join(work, "report.json")
		out, err := run(work, packerEnv(work), packer, "build", "-color=false",
			"-var", "disk="+filepath.Join(disk, "disk.raw"),
			"-var", "ssh_key="+filepath.Join(disk, "rootfs.key"),
			"-var", "output_dir="+filepath.Join(work, "output"),
			"-var", "report_path="+report,
			"-var", "skip_sanitize="+skip,
			filepath.Join(repoRoot, "example", "qemu-tcg.pkr.hcl"))
		t.Logf("packer build output:\n%s", out)
		return out, report, err
	}

	t.Run("with the provisioner the captured qcow2 passes", func(t *testing.T) {
		out, report, err := build(t, "[]")
		if err != nil {
			t.Fatalf("packer build failed: %v", err)
		}
		for _, want := range []string{"ssh-hostkeys", "No residue at or above medium"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q", want)
			}
		}
		if passed, findings := readReport(t, report); !passed {
			t.Errorf("sanitize-verify report did not pass: %d findings", findings)
		}
		assertNoSecrets(t, out)
	})
	t.Run("without it the captured qcow2 fails", func(t *testing.T) {
		out, report, err := build(t, `["qemu.vm"]`)
		if err == nil {
			t.Fatalf("packer build passed without the provisioner")
		}
		if strings.Contains(out, "Sanitizing the linux guest") {
			t.Fatalf("the provisioner ran although skipped")
		}
		for _, want := range []string{"ssh-host-keys", "authorized-keys", "password-hashes", "shell-history"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q", want)
			}
		}
		if passed, findings := readReport(t, report); passed || findings == 0 {
			t.Errorf("report: passed=%v with %d findings; want a failure", passed, findings)
		}
		assertNoSecrets(t, out)
	})
}

func readReport(t *testing.T, path string) (bool, int) {
	t.Helper()
	var rep struct {
		Passed   bool              `json:"passed"`
		Findings []json.RawMessage `json:"findings"`
	}
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, &rep)
	}
	if err != nil {
		t.Fatalf("report %s: %v", path, err)
	}
	return rep.Passed, len(rep.Findings)
}

func installQemuPlugin(t *testing.T, packer, bin string) {
	t.Helper()
	dir := t.TempDir()
	named := filepath.Join(dir, "packer-plugin-qemu") // `plugins install --path` wants this name
	b, err := os.ReadFile(bin)
	if err == nil {
		err = os.WriteFile(named, b, 0o755)
	}
	if err != nil {
		t.Fatal(err)
	}
	if out, err := run(dir, packerEnv(dir), packer, "plugins", "install", "--path", named, "github.com/hashicorp/qemu"); err != nil {
		t.Fatalf("installing packer-plugin-qemu: %v\n%s", err, out)
	}
}

func missingPrereq(t *testing.T, what string) {
	t.Helper()
	msg := "e2e prerequisite missing: " + what + " (run `make test`, which installs it)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
