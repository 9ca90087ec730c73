package postprocessor

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// windowsDisk builds a Windows-shaped GPT disk (EFI System Partition, Microsoft Reserved
// Partition, NTFS system drive made by mkntfs and filled through ntfs-3g, with the
// junctions Windows has) holding the clean or dirty Windows tree.
func windowsDisk(t *testing.T, dir, name string, dirty bool) string {
	t.Helper()
	tree := filepath.Join(dir, name+"-tree")
	imagetest.WriteTree(t, tree, imagetest.WindowsTree(t, dirty))
	system := filepath.Join(dir, name+".ntfs")
	imagetest.NTFS(t, tree, system, 64)
	imagetest.MountNTFS(t, system, func(mnt string) {
		for link, target := range map[string]string{"Documents and Settings": `C:\Users`, "Users/All Users": `C:\ProgramData`} {
			p := filepath.Join(mnt, link)
			imagetest.Run(t, "mkdir", p)
			imagetest.NTFSReparse(t, p, imagetest.NTFSLinkBuffer(imagetest.TagMountPoint, target, false))
		}
	})
	out := filepath.Join(dir, name+".raw")
	imagetest.WindowsDisk(t, out, system, map[string]imagetest.File{"EFI/Microsoft/Boot/bootmgfw.efi": {Data: "MZ bootmgr"}})
	return out
}

// TestWindowsImagesDirtyFailCleanPass: a Windows system drive (NTFS in a GPT disk with
// an ESP and an MSR, as raw, VHDX and VMDK) gets the Windows checks and the content scan;
// each planted residue fails the dirty image by check and path, and the clean twin passes.
func TestWindowsImagesDirtyFailCleanPass(t *testing.T) {
	imagetest.Need(t, "mkntfs", "ntfs-3g", "mkfs.vfat", "mcopy", "sfdisk", "sgdisk", "qemu-img")
	dir := t.TempDir()
	raws := map[bool]string{true: windowsDisk(t, dir, "dirty", true), false: windowsDisk(t, dir, "clean", false)}
	formats := []struct {
		name    string
		convert func(t *testing.T, raw, out string)
	}{
		{"raw", nil},
		{"vhdx", qemuImg("vhdx", "subformat=dynamic")},
		{"vmdk", func(t *testing.T, raw, out string) { imagetest.VMDK(t, raw, out, "streamOptimized") }},
	}
	for _, f := range formats {
		t.Run(f.name, func(t *testing.T) {
			img := map[bool]string{}
			for dirty, raw := range raws {
				img[dirty] = raw
				if f.convert != nil {
					img[dirty] = filepath.Join(t.TempDir(), filepath.Base(raw)+"."+f.name)
					f.convert(t, raw, img[dirty])
				}
			}
			r := runPP(t, map[string]interface{}{}, img[false])
			if r.err != nil || !r.report.Passed {
				t.Fatalf("the clean Windows image failed: %v\n%s", r.err, r.out)
			}
			for _, want := range []string{"NTFS", "Windows system drive", "Microsoft Reserved Partition: no filesystem", "FAT32"} {
				if !strings.Contains(r.out, want) {
					t.Errorf("the UI does not show %q:\n%s", want, r.out)
				}
			}
			r = runPP(t, map[string]interface{}{}, img[true])
			if r.err == nil || r.report.Passed {
				t.Fatalf("the dirty Windows image passed:\n%s", r.out)
			}
			for _, want := range imagetest.WindowsPlanted {
				if !hasFinding(r.report, want.Check, want.Path) {
					t.Errorf("no %s finding at %s:\n%s", want.Check, want.Path, r.out)
				}
			}
			for _, secret := range []string{imagetest.WindowsPlantedPassword, imagetest.PlantedAWSKey} {
				if strings.Contains(r.out, secret) {
					t.Errorf("the output shows the planted secret %s", secret)
				}
			}
		})
	}
}

// TestWindowsChecksSelection: `checks` names Linux and Windows checks alike; a Windows
// check dropped from the selection does not run on the Windows drive.
func TestWindowsChecksSelection(t *testing.T) {
	linux, err := selectChecks([]string{"defaults", "-sysprep-state", "-event-logs"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range linux {
		ids = append(ids, string(c.OS)+"/"+c.ID)
	}
	got := strings.Join(ids, " ")
	for _, want := range []string{"linux/ssh-host-keys", "windows/psreadline-history", "linux/tmp-files", "windows/tmp-files"} {
		if !strings.Contains(got, want) {
			t.Errorf("defaults lack %s: %s", want, got)
		}
	}
	for _, gone := range []string{"sysprep-state", "event-logs"} {
		if strings.Contains(got, gone) {
			t.Errorf("-%s kept it: %s", gone, got)
		}
	}
	only, err := selectChecks([]string{"sysprep-state"})
	if err != nil || len(only) != 1 || only[0].ID != "sysprep-state" {
		t.Errorf("[sysprep-state] selects %v, %v", only, err)
	}
	if _, err := selectChecks([]string{"no-such-check"}); err == nil || !strings.Contains(err.Error(), "psreadline-history") {
		t.Errorf("an unknown check: %v, want an error listing the valid ones", err)
	}
}
