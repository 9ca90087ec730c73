package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// TestVerifyImageArtifact runs `packer build` with the core file builder handing an ext4
// image made by mkfs.ext4 -d to sanitize-verify: the dirty image fails the build (and
// Packer deletes the artifact), the report names each planted residue; the clean twin
// passes and the artifact stays.
func TestVerifyImageArtifact(t *testing.T) {
	packer := requirePrereqs(t)
	imagetest.Need(t, "mkfs.ext4")
	installPlugin(t, packer)

	for _, dirty := range []bool{true, false} {
		name := map[bool]string{true: "dirty", false: "clean"}[dirty]
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			tree, img := filepath.Join(dir, "tree"), filepath.Join(dir, name+".ext4")
			imagetest.WriteTree(t, tree, imagetest.Rootfs(t, dirty))
			imagetest.Mkfs(t, tree, img, 16)

			work := t.TempDir()
			target, report := filepath.Join(work, "output", "image.raw"), filepath.Join(work, "report.json")
			out, err := run(work, packerEnv(work), packer, "build", "-color=false",
				"-var", "image="+img, "-var", "target="+target, "-var", "report_path="+report,
				filepath.Join(repoRoot, "example", "verify-image.pkr.hcl"))
			t.Logf("packer build output:\n%s", out)

			var rep struct {
				Passed   bool `json:"passed"`
				Findings []struct {
					Check, Path, Source string
				} `json:"findings"`
			}
			b, rerr := os.ReadFile(report)
			if rerr == nil {
				rerr = json.Unmarshal(b, &rep)
			}
			if rerr != nil {
				t.Fatalf("report: %v", rerr)
			}
			for _, s := range []string{imagetest.PlantedAWSKey, "$6$rounds"} {
				if strings.Contains(out, s) || strings.Contains(string(b), s) {
					t.Errorf("a planted secret (%.6s…) reached the output or the report", s)
				}
			}
			_, statErr := os.Stat(target)
			if !dirty {
				if err != nil || !rep.Passed || statErr != nil {
					t.Fatalf("the clean image: build error %v, passed %t, artifact %v", err, rep.Passed, statErr)
				}
				return
			}
			if err == nil || rep.Passed {
				t.Fatalf("the dirty image passed the build")
			}
			if !strings.Contains(out, "residue in the image") {
				t.Errorf("packer output lacks the failure reason")
			}
			for _, want := range imagetest.Planted {
				found := false
				for _, f := range rep.Findings {
					found = found || (f.Check == want.Check && f.Path == want.Path && strings.HasPrefix(f.Source, target))
				}
				if !found {
					t.Errorf("the report has no %s finding at %s in %s", want.Check, want.Path, target)
				}
				if !strings.Contains(out, want.Path) {
					t.Errorf("packer output does not show %s", want.Path)
				}
			}
			if statErr == nil {
				t.Errorf("Packer kept the artifact of the failed build (%s)", target)
			}
		})
	}
}
