package deepscan

import (
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
	"github.com/goldenimage/packer-plugin-sanitize/image/ext4"
	"github.com/goldenimage/packer-plugin-sanitize/image/fat"
	"github.com/goldenimage/packer-plugin-sanitize/image/ntfs"
	"github.com/goldenimage/packer-plugin-sanitize/image/xfs"
)

// Owner says what holds a hit's bytes.
type Owner struct {
	// Kind is one of package blockuse's kinds ("file", "slack", "free", "journal",
	// "metadata", "outside"), or "unknown" for a filesystem whose allocation this package
	// cannot read.
	Kind string
	// Path is the file holding the hit (for "file" and "slack"), or the directory whose
	// metadata does.
	Path string
	// Why the owner is unknown.
	Why string
	// Executable: the file is an ELF binary or library. A key compiled into one is most
	// often a test vector (libgnutls carries several), not a leaked credential.
	Executable bool
}

// KindUnknown is the owner of a hit on a volume whose allocation is not read.
const KindUnknown = "unknown"

// mappedFS is a filesystem reader that maps byte offsets to what holds them.
type mappedFS interface {
	fs.FS
	blockuse.Mapper
}

// openMapped opens the volume's filesystem by its kind (image.Volume.Filesystem), or
// returns nil for a kind whose allocation this package cannot read.
func openMapped(r io.ReaderAt, size int64, filesystem string) (mappedFS, error) {
	switch {
	case strings.HasPrefix(filesystem, "ext"):
		return ext4.Open(r, size)
	case filesystem == "xfs":
		return xfs.Open(r, size)
	case strings.EqualFold(filesystem, "NTFS"):
		return ntfs.Open(r, size)
	case strings.HasPrefix(filesystem, "FAT"):
		return fat.Open(r, size)
	}
	return nil, nil
}

// Locate sets the Owner of every hit. On ext2/3/4, xfs, NTFS and FAT it reads the
// allocation bitmaps, free-space btrees or FAT, the journal's place and, while needed,
// the files' block maps; other filesystems get "unknown". When the filesystem's
// allocation cannot be read, every hit's owner is "unknown" and the error says why.
func Locate(hits []Hit, r io.ReaderAt, size int64, filesystem string) error {
	if len(hits) == 0 {
		return nil
	}
	unknown := func(why string) {
		for i := range hits {
			hits[i].Owner = Owner{Kind: KindUnknown, Why: why}
		}
	}
	fsys, err := openMapped(r, size, filesystem)
	if err != nil {
		unknown("owner unknown: the filesystem could not be read")
		return fmt.Errorf("mapping deep scan hits to files: %w", err)
	}
	if fsys == nil {
		why := "owner unknown: the deep scan maps blocks to files on ext2/3/4, xfs, NTFS and FAT only"
		if filesystem == "" {
			why = "owner unknown: unknown filesystem"
		}
		unknown(why)
		return nil
	}
	offsets := make([]int64, len(hits))
	for i, h := range hits {
		offsets[i] = h.Offset
	}
	uses, err := fsys.Uses(offsets)
	if err != nil {
		unknown("owner unknown: the filesystem's allocation could not be read")
		return fmt.Errorf("mapping deep scan hits to files: %w", err)
	}
	elf := map[string]bool{}
	for i, h := range hits {
		u := uses[h.Offset]
		hits[i].Owner = Owner{Kind: u.Kind, Path: u.Path}
		if u.Kind == blockuse.File {
			if _, ok := elf[u.Path]; !ok {
				elf[u.Path] = isELF(fsys, u.Path)
			}
			hits[i].Owner.Executable = elf[u.Path]
		}
	}
	return nil
}

func isELF(fsys fs.FS, p string) bool {
	f, err := fsys.Open(strings.TrimPrefix(p, "/"))
	if err != nil {
		return false
	}
	defer f.Close()
	b := make([]byte, 4)
	_, err = io.ReadFull(f, b)
	return err == nil && string(b) == "\x7fELF"
}
