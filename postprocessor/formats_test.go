package postprocessor

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// converters turn a raw disk into the containers builders hand over, with qemu-img as
// VMware, VirtualBox and Hyper-V builds would.
var converters = []struct {
	name    string
	convert func(t *testing.T, raw, out string)
}{
	{"vmdk monolithicSparse", func(t *testing.T, raw, out string) { imagetest.VMDK(t, raw, out, "monolithicSparse") }},
	{"vmdk streamOptimized", func(t *testing.T, raw, out string) { imagetest.VMDK(t, raw, out, "streamOptimized") }},
	{"vhd dynamic", qemuImg("vpc", "subformat=dynamic")},
	{"vhd fixed", qemuImg("vpc", "subformat=fixed")},
	{"vhdx dynamic", qemuImg("vhdx", "subformat=dynamic")},
	{"vhdx fixed", qemuImg("vhdx", "subformat=fixed")},
	{"ova", func(t *testing.T, raw, out string) {
		vmdk := filepath.Join(filepath.Dir(out), "disk1.vmdk")
		imagetest.VMDK(t, raw, vmdk, "streamOptimized")
		imagetest.OVA(t, out, vmdk)
	}},
}

// TestFormatsVerifyLikeRaw: the dirty and clean GPT disks, converted, give exactly the
// findings and the verdict of the raw disk.
func TestFormatsVerifyLikeRaw(t *testing.T) {
	dirty, clean := images(t)
	for _, twin := range []struct {
		name string
		raw  string
	}{{"dirty", dirty["gpt"]}, {"clean", clean["gpt"]}} {
		want := runPP(t, map[string]interface{}{}, twin.raw)
		if dirty := twin.name == "dirty"; want.report.Passed == dirty || dirty && len(want.report.Findings) < len(imagetest.Planted) {
			t.Fatalf("the raw %s disk: passed %t with %d findings", twin.name, want.report.Passed, len(want.report.Findings))
		}
		for _, c := range converters {
			t.Run(twin.name+" "+c.name, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "disk."+strings.Fields(c.name)[0])
				c.convert(t, twin.raw, out)
				got := runPP(t, map[string]interface{}{}, out)
				if got.report.Passed != want.report.Passed || (got.err == nil) != (want.err == nil) {
					t.Fatalf("passed %t (err %v), raw passed %t (err %v)\n%s", got.report.Passed, got.err, want.report.Passed, want.err, got.out)
				}
				if g, w := findingKeys(got.report), findingKeys(want.report); !slices.Equal(g, w) {
					t.Errorf("findings\n%s\nwant (raw)\n%s", strings.Join(g, "\n"), strings.Join(w, "\n"))
				}
				if len(got.report.Findings) > 0 && !strings.HasPrefix(got.report.Findings[0].Source, out) {
					t.Errorf("source %q does not name %s", got.report.Findings[0].Source, out)
				}
			})
		}
	}
}

// findingKeys are the findings without their source, sorted.
func findingKeys(r Report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprintf("%s %s %s %s", f.Severity, f.Check, f.Path, f.Message))
	}
	slices.Sort(out)
	return out
}

func qemuImg(format, opts string) func(t *testing.T, raw, out string) {
	return func(t *testing.T, raw, out string) {
		imagetest.Need(t, "qemu-img")
		imagetest.Run(t, "qemu-img", "convert", "-f", "raw", "-O", format, "-o", opts, raw, out)
	}
}
