package ntfs

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/goldenimage/packer-plugin-sanitize/image/fsfile"
	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// ErrNotFollowed marks a path through a link whose target is absolute (a drive letter, a
// volume name): this reader resolves links inside the volume only.
var ErrNotFollowed = errors.New("absolute NTFS link not followed")

// Well-known MFT records.
const (
	recordMFT  = 0
	recordRoot = 5
	// firstUserRecord: records below it are the metafiles ($MFT ... $Extend) and
	// reserved ones; they are hidden from the root directory.
	firstUserRecord = 16
)

// Bounds on memory and work whatever the volume.
const (
	maxDirs       = 1 << 20
	maxMFTRecords = 1 << 32
)

// FS is a read-only NTFS filesystem. It is safe for concurrent use.
type FS struct {
	fsfile.Files[*node] // Open, ReadFile, ReadDir, Stat, Lstat, ReadLink
	tree                *fsfile.Tree[*node]

	r       io.ReaderAt
	bs      *bootSector
	mft     *stream
	records uint64 // in the MFT
	// recordPages serves single-record reads from cached 64 KiB pages of the $MFT: a
	// walk of 50,000 files reads it 64 records at a time, not one.
	recordPages *readat.Pages

	nodes *fsfile.Cache[uint64, *node]
	dirs  *fsfile.Cache[uint64, []dirent] // sorted by name

	mu sync.Mutex // guards owners
	// owners maps a directory to its entry: NTFS has no directory hard links, so a
	// second entry (in another parent or the same) is corruption that would make walks
	// revisit a subtree, k^d times for k names at each of d levels.
	owners map[uint64]dirPlace
}

var (
	_ fs.ReadLinkFS = (*FS)(nil)
	_ fs.ReadDirFS  = (*FS)(nil)
	_ fs.StatFS     = (*FS)(nil)
	_ fs.ReadFileFS = (*FS)(nil)
)

// Open reads the filesystem held in the first size bytes of r.
func Open(r io.ReaderAt, size int64) (*FS, error) {
	b := make([]byte, 512)
	if err := readat.Full(r, b, 0); err != nil {
		return nil, fmt.Errorf("boot sector: %w", err)
	}
	bs, err := parseBootSector(b, size)
	if err != nil {
		return nil, err
	}
	f := &FS{r: r, bs: bs, owners: map[uint64]dirPlace{},
		nodes: fsfile.NewCache[uint64, *node](fsfile.CachedInodes, nil),
		dirs:  fsfile.NewListCache[uint64, dirent](fsfile.CachedDirEntries)}
	f.Files, f.tree = f.files(), f.newTree()
	if err := f.openMFT(); err != nil {
		return nil, err
	}
	root, err := f.node(recordRoot, 0)
	if err != nil {
		return nil, fmt.Errorf("root directory: %w", err)
	}
	if !root.dir {
		return nil, fmt.Errorf("%w: MFT record 5 (the root) is not a directory", ErrCorrupt)
	}
	if _, err := f.dirents(root); err != nil {
		return nil, fmt.Errorf("root directory: %w", err)
	}
	return f, nil
}

// openMFT maps the MFT from record 0: first through the extents in the record itself,
// then, when $MFT has an $ATTRIBUTE_LIST (a very fragmented MFT), through all of them.
func (f *FS) openMFT() error {
	b := make([]byte, f.bs.recordSize)
	if err := readat.Full(f.r, b, f.bs.mftOffset); err != nil {
		return fmt.Errorf("$MFT: %w", err)
	}
	rec, err := decodeRecord(b, recordMFT, f.bs.clusters)
	if err != nil {
		return fmt.Errorf("$MFT: %w", err)
	}
	if err := f.mapMFT(rec.attrs); err != nil {
		return err
	}
	if slices.ContainsFunc(rec.attrs, func(a attribute) bool { return a.typ == attrAttributeList }) {
		all, err := f.allAttributes(rec)
		if err != nil {
			return fmt.Errorf("$MFT: %w", err)
		}
		return f.mapMFT(all)
	}
	return nil
}

func (f *FS) mapMFT(attrs []attribute) error {
	var data []attribute
	for _, a := range attrs {
		if a.typ == attrData && a.name == "" {
			data = append(data, a)
		}
	}
	if len(data) == 0 || data[0].resident {
		return fmt.Errorf("%w: $MFT has no non-resident $DATA", ErrCorrupt)
	}
	s, err := newStream(f.r, f.bs.clusterSize, data)
	if err != nil {
		return fmt.Errorf("$MFT: %w", err)
	}
	f.mft, f.records = s, min(uint64(s.dataSize/f.bs.recordSize), maxMFTRecords)
	f.recordPages = readat.NewPages(s, int64(f.records)*f.bs.recordSize, 64<<10, 64)
	if f.records <= recordRoot {
		return fmt.Errorf("%w: an MFT of %d records", ErrCorrupt, f.records)
	}
	return nil
}

