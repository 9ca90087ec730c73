package deepscan

import (
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/image/ext4"
)

// Owner says what holds a hit's bytes.
type Owner struct {
	// Kind is one of ext4's Use kinds ("file", "slack", "free", "journal", "metadata",
	// "outside"), or "unknown" for a filesystem whose allocation this package cannot read.
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

// Locate sets the Owner of every hit. For ext2/3/4 it reads the block bitmaps, the
// journal inode and, while needed, the directory tree; other filesystems get "unknown".
func Locate(hits []Hit, r io.ReaderAt, size int64, filesystem string) error {
	if len(hits) == 0 {
		return nil
	}
	if !strings.HasPrefix(filesystem, "ext") {
		why := "owner unknown: the deep scan maps blocks to files on ext2/3/4 only"
		if filesystem == "" {
			why = "owner unknown: unknown filesystem"
		}
		for i := range hits {
			hits[i].Owner = Owner{Kind: KindUnknown, Why: why}
		}
		return nil
	}
	fsys, err := ext4.Open(r, size)
	if err != nil {
		return fmt.Errorf("mapping deep scan hits to files: %w", err)
	}
	offsets := make([]int64, len(hits))
	for i, h := range hits {
		offsets[i] = h.Offset
	}
	uses, err := fsys.Uses(offsets)
	if err != nil {
		return fmt.Errorf("mapping deep scan hits to files: %w", err)
	}
	elf := map[string]bool{}
	for i, h := range hits {
		u := uses[h.Offset]
		hits[i].Owner = Owner{Kind: u.Kind, Path: u.Path}
		if u.Kind == ext4.UseFile {
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
