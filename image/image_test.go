package image_test

import (
	"crypto/sha256"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// rootfsImage builds an ext4 image of the dirty or clean test rootfs.
func rootfsImage(t *testing.T, dir string, dirty bool, mkfsArgs ...string) string {
	t.Helper()
	tree := filepath.Join(dir, "tree")
	imagetest.WriteTree(t, tree, imagetest.Rootfs(t, dirty))
	img := filepath.Join(dir, "rootfs.ext4")
	imagetest.Mkfs(t, tree, img, 16, mkfsArgs...)
	return img
}

// sum proves that opening an image never writes to it.
func sum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func open(t *testing.T, path string) *image.Image {
	t.Helper()
	before := sum(t, path)
	im, err := image.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		im.Close()
		if sum(t, path) != before {
			t.Errorf("%s changed while it was read", path)
		}
	})
	return im
}

// shadowOf reads /etc/shadow of the one verifiable volume, failing on anything else.
func shadowOf(t *testing.T, im *image.Image) string {
	t.Helper()
	var found []image.Volume
	for _, v := range im.Volumes {
		if v.FS != nil {
			found = append(found, v)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d readable volumes, want 1: %+v", len(found), im.Volumes)
	}
	b, err := fs.ReadFile(found[0].FS, "etc/shadow")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestContainersAndTables(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "sfdisk", "qemu-img", "tar")
	dir := t.TempDir()
	fsImg := rootfsImage(t, dir, true)
	mbr := filepath.Join(dir, "mbr.raw")
	imagetest.MBRDisk(t, mbr, []imagetest.Partition{{MiB: 1, Type: "82"}}, []imagetest.Partition{{Image: fsImg}})
	gpt := filepath.Join(dir, "gpt.raw")
	imagetest.GPTDisk(t, gpt, []imagetest.Partition{
		{MiB: 1, Type: "21686148-6449-6E6F-744E-656564454649", Name: "BIOS boot"},
		{Image: fsImg, Name: "💾 data, not root", Type: "0FC63DAF-8483-4772-8E79-3D69D8477DE4"},
	})
	qcow := func(name, raw string, args ...string) string {
		out := filepath.Join(dir, name)
		imagetest.QCOW2(t, raw, out, args...)
		return out
	}
	vhd := filepath.Join(dir, "fixed.vhd")
	imagetest.Run(t, "qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", "subformat=fixed,force_size=on", gpt, vhd)
	ova := filepath.Join(dir, "golden.ova")
	imagetest.OVA(t, ova, vmdkOf(t, dir, gpt, "streamOptimized"))
	tree := filepath.Join(dir, "tree")
	tarball, tgz := filepath.Join(dir, "rootfs.tar"), filepath.Join(dir, "rootfs.tar.gz")
	imagetest.Run(t, "tar", "-C", tree, "-cf", tarball, ".")
	imagetest.Run(t, "tar", "-C", tree, "-czf", tgz, ".")

	cases := []struct {
		name, path, format, table string
		source                    string // of the readable volume
	}{
		{"raw ext4, no table", fsImg, "raw", "none", fsImg},
		{"MBR logical", mbr, "raw", "MBR", mbr + " partition 5 (MBR logical, Linux)"},
		{"GPT odd name", gpt, "raw", "GPT", gpt + ` partition 2 (GPT "💾 data, not root")`},
		{"qcow2", qcow("gpt.qcow2", gpt), "qcow2", "GPT", ""},
		{"qcow2 zlib", qcow("gpt-zlib.qcow2", gpt, "-c"), "qcow2", "GPT", ""},
		{"qcow2 zstd", qcow("mbr-zstd.qcow2", mbr, "-c", "-o", "compression_type=zstd"), "qcow2", "MBR", ""},
		{"qcow2 overlay on a backing file", overlay(t, dir, qcow("base.qcow2", gpt), false), "qcow2", "GPT", ""},
		{"fixed VHD", vhd, "vhd (fixed)", "GPT", ""},
		{"dynamic VHD", convert(t, dir, mbr, "vpc", "subformat=dynamic"), "vhd (dynamic)", "MBR", ""},
		{"VHDX dynamic", convert(t, dir, gpt, "vhdx", "subformat=dynamic"), "vhdx", "GPT", ""},
		{"VHDX fixed", convert(t, dir, mbr, "vhdx", "subformat=fixed"), "vhdx", "MBR", ""},
		{"VMDK monolithicSparse", vmdkOf(t, dir, gpt, "monolithicSparse"), "vmdk (monolithicSparse)", "GPT", ""},
		{"VMDK streamOptimized", vmdkOf(t, dir, mbr, "streamOptimized"), "vmdk (streamOptimized)", "MBR", ""},
		{"OVA", ova, "ova: vmdk (streamOptimized)", "GPT", ova + " disk gpt-streamOptimized.vmdk partition 2 (GPT \"💾 data, not root\")"},
		{"tar", tarball, "tar", "none", tarball},
		{"tar.gz", tgz, "tar.gz", "none", tgz},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			im := open(t, tc.path)
			if im.Format != tc.format || im.Table != tc.table {
				t.Errorf("format %q table %q, want %q %q", im.Format, im.Table, tc.format, tc.table)
			}
			if got := shadowOf(t, im); !strings.HasPrefix(got, "root:$6$") {
				t.Errorf("/etc/shadow = %q", got)
			}
			for _, v := range im.Volumes {
				if v.FS != nil && tc.source != "" && v.Source != tc.source {
					t.Errorf("source %q, want %q", v.Source, tc.source)
				}
			}
		})
	}

	t.Run("every other partition is reported", func(t *testing.T) {
		im := open(t, mbr)
		if len(im.Volumes) != 2 || im.Volumes[0].Err == nil || !strings.Contains(im.Volumes[0].Err.Error(), "unknown filesystem") {
			t.Fatalf("volumes %+v: want partition 1 (zeros) not verified as an unknown filesystem", im.Volumes)
		}
		im = open(t, gpt)
		if len(im.Volumes) != 2 || !strings.Contains(im.Volumes[0].Skipped, "BIOS boot") {
			t.Fatalf("volumes %+v: want the BIOS boot partition reported as skipped", im.Volumes)
		}
	})
}

