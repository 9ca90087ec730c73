package postprocessor

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/image"
	"github.com/goldenimage/packer-plugin-sanitize/image/fsfile"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// hostileDeadline is how long sanitize-verify may take on a crafted image on a loaded
// 2-core runner: a walk that does not notice the trap takes hours.
const hostileDeadline = 60 * time.Second

// runPPWithin runs the post-processor with a deadline of its own, so that a hang fails
// this test rather than the whole package at go test's timeout.
func runPPWithin(t *testing.T, deadline time.Duration, cfg map[string]interface{}, files ...string) result {
	t.Helper()
	done := make(chan result, 1)
	start := time.Now()
	go func() { done <- runPP(t, cfg, files...) }()
	select {
	case r := <-done:
		t.Logf("verified in %v", time.Since(start).Round(time.Millisecond))
		return r
	case <-time.After(deadline):
		t.Fatalf("sanitize-verify still running after %v", deadline)
		return result{}
	}
}

// hostileRootfs builds the clean rootfs as ext4 and bends it with debugfs commands.
func hostileRootfs(t *testing.T, sizeMiB int, extra func(tree string, files map[string]imagetest.File), commands []string) string {
	t.Helper()
	imagetest.Need(t, "mkfs.ext4", "debugfs")
	dir := t.TempDir()
	tree, img := filepath.Join(dir, "tree"), filepath.Join(dir, "hostile.ext4")
	files := imagetest.Rootfs(t, false)
	files["root/trap"] = imagetest.File{Dir: true}
	if extra != nil {
		extra(tree, files)
	}
	imagetest.WriteTree(t, tree, files)
	imagetest.Mkfs(t, tree, img, sizeMiB)
	imagetest.Debugfs(t, img, commands)
	return img
}

// wantNotVerified asserts the build failed closed with a not-verified entry saying why.
func wantNotVerified(t *testing.T, r result, why string) {
	t.Helper()
	if r.err == nil || r.report.Passed {
		t.Fatalf("the hostile image passed:\n%s", r.out)
	}
	for _, nv := range r.report.NotVerified {
		if strings.Contains(nv.Error, why) {
			return
		}
	}
	t.Fatalf("no not-verified entry saying %q:\n%s", why, r.out)
}

// TestDirectoryLinkBombFailsClosed: a directory linked under 8 names at each of 8 levels
// (16.7M paths for a naive walk) is reported as linked from several places, quickly.
func TestDirectoryLinkBombFailsClosed(t *testing.T) {
	t.Run("ext4", func(t *testing.T) {
		img := hostileRootfs(t, 16, func(_ string, files map[string]imagetest.File) {
			files[imagetest.Chain("root/trap", 8)] = imagetest.File{Dir: true}
		}, imagetest.LinkBombCommands("root/trap", 8, 8))
		r := runPPWithin(t, hostileDeadline, map[string]interface{}{}, img)
		wantNotVerified(t, r, "linked from several places")
	})
	t.Run("xfs", func(t *testing.T) {
		imagetest.Need(t, "mkfs.xfs", "xfs_db")
		dir := t.TempDir()
		tree, img := filepath.Join(dir, "tree"), filepath.Join(dir, "hostile.xfs")
		files := imagetest.Rootfs(t, false)
		imagetest.LinkBombTree(files, "root/trap", 8, 8)
		imagetest.WriteTree(t, tree, files)
		imagetest.MkfsXFS(t, tree, img, 300)
		imagetest.XFSLinkBomb(t, img, "root/trap", 8, 8)
		r := runPPWithin(t, hostileDeadline, map[string]interface{}{}, img)
		wantNotVerified(t, r, "linked from several places")
	})
}

// TestDeepNestingFailsClosed: 5000 nested directories on ext4 (deeper than any host path,
// made with debugfs) and 1100 on xfs stop the walks at fsfile.MaxDepth with a clear error,
// not a stack overflow or a walk quadratic in the depth.
func TestDeepNestingFailsClosed(t *testing.T) {
	want := fmt.Sprintf("directories nested more than %d deep", fsfile.MaxDepth)
	t.Run("ext4", func(t *testing.T) {
		img := hostileRootfs(t, 64, nil, imagetest.DeepChainCommands("root/trap", 5000))
		wantNotVerified(t, runPPWithin(t, hostileDeadline, map[string]interface{}{}, img), want)
	})
	t.Run("xfs", func(t *testing.T) {
		imagetest.Need(t, "mkfs.xfs")
		dir := t.TempDir()
		tree, img := filepath.Join(dir, "tree"), filepath.Join(dir, "deep.xfs")
		files := imagetest.Rootfs(t, false)
		files[imagetest.Nested("root/trap", 1100)] = imagetest.File{Dir: true}
		imagetest.WriteTree(t, tree, files)
		imagetest.MkfsXFS(t, tree, img, 300)
		wantNotVerified(t, runPPWithin(t, hostileDeadline, map[string]interface{}{}, img), want)
	})
}

