package image

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strconv"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/image/fstab"
	"github.com/goldenimage/packer-plugin-sanitize/image/mountfs"
)

// Tree is a root filesystem merged with the volumes its /etc/fstab mounts (a separate
// /home, /var, /boot/efi), so that path checks see /home/alice/.ssh/authorized_keys on a
// /home partition as the booted system does.
type Tree struct {
	Root   int   // index in the image's Volumes of the root filesystem
	FS     fs.FS // the merged tree, rooted at /; fs.ReadLinkFS
	Mounts []Mount
	// Errs are fstab lines that could not be read or matched to a volume of the image:
	// what they mount was not checked, so each is "not verified".
	Errs []error
	// Absent are `nofail`/`noauto` lines naming no volume of the image: a data volume
	// attached at launch, not part of the image, so nothing of the image goes unchecked.
	Absent []string
	merged *mountfs.FS
}

// errNoVolume: an fstab line names no volume of the image.
var errNoVolume = errors.New("no volume of the image is")

// Mount is one volume of the image mounted in a Tree.
type Mount struct {
	Point  string // "/home"
	Volume int    // index in the image's Volumes
	Line   int    // of /etc/fstab
}

// Owner returns the index in the image's Volumes of the volume holding the guest path p
// (as written, symlinks not followed): the source of a finding at p.
func (t *Tree) Owner(p string) int {
	point := "/" + strings.TrimPrefix(t.merged.Owner(p), ".")
	for _, m := range t.Mounts {
		if m.Point == point {
			return m.Volume
		}
	}
	return t.Root
}

// Trees reads /etc/fstab of every root filesystem among vols (a volume with /etc/fstab)
// and mounts the volumes it names. A root filesystem without /etc/fstab has no Tree.
func Trees(vols []Volume) []*Tree {
	var trees []*Tree
	for i, v := range vols {
		if v.FS == nil {
			continue
		}
		if fi, err := fs.Stat(v.FS, "etc"); err != nil || !fi.IsDir() {
			continue
		}
		data, err := readFstab(v.FS)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		t := &Tree{Root: i, merged: mountfs.New(v.FS)}
		t.FS = t.merged
		trees = append(trees, t)
		if err != nil {
			t.Errs = append(t.Errs, fmt.Errorf("/etc/fstab: %w: the volumes it mounts are not known", err))
			continue
		}
		entries, errs := fstab.Parse(data)
		t.Errs = append(t.Errs, errs...)
		for _, e := range entries {
			switch err := t.mount(vols, e); {
			case err == nil:
			case errors.Is(err, errNoVolume) && optionalMount(e):
				t.Absent = append(t.Absent, fmt.Sprintf("/etc/fstab line %d (%s at %s, %s) names no volume of the image",
					e.Line, e.Spec, e.MountPoint, strings.Join(e.Options, ",")))
			default:
				t.Errs = append(t.Errs, fmt.Errorf("/etc/fstab line %d mounts %s at %s: %w", e.Line, e.Spec, e.MountPoint, err))
			}
		}
		if len(t.Mounts) == 0 {
			t.FS = v.FS // nothing merged: the root's own symlink resolution is the same, and faster
		}
	}
	return trees
}

// optionalMount tells a line whose volume the system boots without (nofail, noauto).
func optionalMount(e fstab.Entry) bool {
	for _, o := range e.Options {
		if o == "nofail" || o == "noauto" {
			return true
		}
	}
	return false
}

func readFstab(fsys fs.FS) ([]byte, error) {
	f, err := fsys.Open("etc/fstab")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, fstab.MaxSize+1))
}

// mount finds the one volume e names and mounts it.
func (t *Tree) mount(vols []Volume, e fstab.Entry) error {
	var found []int
	for i, v := range vols {
		if matches(e.Source, v.IDs) {
			found = append(found, i)
		}
	}
	switch {
	case len(found) == 0:
		return fmt.Errorf("%w %s", errNoVolume, e.Source)
	case len(found) > 1:
		return fmt.Errorf("%d volumes of the image are %s: which one is mounted cannot be told", len(found), e.Source)
	case found[0] == t.Root:
		return errors.New("that is the root filesystem itself")
	}
	v := vols[found[0]]
	if v.FS == nil {
		if v.Err != nil {
			return nil // the volume is reported not verified on its own
		}
		return fmt.Errorf("%s holds no filesystem (%s)", v.Source, v.Skipped)
	}
	if err := t.merged.Mount(strings.TrimPrefix(e.MountPoint, "/"), v.FS); err != nil {
		return err
	}
	t.Mounts = append(t.Mounts, Mount{Point: e.MountPoint, Volume: found[0], Line: e.Line})
	return nil
}

func matches(s fstab.Source, ids VolumeIDs) bool {
	switch s.Kind {
	case "uuid":
		return ids.UUID != "" && strings.EqualFold(s.Value, ids.UUID)
	case "label":
		return ids.Label != "" && s.Value == ids.Label
	case "partuuid":
		return ids.PartUUID != "" && strings.EqualFold(s.Value, ids.PartUUID)
	case "partlabel":
		return ids.PartLabel != "" && s.Value == ids.PartLabel
	case "lv":
		return ids.LV != "" && s.Value == ids.LV
	case "partition":
		return ids.Partition > 0 && s.Value == strconv.Itoa(ids.Partition)
	}
	return false
}
