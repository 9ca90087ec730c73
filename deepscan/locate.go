package deepscan

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"

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
	return NewLocator(r, size, filesystem).Locate(hits)
}

// Locator maps one volume's hits to their owners, as Locate does. Given to Scan (in
// Options), it starts recording the owners of every block when the scan finds its first
// hit, while the scan still reads (ext2/3/4: the inode tables; xfs: the inode btrees;
// see blockuse.Indexer), so that mapping after the scan is a lookup and a walk for the
// names of the few inodes holding hits. A clean volume never starts it. Close it when
// done.
type Locator struct {
	r          io.ReaderAt
	size       int64
	filesystem string

	once   sync.Once
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{} // closed when the index is built or given up
	fsys   mappedFS
	err    error // opening the filesystem
	index  blockuse.Indexed
	looked bool // the hits were looked up in the index (for tests)
}

// NewLocator maps hits in the size bytes of r, a volume holding filesystem (as
// image.Volume.Filesystem names it).
func NewLocator(r io.ReaderAt, size int64, filesystem string) *Locator {
	ctx, cancel := context.WithCancel(context.Background())
	return &Locator{r: r, size: size, filesystem: filesystem, ctx: ctx, cancel: cancel}
}

// start opens the filesystem and builds its index in the background, once.
func (l *Locator) start() {
	l.once.Do(func() {
		l.done = make(chan struct{})
		go func() {
			defer close(l.done)
			l.open()
			if ix, ok := l.fsys.(blockuse.Indexer); ok && l.err == nil {
				l.index = buildIndex(l.ctx, ix)
			}
		}()
	})
}

// buildIndex returns the filesystem's index, or nil when it cannot be built (too big,
// cross-linked blocks, unreadable, a reader crashing on a hostile image): that is not an
// error yet, Locate then walks for the hits as without an index, and says so if it fails.
func buildIndex(ctx context.Context, ix blockuse.Indexer) (x blockuse.Indexed) {
	defer func() {
		if recover() != nil {
			x = nil
		}
	}()
	x, err := ix.Index(ctx)
	if err != nil {
		return nil
	}
	return x
}

// open opens the filesystem, turning a panic on a hostile image into an error.
func (l *Locator) open() {
	defer func() {
		if p := recover(); p != nil {
			l.fsys, l.err = nil, fmt.Errorf("the filesystem reader crashed: %v", p)
		}
	}()
	l.fsys, l.err = openMapped(l.r, l.size, l.filesystem)
}

// Close stops a background index build.
func (l *Locator) Close() { l.cancel() }

// Locate sets the Owner of every hit (see the function Locate). A filesystem reader
// crashing on a hostile image makes every owner unknown, and the error says so.
func (l *Locator) Locate(hits []Hit) (err error) {
	defer func() {
		if p := recover(); p != nil {
			for i := range hits {
				hits[i].Owner = Owner{Kind: KindUnknown, Why: "owner unknown: the filesystem reader crashed"}
			}
			err = fmt.Errorf("mapping deep scan hits to files: the filesystem reader crashed: %v", p)
		}
	}()
	if len(hits) == 0 {
		l.Close()
		return nil
	}
	// Not started by a hit during a scan: open here, and walk for the hits (a walk that
	// stops once they are found costs less than recording every block).
	l.once.Do(func() {
		l.done = make(chan struct{})
		l.open()
		close(l.done)
	})
	<-l.done
	unknown := func(why string) {
		for i := range hits {
			hits[i].Owner = Owner{Kind: KindUnknown, Why: why}
		}
	}
	if l.err != nil {
		unknown("owner unknown: the filesystem could not be read")
		return fmt.Errorf("mapping deep scan hits to files: %w", l.err)
	}
	fsys := l.fsys
	if fsys == nil {
		why := "owner unknown: the deep scan maps blocks to files on ext2/3/4, xfs, NTFS and FAT only"
		if l.filesystem == "" {
			why = "owner unknown: unknown filesystem"
		}
		unknown(why)
		return nil
	}
	offsets := make([]int64, len(hits))
	for i, h := range hits {
		offsets[i] = h.Offset
	}
	var uses map[int64]blockuse.Use
	if l.index != nil {
		uses, err = l.index.Uses(offsets)
		l.looked = true
	} else {
		uses, err = fsys.Uses(offsets)
	}
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