// TestXFSVolumes reads an xfs root (made from the rootfs tree with a protofile, 4k
// sectors and nrext64 as newer distributions make it) in a GPT partition and in qcow2.
func TestXFSVolumes(t *testing.T) {
	imagetest.Need(t, "mkfs.xfs", "sfdisk", "sgdisk", "qemu-img")
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	imagetest.WriteTree(t, tree, imagetest.Rootfs(t, true))
	fsImg := filepath.Join(dir, "root.xfs")
	imagetest.MkfsXFS(t, tree, fsImg, 300, "-s", "size=4096", "-i", "nrext64=1")
	disk := filepath.Join(dir, "disk.raw")
	imagetest.GPTDisk(t, disk, []imagetest.Partition{{MiB: 1, Type: "21686148-6449-6E6F-744E-656564454649"}, {Image: fsImg, Name: "root"}})
	qcow := filepath.Join(dir, "disk.qcow2")
	imagetest.QCOW2(t, disk, qcow, "-c")
	for _, p := range []string{fsImg, disk, qcow} {
		im := open(t, p)
		if got := shadowOf(t, im); !strings.HasPrefix(got, "root:$6$") {
			t.Errorf("%s: /etc/shadow = %q", p, got)
		}
	}
}

func TestBadImagesNameTheSource(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "sfdisk", "qemu-img")
	dir := t.TempDir()
	fsImg := rootfsImage(t, dir, true)
	gpt := filepath.Join(dir, "gpt.raw")
	imagetest.GPTDisk(t, gpt, []imagetest.Partition{{Image: fsImg, Name: "root"}})
	qcow := filepath.Join(dir, "disk.qcow2")
	imagetest.QCOW2(t, gpt, qcow)
	fi, _ := os.Stat(qcow)
	stream := vmdkOf(t, dir, gpt, "streamOptimized")
	streamInfo, _ := os.Stat(stream)
	garbage := filepath.Join(dir, "garbage.img")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not an image ", 100000)), 0o644); err != nil {
		t.Fatal(err)
	}
	cut := func(src string, n int64) string {
		out := filepath.Join(dir, "cut-"+filepath.Base(src))
		imagetest.Truncate(t, src, out, n)
		return out
	}
	cases := []struct {
		name, path string
		want       string // in the error of Open, or else of the volume
	}{
		{"missing file", filepath.Join(dir, "nope.raw"), "no such file"},
		{"empty file", createFile(t, filepath.Join(dir, "empty.raw")), "the file is empty"},
		{"garbage", garbage, "no partition table and no known filesystem"},
		{"raw ext4 truncated", cut(fsImg, 4<<20), "truncated"},
		{"GPT truncated in its partition", cut(gpt, 6<<20), "truncated"},
		{"qcow2 truncated", cut(qcow, fi.Size()/2), ""},
		{"VMDK split in 2 GB extents, one missing", splitWithoutExtent(t, vmdkOf(t, dir, gpt, "twoGbMaxExtentSparse")), "gpt-twoGbMaxExtentSparse-s001.vmdk does not exist"},
		{"VMDK streamOptimized truncated", cut(stream, streamInfo.Size()/3), "truncated"},
		{"VHDX truncated", cut(convert(t, dir, gpt, "vhdx", "subformat=dynamic,block_size=1M"), 8<<20), "truncated"},
		{"dynamic VHD truncated", cut(convert(t, dir, gpt, "vpc", "subformat=dynamic"), 2<<20), "truncated"},
		{"qcow2 whose backing file is gone", overlay(t, dir, qcow, true), "backing file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			im, err := image.Open(tc.path)
			if err == nil {
				defer im.Close()
				for _, v := range im.Volumes {
					if v.FS != nil {
						// a readable volume of a cut image must still fail when read in full
						err = fs.WalkDir(v.FS, ".", func(p string, d fs.DirEntry, err error) error {
							if err == nil && d.Type().IsRegular() {
								_, err = fs.ReadFile(v.FS, p)
							}
							return err
						})
					} else {
						err = v.Err
					}
					if err != nil && !strings.Contains(err.Error(), v.Source) && !strings.Contains(v.Source, tc.path) {
						t.Errorf("error %q does not name the source", err)
					}
				}
			}
			if err == nil {
				t.Fatalf("%s read without error", tc.name)
			}
			t.Logf("error: %v", err)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
			if im == nil && !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q does not name %s", err, tc.path)
			}
		})
	}
}

