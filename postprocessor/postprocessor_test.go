package postprocessor

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// images builds the dirty rootfs and its clean twin as ext4 images, and the same inside an
// MBR logical partition, a GPT partition with an odd name, and qcow2 (plain, compressed).
func images(t *testing.T) (dirty, clean map[string]string) {
	t.Helper()
	imagetest.Need(t, "mkfs.ext4", "sfdisk", "sgdisk", "qemu-img")
	dir := t.TempDir()
	build := func(name string, isDirty bool) map[string]string {
		tree := filepath.Join(dir, name+"-tree")
		imagetest.WriteTree(t, tree, imagetest.Rootfs(t, isDirty))
		out := map[string]string{"ext4": filepath.Join(dir, name+".ext4")}
		imagetest.Mkfs(t, tree, out["ext4"], 16)
		out["mbr"] = filepath.Join(dir, name+"-mbr.raw")
		imagetest.MBRDisk(t, out["mbr"], []imagetest.Partition{{Image: out["ext4"]}}, []imagetest.Partition{{Image: out["ext4"]}})
		out["gpt"] = filepath.Join(dir, name+"-gpt.raw")
		imagetest.GPTDisk(t, out["gpt"], []imagetest.Partition{
			{MiB: 1, Type: "21686148-6449-6E6F-744E-656564454649"},
			{Image: out["ext4"], Name: "not-root (data) ✓"},
		})
		out["qcow2"] = filepath.Join(dir, name+".qcow2")
		imagetest.QCOW2(t, out["gpt"], out["qcow2"])
		out["qcow2-compressed"] = filepath.Join(dir, name+"-c.qcow2")
		imagetest.QCOW2(t, out["mbr"], out["qcow2-compressed"], "-c")
		out["inline_data"] = filepath.Join(dir, name+"-inline.ext4")
		imagetest.Mkfs(t, tree, out["inline_data"], 16, "-O", "inline_data")
		return out
	}
	return build("dirty", true), build("clean", false)
}

type result struct {
	out    string
	report Report
	err    error
}

func runPP(t *testing.T, cfg map[string]interface{}, files ...string) result {
	t.Helper()
	dir := t.TempDir()
	if cfg["report_path"] == nil {
		cfg["report_path"] = filepath.Join(dir, "report.json")
	}
	var p PostProcessor
	if err := p.Configure(cfg); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	ui := &packersdk.BasicUi{Reader: strings.NewReader(""), Writer: &out, ErrorWriter: &out}
	art := &packersdk.MockArtifact{BuilderIdValue: "packer.file", FilesValue: files}
	got, keep, force, err := p.PostProcess(context.Background(), ui, art)
	r := result{out: out.String(), err: err}
	if err == nil && (got != art || !keep || !force) {
		t.Errorf("success returned (%v, %t, %t), want the artifact untouched, kept", got, keep, force)
	}
	readJSON(t, cfg["report_path"].(string), &r.report)
	return r
}

func TestDirtyImagesFailCleanTwinsPass(t *testing.T) {
	dirty, clean := images(t)
	for _, kind := range []string{"ext4", "mbr", "gpt", "qcow2", "qcow2-compressed", "inline_data"} {
		t.Run(kind, func(t *testing.T) {
			r := runPP(t, map[string]interface{}{}, dirty[kind])
			if r.err == nil || r.report.Passed {
				t.Fatalf("the dirty image passed:\n%s", r.out)
			}
			for _, want := range imagetest.Planted {
				if !hasFinding(r.report, want.Check, want.Path) {
					t.Errorf("no %s finding at %s:\n%s", want.Check, want.Path, r.out)
				}
				if !strings.Contains(r.out, want.Path) {
					t.Errorf("the UI does not show %s", want.Path)
				}
			}
			if strings.Contains(r.out, imagetest.PlantedAWSKey) || strings.Contains(r.out, "$6$rounds") {
				t.Errorf("the output shows a planted secret:\n%s", r.out)
			}
			for _, f := range r.report.Findings {
				if !strings.HasPrefix(f.Source, dirty[kind]) {
					t.Errorf("finding source %q does not name the image", f.Source)
				}
			}

			r = runPP(t, map[string]interface{}{}, clean[kind])
			if r.err != nil || !r.report.Passed {
				t.Fatalf("the clean twin failed: %v\n%s", r.err, r.out)
			}
		})
	}
	t.Run("partition sources", func(t *testing.T) {
		r := runPP(t, map[string]interface{}{}, dirty["mbr"])
		if !hasSource(r.report, dirty["mbr"]+" partition 5 (MBR logical, Linux)") || !hasSource(r.report, dirty["mbr"]+" partition 1 (MBR, Linux)") {
			t.Errorf("findings do not name both partitions: %+v", r.report.Sources)
		}
		r = runPP(t, map[string]interface{}{}, dirty["gpt"])
		if !hasSource(r.report, dirty["gpt"]+` partition 2 (GPT "not-root (data) ✓")`) {
			t.Errorf("findings do not name the odd GPT partition: %+v", r.report.Sources)
		}
	})
}

