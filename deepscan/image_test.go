package deepscan

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/goldenimage/packer-plugin-sanitize/image"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

func newPrivateKey(t *testing.T) string {
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "test")
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(block))
}

// scanImage deep-scans every volume of img and locates the hits.
func scanImage(t *testing.T, img string) []Hit {
	t.Helper()
	im, err := image.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	var all []Hit
	for _, v := range im.Volumes {
		if v.Err != nil {
			t.Fatal(v.Err)
		}
		res, err := Scan(context.Background(), v.Source, v.Raw, v.Raw.Size(), Options{})
		if err != nil {
			t.Fatal(err)
		}
		// As sanitize-verify does: the owners looked up in an index (on ext4 and xfs),
		// with the filesystem reader the image was opened with...
		loc := NewLocator(v.Raw, v.Raw.Size(), v.Filesystem).Reuse(v.Reader())
		walked := slices.Clone(res.Hits)
		if err := loc.Locate(res.Hits); err != nil {
			t.Fatal(err)
		}
		// ...tell what a walk for the hits tells.
		walker := NewLocator(v.Raw, v.Raw.Size(), v.Filesystem)
		walker.walk = true
		if err := walker.Locate(walked); err != nil {
			t.Fatal(err)
		}
		if indexed := strings.HasPrefix(v.Filesystem, "ext") || v.Filesystem == "xfs"; len(res.Hits) > 0 && loc.looked != indexed {
			t.Errorf("%s (%s): hits looked up in an index: %t, want %t", v.Source, v.Filesystem, loc.looked, indexed)
		}
		if walker.looked {
			t.Errorf("%s: the walking Locator looked the hits up in an index", v.Source)
		}
		if !slices.Equal(res.Hits, walked) {
			t.Fatalf("%s: located in the index: %s; walked for: %s", v.Source, describeHits(res.Hits), describeHits(walked))
		}
		all = append(all, res.Hits...)
	}
	return all
}

func describeHits(hits []Hit) string {
	var s []string
	for _, h := range hits {
		s = append(s, h.Rule+"@"+h.Owner.Kind+":"+h.Owner.Path)
	}
	return strings.Join(s, " ")
}

// A key deleted from the filesystem (its blocks freed, its bytes left) is a remnant in
// free space; a live key is reported with its path; on ext4 (extents) and ext3 (block maps).
func TestDeletedKeyIsARemnant(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "debugfs")
	for _, fsType := range []string{"ext4", "ext3"} {
		t.Run(fsType, func(t *testing.T) {
			dir := t.TempDir()
			tree := filepath.Join(dir, "tree")
			pad := strings.Repeat("# padding so the file is not inline\n", 200)
			imagetest.WriteTree(t, tree, map[string]imagetest.File{
				"root/.ssh/id_ed25519":      {Data: newPrivateKey(t), Mode: 0o600},
				"home/admin/old/id_ed25519": {Data: pad + newPrivateKey(t), Mode: 0o600},
				"usr/share/doc/README":      {Data: "nothing to see\n"},
				"var/lib/big/blob":          {Data: strings.Repeat("x", 300<<10) + newPrivateKey(t)},
				"usr/lib/libtest.so":        {Data: "\x7fELF" + pad + newPrivateKey(t)},
			})
			// A hard link: the walk meets the same blocks under two names.
			if err := os.Link(filepath.Join(tree, "var/lib/big/blob"), filepath.Join(tree, "usr/share/doc/blob-link")); err != nil {
				t.Fatal(err)
			}
			img := filepath.Join(dir, "disk.img")
			imagetest.Mkfs(t, tree, img, 32, "-t", fsType)
			imagetest.Run(t, "debugfs", "-w", "-R", "rm /home/admin/old/id_ed25519", img)

			hits := scanImage(t, img)
			got := describeHits(hits)
			for _, want := range []string{"private-key@file:/root/.ssh/id_ed25519", "private-key@free:"} {
				if !strings.Contains(got, want) {
					t.Errorf("missing %s in %s", want, got)
				}
			}
			if !strings.Contains(got, "private-key@file:/var/lib/big/blob") && !strings.Contains(got, "private-key@file:/usr/share/doc/blob-link") {
				t.Errorf("the hard-linked blob is named by neither of its names in %s", got)
			}
			if strings.Count(got, "private-key@") != 4 {
				t.Errorf("want 4 hits, got %s", got)
			}
			for _, h := range hits {
				if h.Owner.Executable != (h.Owner.Path == "/usr/lib/libtest.so") {
					t.Errorf("%s: executable = %t", h.Owner.Path, h.Owner.Executable)
				}
			}
		})
	}
}

