package imagetest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
)

// Vfat makes an image file of sizeMiB holding a FAT filesystem made by mkfs.vfat (args
// go to it, for example "-F", "32" or "-S", "4096") and copies the tree into it with
// mtools' mcopy, which writes long names as Windows and Linux do.
func Vfat(t testing.TB, tree, img string, sizeMiB int, args ...string) {
	t.Helper()
	Need(t, "mkfs.vfat", "mcopy")
	os.Remove(img)
	all := append([]string{"-C"}, args...)
	Run(t, "mkfs.vfat", append(all, img, strconv.Itoa(sizeMiB*1024))...)
	entries, err := os.ReadDir(tree)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) == 0 {
		return
	}
	cmd := exec.Command("mcopy", "-s", "-Q", "-i", img)
	for _, e := range entries {
		cmd.Args = append(cmd.Args, filepath.Join(tree, e.Name()))
	}
	cmd.Args = append(cmd.Args, "::/")
	cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("mcopy: %v\n%s", err, out)
	}
}

// Mtools runs an mtools command (mdel, mmd, mcopy, ...) on the FAT image img; args name
// files in the image as "::/path".
func Mtools(t testing.TB, tool, img string, args ...string) {
	t.Helper()
	cmd := exec.Command(tool, append([]string{"-i", img}, args...)...)
	cmd.Env = append(os.Environ(), "MTOOLS_SKIP_CHECK=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s %v: %v\n%s", tool, args, err, out)
	}
}