func TestAllowAndWarn(t *testing.T) {
	dirty, _ := images(t)
	var allow []map[string]interface{}
	for _, p := range imagetest.Planted {
		allow = append(allow, map[string]interface{}{"path": p.Path, "reason": "test: " + p.Check})
	}
	r := runPP(t, map[string]interface{}{"allow": allow}, dirty["ext4"])
	if r.err != nil || !r.report.Passed || r.report.Summary.Allowed < len(imagetest.Planted) {
		t.Fatalf("every planted path allowed: err %v, summary %+v\n%s", r.err, r.report.Summary, r.out)
	}
	r = runPP(t, map[string]interface{}{"on_residue": "warn"}, dirty["ext4"])
	if r.err != nil || r.report.Passed || !strings.Contains(r.out, `on_residue = "warn"`) {
		t.Fatalf("warn: err %v, passed %t\n%s", r.err, r.report.Passed, r.out)
	}
}

func TestBadSourcesFailClosed(t *testing.T) {
	dirty, _ := images(t)
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.qcow2")
	imagetest.Truncate(t, dirty["qcow2"], corrupt, 300<<10)
	vmx := filepath.Join(dir, "vm.vmx")
	if err := os.WriteFile(vmx, []byte(strings.Repeat("displayName = \"golden\"\n", 4000)), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		cfg    map[string]interface{}
		files  []string
		want   string
		passes bool
	}{
		{"corrupt qcow2", map[string]interface{}{}, []string{corrupt}, corrupt, false},
		{"missing explicit image", map[string]interface{}{"images": []string{filepath.Join(dir, "nope.raw")}}, nil, "nope.raw", false},
		{"text file among the artifact's files is skipped", map[string]interface{}{}, []string{vmx, dirty["ext4"]}, "a text file, not a disk image", false},
		{"an artifact with no image", map[string]interface{}{}, []string{vmx}, "none of the artifact's files is a disk image", false},
		{"an artifact with no files", map[string]interface{}{}, []string{}, "has no files to verify", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p PostProcessor
			tc.cfg["report_path"] = filepath.Join(t.TempDir(), "r.json")
			if err := p.Configure(tc.cfg); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			ui := &packersdk.BasicUi{Reader: strings.NewReader(""), Writer: &out, ErrorWriter: &out}
			_, _, _, err := p.PostProcess(context.Background(), ui, &packersdk.MockArtifact{BuilderIdValue: "packer.file", FilesValue: tc.files})
			if err == nil {
				t.Fatalf("passed:\n%s", out.String())
			}
			if all := err.Error() + out.String(); !strings.Contains(all, tc.want) {
				t.Errorf("output lacks %q:\n%v\n%s", tc.want, err, out.String())
			}
		})
	}
}

func hasFinding(r Report, check, path string) bool {
	for _, f := range r.Findings {
		if f.Check == check && f.Path == path {
			return true
		}
	}
	return false
}

func hasSource(r Report, source string) bool {
	for _, f := range r.Findings {
		if f.Source == source {
			return true
		}
	}
	return false
}
