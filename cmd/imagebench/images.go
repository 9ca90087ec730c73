package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// benchImage is one generated image of the side-by-side table.
type benchImage struct {
	fs      string // ext4, xfs or ntfs
	format  string // raw or qcow2
	sizeGiB int
	scale   int // writeTree's: 1 is ~50,000 files, 4 ~200,000
}

func (b benchImage) String() string {
	return fmt.Sprintf("%s %s %d GiB ~%dk files", b.fs, b.format, b.sizeGiB, 50*b.scale)
}

// path is where the image is cached: keyed by imageVersion, so a change to the tree
// builds everything again, and anything else is reused.
func (b benchImage) path(cache string) string {
	return filepath.Join(cache, fmt.Sprintf("imagebench-%s-%s-%dk-%dGiB.%s", imageVersion, b.fs, 50*b.scale, b.sizeGiB, b.format))
}

// raw is the raw image a qcow2 one is converted from.
func (b benchImage) raw() benchImage { b.format = "raw"; return b }

// allImages is what `make bench` measures: ext4 and xfs, raw and qcow2, 2 GiB with about
// 50,000 files; an 8 GiB ext4 with about 200,000; NTFS raw.
var allImages = []benchImage{
	{"ext4", "raw", 2, 1}, {"ext4", "qcow2", 2, 1},
	{"xfs", "raw", 2, 1}, {"xfs", "qcow2", 2, 1},
	{"ntfs", "raw", 2, 1},
	{"ext4", "raw", 8, 4},
}

// cachedImages returns the images' paths, building the missing ones: one generated tree
// per scale, a filesystem made from it per image, qcow2 converted from the raw image.
func cachedImages(cache string, imgs []benchImage) (map[benchImage]string, error) {
	out := map[benchImage]string{}
	trees := map[int]string{}
	defer func() {
		for _, t := range trees {
			os.RemoveAll(filepath.Dir(t))
		}
	}()
	for _, b := range imgs {
		for _, need := range []benchImage{b.raw(), b} {
			p := need.path(cache)
			if _, err := os.Stat(p); err == nil {
				continue
			}
			fmt.Fprintf(os.Stderr, "imagebench: building %s (once, cached) ...\n", p)
			if need.format == "qcow2" {
				if err := run("qemu-img", "convert", "-O", "qcow2", need.raw().path(cache), p+".tmp"); err != nil {
					return nil, err
				}
			} else {
				tree, ok := trees[need.scale]
				if !ok {
					work, err := os.MkdirTemp(cache, "imagebench-build-")
					if err != nil {
						return nil, err
					}
					tree = filepath.Join(work, "tree")
					trees[need.scale] = tree
					if err := writeTree(tree, need.scale); err != nil {
						return nil, err
					}
				}
				if err := makeFS(need.fs, tree, p+".tmp", need.sizeGiB); err != nil {
					return nil, fmt.Errorf("%s: %w", need, err)
				}
			}
			if err := os.Rename(p+".tmp", p); err != nil {
				return nil, err
			}
		}
		out[b] = b.path(cache)
	}
	return out, nil
}

// makeFS makes a filesystem image of sizeGiB holding tree, with the tool users' images
// come from.
func makeFS(fs, tree, img string, sizeGiB int) error {
	size := fmt.Sprintf("%dG", sizeGiB)
	switch fs {
	case "ext4":
		return run("mkfs.ext4", "-q", "-F", "-E", "lazy_itable_init=0", "-d", tree, img, size)
	case "xfs":
		proto := img + ".proto"
		defer os.Remove(proto)
		if err := writeProtofile(tree, proto); err != nil {
			return err
		}
		if err := run("truncate", "-s", size, img); err != nil {
			return err
		}
		return run("mkfs.xfs", "-q", "-f", "-p", proto, img)
	case "ntfs":
		if err := run("truncate", "-s", size, img); err != nil {
			return err
		}
		if err := run("mkntfs", "-q", "-F", "-f", img); err != nil {
			return err
		}
		mnt, err := os.MkdirTemp("", "imagebench-ntfs-")
		if err != nil {
			return err
		}
		defer os.Remove(mnt)
		if err := run("ntfs-3g", img, mnt); err != nil {
			return err
		}
		cpErr := run("cp", "-a", "--no-preserve=ownership,mode", tree+"/.", mnt+"/")
		if err := run("umount", mnt); err != nil {
			return err
		}
		return cpErr
	}
	return fmt.Errorf("no builder for %s", fs)
}

// writeProtofile writes the mkfs.xfs protofile of tree: each entry's name, type and mode,
// owner, and for a file the host path of its content; "$" ends a directory.
func writeProtofile(tree, proto string) error {
	var b strings.Builder
	b.WriteString("/dev/null\n0 0\nd--755 0 0\n")
	var walk func(dir, indent string) error
	walk = func(dir, indent string) error {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return err
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if e.IsDir() {
				fmt.Fprintf(&b, "%s%s d--755 0 0\n", indent, e.Name())
				if err := walk(p, indent+" "); err != nil {
					return err
				}
				b.WriteString(indent + "$\n")
			} else {
				fmt.Fprintf(&b, "%s%s ---644 0 0 %s\n", indent, e.Name(), p)
			}
		}
		return nil
	}
	if err := walk(tree, " "); err != nil {
		return err
	}
	b.WriteString("$\n")
	return os.WriteFile(proto, []byte(b.String()), 0o644)
}

func run(name string, args ...string) error {
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %w\n%s", name, err, out)
	}
	return nil
}
