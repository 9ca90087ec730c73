package image_test

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

const (
	homeUUID = "5a0f6c1e-3b7d-4e2a-9c81-0d4f2e6b7a19"
	espID    = "7E1D-2B9A"
)

// separateMounts builds a GPT disk as installers lay out a server: an ESP, a root ext4
// whose /etc/fstab mounts /boot/efi (FAT serial), /home (xfs, by UUID), /var (ext4, by
// LABEL) and /srv (by PARTLABEL), each on its own partition. fstab is the root's fstab.
func separateMounts(t *testing.T, dir, fstab string) string {
	t.Helper()
	imagetest.Need(t, "mkfs.ext4", "mkfs.xfs", "mkfs.vfat", "mcopy", "sfdisk", "sgdisk")
	files := imagetest.Rootfs(t, false)
	files["etc/fstab"] = imagetest.File{Data: fstab}
	files["home"] = imagetest.File{Dir: true}
	files["var"] = imagetest.File{Dir: true}
	files["srv"] = imagetest.File{Dir: true}
	files["boot/efi"] = imagetest.File{Dir: true}
	files["etc/alice-keys"] = imagetest.File{Link: "/home/alice/.ssh"}
	delete(files, "home/admin/.ssh")
	delete(files, "home/admin/.bashrc")
	delete(files, "var/log")
	build := func(name string, tree map[string]imagetest.File, mkfs func(tree, img string)) string {
		d, img := filepath.Join(dir, name), filepath.Join(dir, name+".img")
		imagetest.WriteTree(t, d, tree)
		mkfs(d, img)
		return img
	}
	root := build("root", files, func(d, img string) { imagetest.Mkfs(t, d, img, 16) })
	home := build("home", map[string]imagetest.File{
		"alice/.ssh/authorized_keys": {Data: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAlice alice@laptop\n", Mode: 0o600},
		"alice/.profile":             {Data: "export EDITOR=vi\n"},
	}, func(d, img string) { imagetest.MkfsXFS(t, d, img, 300, "-m", "uuid="+homeUUID, "-L", "home") })
	varFS := build("var", map[string]imagetest.File{"log/syslog": {Data: "booted\n"}},
		func(d, img string) { imagetest.Mkfs(t, d, img, 8, "-L", "var") })
	srv := build("srv", map[string]imagetest.File{"www/index.html": {Data: "hello\n"}},
		func(d, img string) { imagetest.Mkfs(t, d, img, 8) })
	esp := build("esp", map[string]imagetest.File{"EFI/debian/grub.cfg": {Data: "search root\n"}},
		func(d, img string) {
			imagetest.Vfat(t, d, img, 34, "-F", "32", "-i", strings.ReplaceAll(espID, "-", ""))
		})
	disk := filepath.Join(dir, "disk.raw")
	imagetest.GPTDisk(t, disk, []imagetest.Partition{
		{Image: esp, Type: "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"},
		{Image: root, Name: "root"},
		{Image: home, Name: "home"},
		{Image: varFS, Name: "var"},
		{Image: srv, Name: "srv data"},
	})
	return disk
}

const serverFstab = "# <file system> <mount point> <type> <options> <dump> <pass>\n" +
	"LABEL=root / ext4 defaults 0 1\n" +
	"UUID=" + espID + " /boot/efi vfat umask=0077 0 1\n" +
	"UUID=" + homeUUID + " /home xfs defaults 0 2\n" +
	"LABEL=var /var ext4 defaults 0 2\n" +
	"PARTLABEL=srv\\040data /srv ext4 defaults,nofail 0 2\n" +
	"/dev/mapper/vg-swap none swap sw 0 0\n" +
	"tmpfs /tmp tmpfs defaults 0 0\n"

// TestFstabMounts merges the root with what its fstab mounts: files on /home are read at
// their booted paths, symlinks cross the mounts inside the image, and each path's owner
// is the partition holding it.
func TestFstabMounts(t *testing.T) {
	dir := t.TempDir()
	disk := separateMounts(t, dir, serverFstab)
	im := open(t, disk)
	trees := image.Trees(im.Volumes)
	if len(trees) != 1 {
		t.Fatalf("%d trees, want 1", len(trees))
	}
	tree := trees[0]
	if len(tree.Errs) > 0 {
		t.Fatalf("fstab errors: %v", tree.Errs)
	}
	got := map[string]string{}
	for _, m := range tree.Mounts {
		got[m.Point] = im.Volumes[m.Volume].Source
	}
	want := map[string]string{
		"/boot/efi": disk + " partition 1 (GPT, EFI System)",
		"/home":     disk + ` partition 3 (GPT "home")`,
		"/var":      disk + ` partition 4 (GPT "var")`,
		"/srv":      disk + ` partition 5 (GPT "srv data")`,
	}
	for p, src := range want {
		if got[p] != src {
			t.Errorf("%s mounted from %q, want %q", p, got[p], src)
		}
	}
	if im.Volumes[tree.Root].Source != disk+` partition 2 (GPT "root")` {
		t.Errorf("root %q", im.Volumes[tree.Root].Source)
	}
	for name, content := range map[string]string{
		"home/alice/.ssh/authorized_keys": "ssh-ed25519",
		"etc/alice-keys/authorized_keys":  "ssh-ed25519", // a symlink on / into /home
		"var/log/syslog":                  "booted",
		"srv/www/index.html":              "hello",
		"boot/efi/EFI/debian/grub.cfg":    "search root",
		"etc/passwd":                      "root:x:0:0",
	} {
		if b, err := fs.ReadFile(tree.FS, name); err != nil || !strings.HasPrefix(string(b), content) {
			t.Errorf("%s: %q, %v", name, b, err)
		}
	}
	for p, want := range map[string]string{
		"/home/alice/.ssh/authorized_keys": `partition 3 (GPT "home")`,
		"/etc/alice-keys":                  `partition 2 (GPT "root")`,
		"/var/log/syslog":                  `partition 4 (GPT "var")`,
	} {
		if src := im.Volumes[tree.Owner(p)].Source; !strings.HasSuffix(src, want) {
			t.Errorf("owner of %s: %q, want %q", p, src, want)
		}
	}
}

// TestFstabNamesMissingVolumes: an fstab line naming no volume of the image, or one it
// cannot understand, is an error naming the line; the rest is still mounted.
func TestFstabNamesMissingVolumes(t *testing.T) {
	dir := t.TempDir()
	fstab := serverFstab + "UUID=0badc0de-0000-4000-8000-000000000000 /data ext4 defaults 0 2\n" +
		"/dev/md0 /raid ext4 defaults 0 2\n" +
		"LABEL=scratch /scratch xfs defaults,nofail 0 2\n"
	im := open(t, separateMounts(t, dir, fstab))
	trees := image.Trees(im.Volumes)
	if len(trees) != 1 || len(trees[0].Mounts) != 4 || len(trees[0].Errs) != 2 {
		t.Fatalf("trees %+v", trees)
	}
	// a nofail line naming no volume is a data volume attached at launch: said, not an error
	if len(trees[0].Absent) != 1 || !strings.Contains(trees[0].Absent[0], "line 11 (LABEL=scratch at /scratch, defaults,nofail) names no volume") {
		t.Errorf("absent %q", trees[0].Absent)
	}
	errs := trees[0].Errs[0].Error() + "\n" + trees[0].Errs[1].Error()
	for _, want := range []string{"line 10", "/dev/md0", "line 9 mounts UUID=0badc0de-0000-4000-8000-000000000000 at /data: no volume of the image is uuid 0badc0de"} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors %q do not say %q", errs, want)
		}
	}
}
