package postprocessor

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// TestXFSRootVerifiesLikeExt4: the dirty and clean rootfs trees made into xfs (protofile,
// nrext64, 4k sectors) give exactly the findings and verdicts of their ext4 twins.
func TestXFSRootVerifiesLikeExt4(t *testing.T) {
	imagetest.Need(t, "mkfs.xfs", "mkfs.ext4")
	dir := t.TempDir()
	for _, dirty := range []bool{true, false} {
		name := map[bool]string{true: "dirty", false: "clean"}[dirty]
		t.Run(name, func(t *testing.T) {
			tree := filepath.Join(dir, name)
			imagetest.WriteTree(t, tree, imagetest.Rootfs(t, dirty))
			ext4, xfs := filepath.Join(dir, name+".ext4"), filepath.Join(dir, name+".xfs")
			imagetest.Mkfs(t, tree, ext4, 16)
			imagetest.MkfsXFS(t, tree, xfs, 300, "-i", "nrext64=1", "-s", "size=4096")
			want, got := runPP(t, map[string]interface{}{}, ext4), runPP(t, map[string]interface{}{}, xfs)
			if got.report.Passed != !dirty || want.report.Passed != !dirty {
				t.Fatalf("passed: xfs %t, ext4 %t; want %t\n%s", got.report.Passed, want.report.Passed, !dirty, got.out)
			}
			if g, w := findingKeys(got.report), findingKeys(want.report); !slices.Equal(g, w) {
				t.Errorf("xfs findings\n%s\nwant (ext4)\n%s", strings.Join(g, "\n"), strings.Join(w, "\n"))
			}
			if !strings.Contains(got.out, ": xfs: ") {
				t.Errorf("the UI does not name the filesystem:\n%s", got.out)
			}
		})
	}
}