// dirents lists directory n sorted by name, from the cache when it can.
func (f *FS) dirents(n *node) ([]dirent, error) {
	if cached, ok := f.dirs.Get(n.num); ok {
		return cached, nil
	}
	entries, err := f.listIndex(n)
	if err != nil {
		return nil, err
	}
	if n.num == recordRoot {
		entries = slices.DeleteFunc(entries, func(d dirent) bool { return d.num < firstUserRecord })
	}
	slices.SortFunc(entries, func(a, b dirent) int { return strings.Compare(a.name, b.name) })
	f.dirs.Put(n.num, entries)
	return entries, nil
}

// dirPlace is a directory's entry: its parent and its name there (DOS aliases aside).
type dirPlace struct {
	parent uint64
	name   string
}

// claim records that directory child is listed in parent as name; a second entry is an error.
func (f *FS) claim(parent, child uint64, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.owners[child]; ok {
		if p.parent != parent {
			return fmt.Errorf("%w: directory %d is listed in directories %d and %d (linked from several places: a crafted image?)", ErrCorrupt, child, p.parent, parent)
		}
		if p.name != name {
			return fmt.Errorf("%w: directory %d is listed as %q and %q (linked from several places: a crafted image?)", ErrCorrupt, child, p.name, name)
		}
		return nil
	}
	if len(f.owners) >= maxDirs {
		return fmt.Errorf("%w: more than %d directories", ErrUnsupported, maxDirs)
	}
	f.owners[child] = dirPlace{parent: parent, name: name}
	return nil
}

// lookup finds elem in a sorted listing: the exact name, else the one name equal
// without regard to case (NTFS is case-insensitive to Windows).
func lookup(entries []dirent, elem string) (dirent, bool) {
	i, ok := slices.BinarySearchFunc(entries, elem, func(d dirent, s string) int { return strings.Compare(d.name, s) })
	if ok {
		return entries[i], true
	}
	for _, d := range entries {
		if strings.EqualFold(d.name, elem) {
			return d, true
		}
	}
	return dirent{}, false
}

// resolve walks name from the root, following relative links (the last element only
// when followLast is set): fsfile.Tree's walk, which remembers the directories it met.
func (f *FS) resolve(op, name string, followLast bool) (*node, error) {
	return f.tree.Resolve(op, name, followLast)
}

// newTree is the path walk over this volume's MFT records. A link with an absolute
// target (C:\..., \??\Volume{...}\...) is not followed: the volume alone cannot say
// where it leads.
func (f *FS) newTree() *fsfile.Tree[*node] {
	return &fsfile.Tree[*node]{
		Root: func() (*node, error) { return f.node(recordRoot, 0) },
		Child: func(dir *node, name string) (*node, string, bool, error) {
			entries, err := f.dirents(dir)
			if err != nil {
				return nil, "", false, err
			}
			d, ok := lookup(entries, name)
			if !ok {
				return nil, "", false, nil
			}
			n, err := f.node(d.num, d.seq)
			return n, d.name, true, err
		},
		ReadLink: func(n *node) (string, error) {
			if n.absolute {
				return "", fmt.Errorf("%w: a link to %q", ErrNotFollowed, n.target)
			}
			return n.target, nil
		},
		IsDir:     func(n *node) bool { return n.dir && !n.symlink() },
		IsSymlink: (*node).symlink,
		Num:       func(n *node) uint64 { return n.num },
		Corrupt:   ErrCorrupt,
	}
}

// files is the io/fs face of this volume (fsfile.Files) over its MFT records. A link's
// target reads slash-separated when relative, as Windows wrote it (C:\..., \??\Volume{...}\...)
// when absolute.
func (f *FS) files() fsfile.Files[*node] {
	return fsfile.Files[*node]{
		Resolve:     f.resolve,
		Info:        func(name string, n *node) fs.FileInfo { return fileInfo{name: name, n: n} },
		IsDir:       func(n *node) bool { return n.dir },
		IsSymlink:   (*node).symlink,
		Entries:     f.dirEntries,
		Content:     f.dataReader,
		Target:      func(n *node) (string, error) { return n.target, nil },
		Unsupported: ErrUnsupported,
	}
}

func (f *FS) dirEntries(name string, n *node) ([]fs.DirEntry, error) {
	entries, err := f.dirents(n)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]fs.DirEntry, 0, len(entries))
	for _, d := range entries {
		child, err := f.node(d.num, d.seq)
		if err != nil {
			return nil, &fs.PathError{Op: "readdir", Path: path.Join(name, d.name), Err: err}
		}
		if child.dir && !child.symlink() {
			if err := f.claim(n.num, child.num, d.name); err != nil {
				return nil, &fs.PathError{Op: "readdir", Path: path.Join(name, d.name), Err: err}
			}
		}
		out = append(out, fs.FileInfoToDirEntry(fileInfo{name: d.name, n: child}))
	}
	return out, nil
}
