package fat

import (
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/goldenimage/packer-plugin-sanitize/image/fsfile"
	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

// FS is a read-only FAT12/16/32 filesystem. Names are matched case-insensitively, as
// FAT does. It is safe for concurrent use.
type FS struct {
	r  io.ReaderAt
	bs *bootSector
	t  *table

	mu      sync.Mutex
	dirs    map[uint32][]dirent // by first cluster (0: the FAT12/16 root)
	entries int
	// owners maps a directory's cluster to the entry naming it (parent cluster and
	// index): a second name for the same directory makes a walk revisit it, and a few of
	// them make the walk exponential. FAT has no hard links, so it is corruption.
	owners map[uint32]uint64
}

var (
	_ fs.ReadLinkFS = (*FS)(nil)
	_ fs.ReadDirFS  = (*FS)(nil)
	_ fs.StatFS     = (*FS)(nil)
	_ fs.ReadFileFS = (*FS)(nil)
)

// Bounds on memory whatever the volume: the directory cache, and the directories known.
const (
	maxCachedEntries = 1 << 18
	maxDirs          = 1 << 20
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
	t := &table{bs: bs, fat: make([]byte, bs.fatSize)}
	if err := readat.Full(r, t.fat, bs.fatOffset); err != nil {
		return nil, fmt.Errorf("FAT: %w", err)
	}
	f := &FS{r: r, bs: bs, t: t, dirs: map[uint32][]dirent{}, owners: map[uint32]uint64{}}
	if _, err := f.listDir(f.root()); err != nil {
		return nil, fmt.Errorf("root directory: %w", err)
	}
	return f, nil
}

// Kind is "FAT12", "FAT16" or "FAT32".
func (f *FS) Kind() string { return f.bs.kind }

func (f *FS) root() dirent {
	return dirent{name: ".", attr: attrDir, cluster: f.bs.rootCluster, root: true}
}

// listDir returns a directory's entries in on-disk order.
func (f *FS) listDir(d dirent) ([]dirent, error) {
	f.mu.Lock()
	cached, ok := f.dirs[d.cluster]
	f.mu.Unlock()
	if ok {
		return cached, nil
	}
	var data []byte
	if d.root && f.bs.bits != 32 {
		data = make([]byte, f.bs.rootSize)
		if err := readat.Full(f.r, data, f.bs.rootOffset); err != nil {
			return nil, err
		}
	} else {
		max := int(max(1, maxDirSize/f.bs.clusterSize))
		clusters, err := f.t.clusters(d.cluster, max)
		if err != nil {
			return nil, err
		}
		data = make([]byte, int64(len(clusters))*f.bs.clusterSize)
		c := &chain{t: f.t, r: f.r, first: d.cluster}
		if err := c.readAt(data, 0); err != nil {
			return nil, err
		}
	}
	entries, err := parseDir(data, f.bs.bits == 32)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, e := range entries {
		if !e.isDir() {
			continue
		}
		owner := uint64(d.cluster)<<32 | uint64(i)
		if o, ok := f.owners[e.cluster]; ok && o != owner {
			return nil, fmt.Errorf("%w: directory %q (cluster %d) is also listed elsewhere", ErrCorrupt, e.name, e.cluster)
		}
		if len(f.owners) >= maxDirs {
			return nil, fmt.Errorf("%w: more than %d directories", ErrUnsupported, maxDirs)
		}
		f.owners[e.cluster] = owner
	}
	if f.entries+len(entries) > maxCachedEntries {
		clear(f.dirs)
		f.entries = 0
	}
	f.dirs[d.cluster] = entries
	f.entries += len(entries)
	return entries, nil
}

// resolve walks name from the root. A directory entry pointing back at a directory of
// the path (a loop a walk would never leave) is an error.
func (f *FS) resolve(op, name string) (dirent, error) {
	if !fs.ValidPath(name) {
		return dirent{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	cur := f.root()
	ancestors := []uint32{cur.cluster}
	if name == "." {
		return cur, nil
	}
	for _, elem := range strings.Split(name, "/") {
		if !cur.isDir() {
			return dirent{}, &fs.PathError{Op: op, Path: name, Err: syscall.ENOTDIR}
		}
		entries, err := f.listDir(cur)
		if err != nil {
			return dirent{}, &fs.PathError{Op: op, Path: name, Err: err}
		}
		i := slices.IndexFunc(entries, func(e dirent) bool { return strings.EqualFold(e.name, elem) })
		if i < 0 {
			return dirent{}, &fs.PathError{Op: op, Path: name, Err: fs.ErrNotExist}
		}
		cur = entries[i]
		if cur.isDir() {
			if slices.Contains(ancestors, cur.cluster) {
				return dirent{}, &fs.PathError{Op: op, Path: name, Err: fmt.Errorf("%w: directory loop (cluster %d)", ErrCorrupt, cur.cluster)}
			}
			ancestors = append(ancestors, cur.cluster)
		}
	}
	return cur, nil
}

// Open opens a file or directory.
func (f *FS) Open(name string) (fs.File, error) {
	d, err := f.resolve("open", name)
	if err != nil {
		return nil, err
	}
	return fsfile.Open("open", name, fileInfo{name: fsfile.BaseName(name), d: d},
		func() ([]fs.DirEntry, error) { return f.dirEntries(name, d) },
		func() (io.ReaderAt, error) {
			// A file bigger than the data area could only be read through a chain that loops.
			if d.size > 0 && !f.bs.valid(d.cluster) || int64(d.size) > int64(f.bs.clusters)*f.bs.clusterSize {
				return nil, fmt.Errorf("%w: a %d-byte file at cluster %d", ErrCorrupt, d.size, d.cluster)
			}
			return &content{name: name, c: &chain{t: f.t, r: f.r, first: d.cluster}}, nil
		})
}

// ReadFile reads a whole file of at most fsfile.MaxReadFile bytes.
func (f *FS) ReadFile(name string) ([]byte, error) {
	fl, err := f.Open(name)
	if err != nil {
		return nil, err
	}
	defer fl.Close()
	return fsfile.ReadFile(fl, name, ErrUnsupported)
}

// ReadDir lists a directory sorted by name.
func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	d, err := f.resolve("readdir", name)
	if err != nil {
		return nil, err
	}
	return f.dirEntries(name, d)
}

func (f *FS) dirEntries(name string, d dirent) ([]fs.DirEntry, error) {
	if !d.isDir() {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: syscall.ENOTDIR}
	}
	entries, err := f.listDir(d)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: err}
	}
	out := make([]fs.DirEntry, len(entries))
	for i, e := range entries {
		out[i] = fs.FileInfoToDirEntry(fileInfo{name: e.name, d: e})
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// Stat describes a file.
func (f *FS) Stat(name string) (fs.FileInfo, error) {
	d, err := f.resolve("stat", name)
	if err != nil {
		return nil, err
	}
	return fileInfo{name: fsfile.BaseName(name), d: d}, nil
}

// Lstat is Stat: FAT has no symlinks.
func (f *FS) Lstat(name string) (fs.FileInfo, error) { return f.Stat(name) }

// ReadLink always fails: FAT has no symlinks.
func (f *FS) ReadLink(name string) (string, error) {
	if _, err := f.resolve("readlink", name); err != nil {
		return "", err
	}
	return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
}