func TestCleanImageHasNoHits(t *testing.T) {
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	imagetest.WriteTree(t, tree, imagetest.Rootfs(t, false))
	img := filepath.Join(dir, "disk.img")
	imagetest.Mkfs(t, tree, img, 16)
	if hits := scanImage(t, img); len(hits) != 0 {
		t.Fatalf("hits on a clean image: %s", describeHits(hits))
	}
	_ = os.Remove(img)
}

// On xfs, NTFS and FAT too, a live key is reported with its path and a key deleted
// through the kernel (ntfs-3g for NTFS, mtools for FAT) is a remnant in free space; a key in an ELF file
// is marked so.
func TestDeletedKeyIsARemnantOnXFSNTFSAndFAT(t *testing.T) {
	pad := strings.Repeat("# padding so the file is not resident in its MFT record\n", 40)
	for _, tc := range []struct {
		name   string
		build  func(t *testing.T, tree, img string)
		delete func(t *testing.T, img string, data []byte) // writes data as /old_key, deletes it
	}{
		{"xfs", func(t *testing.T, tree, img string) { imagetest.MkfsXFS(t, tree, img, 300) },
			func(t *testing.T, img string, data []byte) {
				imagetest.Mount(t, img, func(mnt string) { imagetest.PlantDeleted(t, filepath.Join(mnt, "old_key"), data) })
			}},
		{"NTFS", func(t *testing.T, tree, img string) { imagetest.NTFS(t, tree, img, 64) },
			func(t *testing.T, img string, data []byte) {
				imagetest.MountNTFS(t, img, func(mnt string) { imagetest.PlantDeleted(t, filepath.Join(mnt, "old_key"), data) })
			}},
		{"FAT", func(t *testing.T, tree, img string) { imagetest.Vfat(t, tree, img, 40, "-F", "16", "-s", "8") },
			func(t *testing.T, img string, data []byte) { // no vfat module here: through mtools
				src := filepath.Join(t.TempDir(), "old_key")
				if err := os.WriteFile(src, data, 0o600); err != nil {
					t.Fatal(err)
				}
				imagetest.Mtools(t, "mcopy", img, src, "::/old_key")
				imagetest.Mtools(t, "mdel", img, "::/old_key")
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tree := filepath.Join(dir, "tree")
			imagetest.WriteTree(t, tree, map[string]imagetest.File{
				"root/.ssh/id_ed25519": {Data: pad + newPrivateKey(t), Mode: 0o600},
				"usr/share/doc/README": {Data: "nothing to see\n"},
				"usr/lib/libtest.so":   {Data: "\x7fELF" + pad + newPrivateKey(t)},
			})
			img := filepath.Join(dir, "disk.img")
			tc.build(t, tree, img)
			tc.delete(t, img, []byte(pad+newPrivateKey(t)))

			hits := scanImage(t, img)
			got := describeHits(hits)
			for _, want := range []string{"private-key@file:/root/.ssh/id_ed25519", "private-key@free:",
				"private-key@file:/usr/lib/libtest.so"} {
				if !strings.Contains(got, want) {
					t.Errorf("missing %s in %s", want, got)
				}
			}
			for _, h := range hits {
				if h.Owner.Kind == KindUnknown {
					t.Errorf("a hit of unknown owner: %+v", h)
				}
				if h.Owner.Kind == "file" && h.Owner.Executable != (h.Owner.Path == "/usr/lib/libtest.so") {
					t.Errorf("%s: executable = %t", h.Owner.Path, h.Owner.Executable)
				}
			}
		})
	}
}
