package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExamplesValidate runs `packer validate` on every template in example/ with the plugin
// installed, so an example with an unknown operation or option fails the suite.
func TestExamplesValidate(t *testing.T) {
	packer := requirePrereqs(t)
	installPlugin(t, packer)
	keyDir := t.TempDir()
	key := filepath.Join(keyDir, "id_ed25519") // basic.pkr.hcl names it relative to the cwd
	if out, err := run(keyDir, nil, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", key); err != nil {
		t.Fatalf("ssh-keygen: %v\n%s", err, out)
	}
	vars := map[string][]string{
		"local-target.pkr.hcl":  {"ssh_key=" + key},
		"bench.pkr.hcl":         {"ssh_port=22", "ssh_key=" + key, `operations=["defaults"]`, "verify=true"},
		"windows-winrm.pkr.hcl": {"winrm_password=unused-for-validate"},
		"qemu-tcg.pkr.hcl":      {"ssh_key=" + key, "disk=" + key},
	}
	// qemu-tcg.pkr.hcl needs the qemu plugin, which tools.sh builds
	qemuPlugin := filepath.Join(cacheDir(), "bin", "packer-plugin-qemu-"+envOr("QEMU_PLUGIN_VERSION", "v1.0.9"))
	if _, err := os.Stat(qemuPlugin); err != nil {
		missingPrereq(t, "packer-plugin-qemu ("+qemuPlugin+")")
	}
	installQemuPlugin(t, packer, qemuPlugin)
	templates, err := filepath.Glob(filepath.Join(repoRoot, "example", "*.pkr.hcl"))
	if err != nil || len(templates) == 0 {
		t.Fatalf("no templates in example/: %v", err)
	}
	for _, tpl := range templates {
		name := filepath.Base(tpl)
		t.Run(name, func(t *testing.T) {
			work := keyDir
			args := []string{"validate"}
			for _, v := range vars[name] {
				args = append(args, "-var", v)
			}
			out, err := run(work, packerEnv(work), packer, append(args, tpl)...)
			if err != nil || !strings.Contains(out, "valid") {
				t.Fatalf("packer validate %s: %v\n%s", name, err, out)
			}
		})
	}
}
