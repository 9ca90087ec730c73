package postprocessor

import (
	"fmt"
	"path"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	"github.com/goldenimage/packer-plugin-sanitize/image"
)

// fstabCheck names what could not be mounted as the root's /etc/fstab says.
const fstabCheck = "fstab"

// volumeRole is a volume's place in the booted system: a root filesystem whose fstab
// mounts other volumes (tree), a volume mounted by one (mountedAt), or neither.
type volumeRole struct {
	tree      *image.Tree
	vols      []image.Volume // the image's, for the sources of the tree's findings
	mountedAt string         // "/home"
	treeScope string         // what the report says was done
}

// mountRoles reads the fstab of each root filesystem among vols and tells each volume
// its role.
func (v *verifier) mountRoles(vols []image.Volume) []volumeRole {
	roles := make([]volumeRole, len(vols))
	for _, t := range image.Trees(vols) {
		root := vols[t.Root].Source
		var points []string
		for _, m := range t.Mounts {
			points = append(points, m.Point)
			roles[m.Volume] = volumeRole{mountedAt: m.Point,
				treeScope: fmt.Sprintf("mounted at %s by /etc/fstab of %s: path checks in that tree, content scan of every file", m.Point, root)}
			v.say(fmt.Sprintf("  %s: /etc/fstab line %d mounts %s at %s", root, m.Line, vols[m.Volume].Source, m.Point))
		}
		scope := "no other volume mounted by /etc/fstab"
		if len(points) > 0 {
			scope = "path checks over / with " + strings.Join(points, ", ") + " mounted as /etc/fstab says"
		}
		for _, a := range t.Absent {
			v.say(fmt.Sprintf("  %s: %s: a volume attached at launch, not part of the image", root, a))
			scope += "; " + a + " (optional: not part of the image)"
		}
		roles[t.Root] = volumeRole{tree: t, vols: vols, treeScope: scope}
	}
	return roles
}

// notVerified lists the fstab lines of a root whose volumes could not be mounted.
func (r volumeRole) notVerified() []cleanup.NotVerified {
	if r.tree == nil {
		return nil
	}
	var out []cleanup.NotVerified
	for _, err := range r.tree.Errs {
		out = append(out, cleanup.NotVerified{Check: fstabCheck, Error: err.Error() + ": what it mounts was not checked"})
	}
	return out
}

// source names the volume holding a finding's file: in a merged tree, the volume
// mounted where the path lies.
func (r volumeRole) source(vol image.Volume, f cleanup.Finding) string {
	if r.tree == nil || !strings.HasPrefix(f.Path, "/") {
		return vol.Source
	}
	return r.vols[r.tree.Owner(f.Path)].Source
}

// atMountPoint gives a mounted volume's content scan findings their paths in the booted
// system: /home/alice/notes, not /alice/notes.
func (r volumeRole) atMountPoint(found []cleanup.Finding) []cleanup.Finding {
	if r.mountedAt == "" {
		return found
	}
	for i := range found {
		if strings.HasPrefix(found[i].Path, "/") {
			found[i].Path = path.Join(r.mountedAt, found[i].Path)
		}
	}
	return found
}

// countByVolume drops a content scan finding that a check already made for the same file
// of the same volume (a mounted volume is scanned apart from the tree its checks ran in),
// and sets each volume's finding count.
func countByVolume(vols []VolumeResult, found []Finding) []Finding {
	named := map[[2]string]bool{}
	for _, f := range found {
		if f.Check != contentScanCheck {
			named[[2]string{f.Source, f.Path}] = true
		}
	}
	out := found[:0]
	count := map[string]int{}
	for _, f := range found {
		if f.Check == contentScanCheck && named[[2]string{f.Source, f.Path}] {
			continue
		}
		out = append(out, f)
		count[f.Source]++
	}
	for i := range vols {
		vols[i].Findings = count[vols[i].Source]
	}
	return out
}
