package postprocessor

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// mountedRoot is a clean root filesystem tree whose /etc/fstab is fstab, with an account
// alice whose home lies on another volume.
func mountedRoot(t *testing.T, fstab string) map[string]imagetest.File {
	files := imagetest.Rootfs(t, false)
	files["etc/passwd"] = imagetest.File{Data: files["etc/passwd"].Data + "alice:x:1001:1001:Alice:/home/alice:/bin/bash\n"}
	files["etc/shadow"] = imagetest.File{Data: files["etc/shadow"].Data + "alice:!:19000:0:99999:7:::\n", Mode: 0o640}
	files["etc/fstab"] = imagetest.File{Data: fstab}
	for _, p := range []string{"home/admin/.ssh", "home/admin/.bashrc", "var/log"} {
		delete(files, p)
	}
	files["home"], files["var"] = imagetest.File{Dir: true}, imagetest.File{Dir: true}
	return files
}

// homeTree is /home: with dirty set, alice's authorized_keys holds a key.
func homeTree(dirty bool) map[string]imagetest.File {
	files := map[string]imagetest.File{
		"alice/.profile":      {Data: "export EDITOR=vi\n"},
		"admin/.bashrc":       {Data: "alias ll='ls -l'\n"},
		"alice/.ssh":          {Dir: true, Mode: 0o700},
		"admin/.ssh":          {Dir: true, Mode: 0o700},
		"alice/notes/aws.txt": {Data: "region eu-west-1\n"},
	}
	if dirty {
		files["alice/.ssh/authorized_keys"] = imagetest.File{Data: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIO2Pn1fD5k7pEj3qQ6Wm4h0sN8bXv1cR7yT9uL2aK3zE alice@laptop\n", Mode: 0o600}
		files["alice/notes/aws.txt"] = imagetest.File{Data: "aws_access_key_id = " + imagetest.PlantedAWSKey + "\n"}
	}
	return files
}

func ext4Of(t *testing.T, dir, name string, files map[string]imagetest.File, args ...string) string {
	tree, img := filepath.Join(dir, name), filepath.Join(dir, name+".ext4")
	imagetest.WriteTree(t, tree, files)
	imagetest.Mkfs(t, tree, img, 16, args...)
	return img
}

// TestSeparateHomeAndVar: /home and /var on their own partitions (fstab by UUID and by
// LABEL) or logical volumes (/dev/mapper names). A key planted in alice's
// authorized_keys on the /home volume fails the path check at its booted path, naming the
// /home volume as the source; the content scan's finding on /home has its booted path
// too. The clean twin passes, every volume verified.
func TestSeparateHomeAndVar(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "sfdisk", "sgdisk")
	const homeUUID = "3f9a1c2e-7b4d-4e8f-a1b2-c3d4e5f60718"
	gpt := func(dir string, dirty bool) (string, string) {
		root := ext4Of(t, dir, "root", mountedRoot(t, "UUID="+homeUUID+" /home ext4 defaults 0 2\nLABEL=varfs /var ext4 defaults 0 2\n"))
		home := ext4Of(t, dir, "home", homeTree(dirty), "-U", homeUUID)
		varFS := ext4Of(t, dir, "var", map[string]imagetest.File{"log/syslog": {Data: "ok\n"}}, "-L", "varfs")
		out := filepath.Join(dir, "disk.raw")
		imagetest.GPTDisk(t, out, []imagetest.Partition{{Image: root, Name: "root"}, {Image: home, Name: "home"}, {Image: varFS, Name: "var"}})
		return out, out + ` partition 2 (GPT "home")`
	}
	lvm := func(dir string, dirty bool) (string, string) {
		vg := fmt.Sprintf("sanitize-mnt%t", dirty) // a dash: /dev/mapper doubles it
		mapper := strings.ReplaceAll(vg, "-", "--")
		root := ext4Of(t, dir, "root", mountedRoot(t, "/dev/mapper/"+mapper+"-root / ext4 defaults 0 1\n"+
			"/dev/mapper/"+mapper+"-home /home ext4 defaults 0 2\n/dev/"+vg+"/var /var ext4 defaults 0 2\n/dev/mapper/"+mapper+"-swap none swap sw 0 0\n"))
		home := ext4Of(t, dir, "home", homeTree(dirty))
		varFS := ext4Of(t, dir, "var", map[string]imagetest.File{"log/syslog": {Data: "ok\n"}})
		pv := filepath.Join(dir, "pv.img")
		imagetest.LVMPV(t, pv, 80, vg, []imagetest.LV{{Name: "root", Image: root}, {Name: "home", Image: home},
			{Name: "var", Image: varFS}, {Name: "swap", Image: imagetest.Swap(t, filepath.Join(dir, "swap.img"), 4)}})
		out := filepath.Join(dir, "disk.raw")
		imagetest.GPTDisk(t, out, []imagetest.Partition{{Image: pv, Type: "E6D6D379-F507-44C2-A23C-238F2A3DF928"}})
		return out, out + " LVM2 " + vg + "/home"
	}
	for _, layout := range []struct {
		name  string
		build func(string, bool) (string, string)
	}{{"gpt", gpt}, {"lvm", lvm}} {
		t.Run(layout.name, func(t *testing.T) {
			dirty, homeSource := layout.build(t.TempDir(), true)
			r := runPP(t, map[string]interface{}{}, dirty)
			if r.err == nil || r.report.Passed {
				t.Fatalf("a key in /home/alice on the /home volume passed:\n%s", r.out)
			}
			wants := map[string]string{"authorized-keys": "/home/alice/.ssh/authorized_keys", contentScanCheck: "/home/alice/notes/aws.txt"}
			for check, path := range wants {
				found := false
				for _, f := range r.report.Findings {
					found = found || f.Check == check && f.Path == path && f.Source == homeSource
				}
				if !found {
					t.Errorf("no %s finding at %s on %s: %+v", check, path, homeSource, r.report.Findings)
				}
			}
			if len(r.report.NotVerified) > 0 {
				t.Errorf("not verified: %+v", r.report.NotVerified)
			}
			if !strings.Contains(r.out, "mounts "+homeSource+" at /home") {
				t.Errorf("the UI does not show the mount:\n%s", r.out)
			}

			clean, _ := layout.build(t.TempDir(), false)
			r = runPP(t, map[string]interface{}{}, clean)
			if r.err != nil || !r.report.Passed {
				t.Fatalf("the clean twin failed: %v\n%s", r.err, r.out)
			}
		})
	}
}

// TestFstabVolumeMissing: a volume /etc/fstab mounts that is not in the image is not
// verified, naming the line: its files were never seen.
func TestFstabVolumeMissing(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "sfdisk", "sgdisk")
	dir := t.TempDir()
	root := ext4Of(t, dir, "root", mountedRoot(t, "UUID=3f9a1c2e-7b4d-4e8f-a1b2-c3d4e5f60718 /home ext4 defaults 0 2\n"))
	disk := filepath.Join(dir, "disk.raw")
	imagetest.GPTDisk(t, disk, []imagetest.Partition{{Image: root, Name: "root"}})
	r := runPP(t, map[string]interface{}{}, disk)
	if r.err == nil || r.report.Passed {
		t.Fatalf("an image missing its /home volume passed:\n%s", r.out)
	}
	if len(r.report.NotVerified) != 1 || r.report.NotVerified[0].Check != fstabCheck ||
		!strings.Contains(r.report.NotVerified[0].Error, "/etc/fstab line 1 mounts UUID=3f9a1c2e-7b4d-4e8f-a1b2-c3d4e5f60718 at /home: no volume of the image is") {
		t.Errorf("not verified: %+v", r.report.NotVerified)
	}
}
