package postprocessor

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// TestSwapVolumes: a swap partition or swap logical volume holds no files, so a clean
// image with one passes and reports it skipped. Paged-out memory can hold a key: with
// deep_scan, a private key in the swap area's pages fails the build, naming the swap
// volume; the swap area without it passes deep_scan too.
func TestSwapVolumes(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "mkswap", "sfdisk", "sgdisk")
	dir := t.TempDir()
	tree, root := filepath.Join(dir, "tree"), filepath.Join(dir, "root.ext4")
	imagetest.WriteTree(t, tree, imagetest.Rootfs(t, false))
	imagetest.Mkfs(t, tree, root, 16)
	key := imagetest.Rootfs(t, true)["etc/ssh/ssh_host_ed25519_key"].Data

	swapArea := func(name string, withKey bool) string {
		swap := imagetest.Swap(t, filepath.Join(dir, name+"-swap.img"), 4)
		if withKey {
			imagetest.WriteAt(t, swap, 200<<10, []byte("\x00\x00 memory page: "+key+"\x00\x00"))
		}
		return swap
	}
	gptDisk := func(name string, withKey bool) (string, string) {
		out := filepath.Join(dir, name+".raw")
		imagetest.GPTDisk(t, out, []imagetest.Partition{{Image: root, Name: "root"},
			{Image: swapArea(name, withKey), Type: "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F"}})
		return out, out + " partition 2 (GPT, Linux swap)"
	}
	lvmDisk := func(name string, withKey bool) (string, string) {
		out, vg := filepath.Join(dir, name+".pv"), "sanitizeswap"+strings.ReplaceAll(name, "-", "")
		imagetest.LVMPV(t, out, 40, vg, []imagetest.LV{{Name: "root", Image: root}, {Name: "swap", Image: swapArea(name, withKey)}})
		return out, out + " LVM2 " + vg + "/swap"
	}

	for _, layout := range []struct {
		name string
		disk func(string, bool) (string, string)
	}{{"gpt", gptDisk}, {"lvm", lvmDisk}} {
		t.Run(layout.name, func(t *testing.T) {
			clean, cleanSwap := layout.disk(layout.name+"-clean", false)
			for _, cfg := range []map[string]interface{}{{}, {"deep_scan": true}} {
				r := runPP(t, cfg, clean)
				if r.err != nil || !r.report.Passed {
					t.Fatalf("%v: the clean image with swap failed: %v\n%s", cfg, r.err, r.out)
				}
				if !volumeSkipped(r.report, cleanSwap, "swap: holds no files") {
					t.Errorf("%v: %s is not reported skipped as swap: %+v", cfg, cleanSwap, r.report.Sources)
				}
			}

			dirty, dirtySwap := layout.disk(layout.name+"-dirty", true)
			if r := runPP(t, map[string]interface{}{}, dirty); r.err != nil || !r.report.Passed {
				t.Fatalf("without deep_scan swap is not read, the image should pass: %v\n%s", r.err, r.out)
			}
			r := runPP(t, map[string]interface{}{"deep_scan": true}, dirty)
			if r.err == nil || r.report.Passed {
				t.Fatalf("deep_scan passed a key in swap:\n%s", r.out)
			}
			var found bool
			for _, f := range r.report.Findings {
				found = found || f.Check == deepScanCheck && f.Source == dirtySwap && f.Path == "(swap)" &&
					strings.Contains(f.Message, "volume offset 204816")
				if body := strings.Split(key, "\n")[1]; strings.Contains(f.Message, body[:24]) {
					t.Errorf("the finding prints the key: %q", f.Message)
				}
			}
			if !found {
				t.Errorf("no deep-scan finding in %s at offset 204816: %+v", dirtySwap, r.report.Findings)
			}
			if !volumeSkipped(r.report, dirtySwap, "swap: holds no files") {
				t.Errorf("%s is not reported skipped as swap: %+v", dirtySwap, r.report.Sources)
			}
		})
	}
}

func volumeSkipped(rep Report, source, reason string) bool {
	for _, s := range rep.Sources {
		for _, v := range s.Volumes {
			if v.Source == source {
				return v.Status == statusSkipped && v.Reason == reason && v.Filesystem == "swap"
			}
		}
	}
	return false
}
