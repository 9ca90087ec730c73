package postprocessor

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// TestSplitVMDKArtifacts: vmware-iso's output directory holds a descriptor disk.vmdk, its
// extent files and a .vmx; the artifact's Files() lists them all. The disk is verified
// through its descriptor (the dirty one fails, naming each planted residue; the clean one
// passes), and each extent is reported skipped as part of it, not verified twice.
func TestSplitVMDKArtifacts(t *testing.T) {
	dirty, clean := images(t)
	for _, sub := range []string{"twoGbMaxExtentSparse", "monolithicFlat", "twoGbMaxExtentFlat"} {
		t.Run(sub, func(t *testing.T) {
			vmware := func(name, raw string) []string {
				out := filepath.Join(t.TempDir(), name)
				if err := os.Mkdir(out, 0o755); err != nil {
					t.Fatal(err)
				}
				desc := filepath.Join(out, "disk.vmdk")
				imagetest.VMDK(t, raw, desc, sub)
				imagetest.WriteTree(t, out, map[string]imagetest.File{"golden.vmx": {Data: ".encoding = \"UTF-8\"\nscsi0:0.fileName = \"disk.vmdk\"\n"}})
				files, err := filepath.Glob(filepath.Join(out, "*"))
				if err != nil || len(files) < 3 {
					t.Fatalf("output files %v, %v", files, err)
				}
				sort.Sort(sort.Reverse(sort.StringSlice(files))) // the extents before the descriptor
				return files
			}
			files := vmware("dirty", dirty["gpt"])
			r := runPP(t, map[string]interface{}{}, files...)
			if r.err == nil || r.report.Passed {
				t.Fatalf("the dirty split VMDK passed:\n%s", r.out)
			}
			desc := filepath.Join(filepath.Dir(files[0]), "disk.vmdk")
			for _, want := range imagetest.Planted {
				found := false
				for _, f := range r.report.Findings {
					found = found || f.Check == want.Check && f.Path == want.Path && strings.HasPrefix(f.Source, desc+" partition 2")
				}
				if !found {
					t.Errorf("no %s finding at %s on %s", want.Check, want.Path, desc)
				}
			}
			if len(r.report.NotVerified) > 0 {
				t.Errorf("not verified: %+v", r.report.NotVerified)
			}
			extents := 0
			for _, s := range r.report.Sources {
				switch {
				case s.Path == desc:
					if s.Status != statusVerified || s.Format != "vmdk ("+sub+")" {
						t.Errorf("the descriptor: %+v", s)
					}
				case strings.HasSuffix(s.Path, ".vmx"):
				default:
					extents++
					if s.Status != statusSkipped || s.Reason != "extent of "+desc+": verified through it" {
						t.Errorf("the extent %s: %s %q", s.Path, s.Status, s.Reason)
					}
				}
			}
			if extents == 0 {
				t.Errorf("no extent among the sources: %+v", r.report.Sources)
			}

			r = runPP(t, map[string]interface{}{}, vmware("clean", clean["gpt"])...)
			if r.err != nil || !r.report.Passed {
				t.Fatalf("the clean split VMDK failed: %v\n%s", r.err, r.out)
			}
		})
	}
}

// TestSplitVMDKExtentAlone: a sparse extent handed over without its descriptor cannot be
// read as a disk: not verified, never a pass.
func TestSplitVMDKExtentAlone(t *testing.T) {
	_, clean := images(t)
	desc := filepath.Join(t.TempDir(), "disk.vmdk")
	imagetest.VMDK(t, clean["gpt"], desc, "twoGbMaxExtentSparse")
	r := runPP(t, map[string]interface{}{}, strings.TrimSuffix(desc, ".vmdk")+"-s001.vmdk")
	if r.err == nil || r.report.Passed || len(r.report.NotVerified) != 1 ||
		!strings.Contains(r.report.NotVerified[0].Error, "one piece of a split disk") {
		t.Fatalf("a lone sparse extent: %v, %+v\n%s", r.err, r.report.NotVerified, r.out)
	}
}