// overlay makes a qcow2 backed by base (a copy of it, removed when gone is set).
func overlay(t *testing.T, dir, base string, gone bool) string {
	t.Helper()
	backing := filepath.Join(dir, "backing-"+filepath.Base(base))
	imagetest.Truncate(t, base, backing, 1<<40)
	out := filepath.Join(dir, "overlay-"+filepath.Base(base))
	imagetest.Run(t, "qemu-img", "create", "-q", "-f", "qcow2", "-b", backing, "-F", "qcow2", out)
	if gone {
		os.Remove(backing)
	}
	return out
}

// convert converts a raw disk with qemu-img to format with -o opts, named after all three.
func convert(t *testing.T, dir, raw, format, opts string) string {
	t.Helper()
	out := filepath.Join(dir, strings.NewReplacer(".raw", "", "=", "-", ",", "-").Replace(filepath.Base(raw)+"-"+opts)+"."+format)
	imagetest.Run(t, "qemu-img", "convert", "-f", "raw", "-O", format, "-o", opts, raw, out)
	return out
}

// vmdkOf converts a raw disk to VMDK of the subformat, named after both.
func vmdkOf(t *testing.T, dir, raw, subformat string) string {
	out := filepath.Join(dir, strings.TrimSuffix(filepath.Base(raw), ".raw")+"-"+subformat+".vmdk")
	imagetest.VMDK(t, raw, out, subformat)
	return out
}

func createFile(t *testing.T, path string) string {
	t.Helper()
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
