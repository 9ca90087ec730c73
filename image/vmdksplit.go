package image

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/image/vmdk"
)

// openVMDKDescriptor opens a VMDK descriptor file (path) and the extent files it names,
// which must lie next to it: a name that leaves its directory, or a symlink, is refused,
// so that an artifact can never make the plugin read the host's files.
func openVMDKDescriptor(f io.ReaderAt, size int64, path string) (*device, error) {
	d, err := readVMDKDescriptor(f, size)
	if err != nil {
		return nil, err
	}
	var files closers
	split, err := vmdk.OpenDescriptor(d, func(name string) (io.ReaderAt, int64, error) {
		p, err := extentPath(path, name)
		if err != nil {
			return nil, 0, err
		}
		ef, err := openExtentFile(p)
		if err != nil {
			return nil, 0, err
		}
		files = append(files, ef)
		fi, err := ef.Stat()
		if err != nil {
			return nil, 0, err
		}
		return ef, fi.Size(), nil
	})
	if err != nil {
		files.Close()
		return nil, fmt.Errorf("vmdk descriptor: %w", err)
	}
	return &device{r: split, size: split.Size(), format: "vmdk (" + split.Kind() + ")", closer: files}, nil
}

func readVMDKDescriptor(f io.ReaderAt, size int64) (*vmdk.Descriptor, error) {
	if size > vmdk.MaxDescriptorSize {
		return nil, fmt.Errorf("vmdk descriptor: %d bytes, more than the %d a descriptor file may have", size, vmdk.MaxDescriptorSize)
	}
	b := make([]byte, size)
	if n, err := f.ReadAt(b, 0); int64(n) != size {
		return nil, fmt.Errorf("vmdk descriptor: %w", err)
	}
	d, err := vmdk.ParseDescriptor(b)
	if err != nil {
		return nil, fmt.Errorf("vmdk descriptor: %w", err)
	}
	return d, nil
}

// extentPath places an extent's name (already checked to be relative, without "..") in
// the descriptor's directory, and checks again that it stays there.
func extentPath(descriptor, name string) (string, error) {
	dir := filepath.Dir(descriptor)
	p := filepath.Join(dir, filepath.FromSlash(strings.ReplaceAll(name, `\`, "/")))
	if rel, err := filepath.Rel(dir, p); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("the extent file %q leaves the descriptor's directory", name)
	}
	return p, nil
}

// openExtentFile opens a regular file, refusing a symlink (which could point anywhere on
// the host).
func openExtentFile(p string) (*os.File, error) {
	fi, err := os.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("missing: %s does not exist (the descriptor's extents must sit next to it)", p)
	}
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file (%s): refused", p, fi.Mode().Type())
	}
	return os.OpenFile(p, os.O_RDONLY, 0)
}

// VMDKExtents returns the extent files of the VMDK descriptor file at path (nil when path
// is no descriptor, or one that cannot be read: opening it says why). An artifact lists
// them as files of their own; they are verified through the descriptor.
func VMDKExtents(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	head := make([]byte, len(vmdk.DescriptorMagic))
	if _, err := io.ReadFull(f, head); err != nil || string(head) != vmdk.DescriptorMagic {
		return nil
	}
	fi, err := f.Stat()
	if err != nil {
		return nil
	}
	d, err := readVMDKDescriptor(f, fi.Size())
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range d.Extents {
		if e.File == "" {
			continue
		}
		if p, err := extentPath(path, e.File); err == nil {
			out = append(out, p)
		}
	}
	return out
}

// closers closes several files.
type closers []io.Closer

func (c closers) Close() error {
	var errs []error
	for _, f := range c {
		errs = append(errs, f.Close())
	}
	return errors.Join(errs...)
}