// TestSymlinkLoopsFailClosed: a symlink loop and a chain of 45 hops (more than the
// kernel's 40) where checks read are "too many levels of symbolic links", on ext4 and xfs.
func TestSymlinkLoopsFailClosed(t *testing.T) {
	files := imagetest.Rootfs(t, false)
	files["root/.ssh/authorized_keys"] = imagetest.File{Link: "loop-b"}
	files["root/.ssh/loop-b"] = imagetest.File{Link: "authorized_keys"}
	files["home/admin/.ssh/authorized_keys"] = imagetest.File{Link: "hop1"}
	for i := 1; i < 45; i++ {
		files[fmt.Sprintf("home/admin/.ssh/hop%d", i)] = imagetest.File{Link: fmt.Sprintf("hop%d", i+1)}
	}
	files["home/admin/.ssh/hop45"] = imagetest.File{Data: "# no keys\n"}
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	imagetest.WriteTree(t, tree, files)
	imagetest.Need(t, "mkfs.ext4", "mkfs.xfs")
	ext4, xfs := filepath.Join(dir, "links.ext4"), filepath.Join(dir, "links.xfs")
	imagetest.Mkfs(t, tree, ext4, 16)
	imagetest.MkfsXFS(t, tree, xfs, 300)
	for _, img := range []string{ext4, xfs} {
		t.Run(filepath.Ext(img)[1:], func(t *testing.T) {
			r := runPPWithin(t, hostileDeadline, map[string]interface{}{}, img)
			for _, home := range []string{"/root", "/home/admin"} {
				wantNotVerified(t, r, home+"/.ssh/authorized_keys: too many levels of symbolic links")
			}
		})
	}
}

// TestHugeClaimedSizesBounded: sizes read from the image are not trusted. A 1 TiB sparse
// file, files and a directory whose inodes claim 2^62 bytes are verified in bounded time
// and memory, and what could not be read is "not verified", never a pass.
func TestHugeClaimedSizesBounded(t *testing.T) {
	const huge = "0x4000000000000000"
	img := hostileRootfs(t, 16, func(tree string, files map[string]imagetest.File) {
		files["root/claims-huge"] = imagetest.File{Data: "AWS_SECRET_ACCESS_KEY=x\n"}
		imagetest.SparseFile(t, tree, "root/sparse.img", 1<<40, "data at the start\n") // mkfs keeps the holes
	}, []string{
		"sif /etc/shadow size " + huge,
		"sif /root/claims-huge size " + huge,
		"sif /etc/ssh size " + huge,
	})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	r := runPPWithin(t, hostileDeadline, map[string]interface{}{"deep_scan": true}, img)
	runtime.ReadMemStats(&after)
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 256<<20 {
		t.Errorf("verifying allocated %d MiB; a size read from the image was trusted", alloc>>20)
	}
	t.Logf("allocated %d MiB, heap %d MiB", (after.TotalAlloc-before.TotalAlloc)>>20, after.HeapSys>>20)
	wantNotVerified(t, r, "etc/shadow")
	wantNotVerified(t, r, "etc/ssh")
}

// TestNTFSSymlinkLoopFailsClosed: on a Windows system drive (NTFS through ntfs-3g), an
// answer file that is a symlink loop is not verified (the Windows checks follow no link:
// it was a silent pass), and the NTFS reader refuses the loop. (A directory under two
// names is proven in image/ntfs with patched index entries; nesting past
// fsfile.MaxDepth is not built on NTFS: ntfs-3g takes minutes to make 1100 levels.)
func TestNTFSSymlinkLoopFailsClosed(t *testing.T) {
	imagetest.Need(t, "mkntfs", "ntfs-3g", "mkfs.vfat", "mcopy", "sfdisk", "sgdisk")
	dir := t.TempDir()
	files := imagetest.WindowsTree(t, false)
	const answers = "Windows/Panther/unattend.xml"
	files[answers] = imagetest.File{Link: "unattend-loop.xml"}
	files["Windows/Panther/unattend-loop.xml"] = imagetest.File{Link: "unattend.xml"}
	tree, system, img := filepath.Join(dir, "tree"), filepath.Join(dir, "system.ntfs"), filepath.Join(dir, "disk.raw")
	imagetest.WriteTree(t, tree, files)
	imagetest.NTFS(t, tree, system, 64)
	imagetest.WindowsDisk(t, img, system, map[string]imagetest.File{"EFI/Microsoft/Boot/bootmgfw.efi": {Data: "MZ bootmgr"}})
	r := runPPWithin(t, hostileDeadline, map[string]interface{}{}, img)
	wantNotVerified(t, r, "/"+answers+": a symbolic link, not followed")

	im, err := image.Open(img)
	if err != nil {
		t.Fatal(err)
	}
	defer im.Close()
	vol := im.Volumes[len(im.Volumes)-1]
	if _, err := fs.ReadFile(vol.FS, answers); !errors.Is(err, syscall.ELOOP) {
		t.Errorf("reading %s on %s: %v; want too many levels of symbolic links", answers, vol.Filesystem, err)
	}
}
