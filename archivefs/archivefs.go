// Package archivefs reads a tar, tar.gz or ZIP archive of a guest's files into an in-memory
// io/fs.FS rooted at the guest's "/", the form the cleanup checks take. Symlinks stay
// symlinks (fs.ReadLinkFS); absolute targets are resolved inside the archive, never on the
// host. Files listed in the archive's manifest but absent from it (too big to fetch) are
// present in listings and fail to open with cleanup.ErrNotFetched, so a check that needs one
// says "not verified" instead of passing.
package archivefs

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"testing/fstest"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// ManifestName is the archive member that lists every file the guest saw, fetched or not.
const ManifestName = ".packer-plugin-sanitize.manifest"

// Limits bound what a hostile or broken archive can make us hold in memory.
type Limits struct {
	MaxTotalBytes int64 // sum of file contents
	MaxEntries    int
}

// DefaultLimits suit the live-guest fetch: config files, keys, histories.
var DefaultLimits = Limits{MaxTotalBytes: 512 << 20, MaxEntries: 200000}

// FS is the archive's content.
type FS struct {
	files      fstest.MapFS
	notFetched map[string]bool
	sizes      map[string]int64  // guest sizes of files not fetched
	linkTarget map[string]string // original symlink targets, as the guest wrote them
}

// Read parses a tar stream, gzip-compressed or not, or a ZIP archive (what the Windows
// guest script sends; see ReadZip).
func Read(r io.Reader, lim Limits) (*FS, error) {
	br := bufio.NewReader(r)
	if isZip(br) {
		return readZipStream(br, lim)
	}
	if magic, err := br.Peek(2); err == nil && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, fmt.Errorf("archive: gzip: %w", err)
		}
		defer zr.Close()
		return readTar(zr, lim)
	}
	return readTar(br, lim)
}

func readTar(r io.Reader, lim Limits) (*FS, error) {
	out := &FS{files: fstest.MapFS{}, notFetched: map[string]bool{}, sizes: map[string]int64{}, linkTarget: map[string]string{}}
	tr := tar.NewReader(r)
	var total int64
	var manifest []byte
	for n := 0; ; n++ {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("archive: entry %d: %w", n, err)
		}
		if n >= lim.MaxEntries {
			return nil, fmt.Errorf("archive: more than %d entries", lim.MaxEntries)
		}
		name, ok := cleanName(h.Name)
		if !ok {
			return nil, fmt.Errorf("archive: entry %d has an unsafe name %q", n, h.Name)
		}
		if name == ManifestName {
			if h.Size > 64<<20 {
				return nil, fmt.Errorf("archive: manifest of %d bytes is too big", h.Size)
			}
			if manifest, err = readLimited(tr, h.Size); err != nil {
				return nil, fmt.Errorf("archive: manifest: %w", err)
			}
			continue
		}
		if name == "." {
			continue
		}
		mode := h.FileInfo().Mode()
		switch h.Typeflag {
		case tar.TypeDir:
			out.files[name] = &fstest.MapFile{Mode: fs.ModeDir | mode.Perm(), ModTime: h.ModTime}
		case tar.TypeSymlink:
			out.linkTarget[name] = h.Linkname
			out.files[name] = &fstest.MapFile{Mode: fs.ModeSymlink | 0o777, Data: []byte(relativeTarget(name, h.Linkname)), ModTime: h.ModTime}
		case tar.TypeReg, tar.TypeLink:
			if h.Typeflag == tar.TypeLink {
				target, ok := cleanName(h.Linkname)
				if !ok || out.files[target] == nil {
					return nil, fmt.Errorf("archive: hard link %q to unknown %q", h.Name, h.Linkname)
				}
				out.files[name] = out.files[target]
				continue
			}
			if total+h.Size > lim.MaxTotalBytes {
				return nil, fmt.Errorf("archive: contents exceed %d bytes", lim.MaxTotalBytes)
			}
			data, err := readLimited(tr, h.Size)
			if err != nil {
				return nil, fmt.Errorf("archive: %s: %w", name, err)
			}
			total += int64(len(data))
			out.files[name] = &fstest.MapFile{Data: data, Mode: mode.Perm(), ModTime: h.ModTime}
		default:
			// devices, fifos, sockets: present in listings, no content
			out.files[name] = &fstest.MapFile{Mode: mode, ModTime: h.ModTime}
		}
	}
	if manifest != nil {
		if err := out.addManifest(manifest); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// addManifest records files the guest listed ("TYPE SIZE PATH", NUL-separated, as GNU find
// -printf '%y %s %p\0' writes) that the archive does not hold.
func (f *FS) addManifest(b []byte) error {
	for _, rec := range bytes.Split(b, []byte{0}) {
		if len(rec) == 0 {
			continue
		}
		parts := strings.SplitN(string(rec), " ", 3)
		if len(parts) != 3 {
			return fmt.Errorf("archive: malformed manifest record %q", rec)
		}
		size, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil {
			return fmt.Errorf("archive: manifest size %q: %w", parts[1], err)
		}
		name, ok := cleanName(parts[2])
		if !ok || name == "." {
			continue
		}
		if parts[0] != "f" || f.files[name] != nil {
			continue
		}
		f.notFetched[name] = true
		// a placeholder keeps the file in listings and Stat with its real size
		f.sizes[name] = size
		f.files[name] = &fstest.MapFile{Mode: 0o600}
	}
	return nil
}

// NotFetched lists files whose contents are not in the archive.
func (f *FS) NotFetched() []string {
	var out []string
	for n := range f.notFetched {
		out = append(out, n)
	}
	return out
}

func (f *FS) Open(name string) (fs.File, error) {
	if err := f.refuseNotFetched("open", name); err != nil {
		return nil, err
	}
	return f.files.Open(name)
}

func (f *FS) ReadFile(name string) ([]byte, error) {
	if err := f.refuseNotFetched("read", name); err != nil {
		return nil, err
	}
	return f.files.ReadFile(name)
}

func (f *FS) ReadDir(name string) ([]fs.DirEntry, error) {
	list, err := f.files.ReadDir(name)
	for i, e := range list {
		if full := path.Join(name, e.Name()); f.notFetched[full] {
			list[i] = sizedEntry{e, f.sizes[full]}
		}
	}
	return list, err
}

func (f *FS) Stat(name string) (fs.FileInfo, error) {
	fi, err := f.files.Stat(name)
	if err == nil && f.notFetched[name] {
		fi = sizedInfo{fi, f.sizes[name]}
	}
	return fi, err
}

func (f *FS) Lstat(name string) (fs.FileInfo, error) {
	fi, err := f.files.Lstat(name)
	if err == nil && f.notFetched[name] {
		fi = sizedInfo{fi, f.sizes[name]}
	}
	return fi, err
}

// sizedInfo reports the guest's size for a file whose contents were not fetched, so a
// check looking only at sizes (a non-empty log) still sees the truth.
type sizedInfo struct {
	fs.FileInfo
	size int64
}

func (s sizedInfo) Size() int64 { return s.size }

type sizedEntry struct {
	fs.DirEntry
	size int64
}

func (s sizedEntry) Info() (fs.FileInfo, error) {
	fi, err := s.DirEntry.Info()
	if err != nil {
		return nil, err
	}
	return sizedInfo{fi, s.size}, nil
}

// ReadLink returns the target as the guest wrote it (absolute targets stay absolute).
func (f *FS) ReadLink(name string) (string, error) {
	if t, ok := f.linkTarget[name]; ok {
		return t, nil
	}
	return f.files.ReadLink(name)
}

// refuseNotFetched also resolves symlinks so that a link to a too-big file is refused too.
func (f *FS) refuseNotFetched(op, name string) error {
	for hops := 0; hops < 40; hops++ {
		if f.notFetched[name] {
			return &fs.PathError{Op: op, Path: "/" + name, Err: cleanup.ErrNotFetched}
		}
		m := f.files[name]
		if m == nil || m.Mode&fs.ModeSymlink == 0 {
			return nil
		}
		name = path.Join(path.Dir(name), string(m.Data))
	}
	return nil
}

// cleanName turns a tar member name ("./etc/x", "/etc/x", "etc/x") into an fs.FS path and
// rejects names that climb out of the root.
func cleanName(n string) (string, bool) {
	n = strings.TrimPrefix(n, "./")
	n = strings.TrimLeft(n, "/")
	n = strings.TrimSuffix(n, "/")
	if n == "" || n == "." {
		return ".", true
	}
	for _, part := range strings.Split(n, "/") {
		if part == ".." {
			return "", false
		}
	}
	c := path.Clean(n)
	return c, fs.ValidPath(c)
}

// relativeTarget rewrites an absolute symlink target as a path relative to the link, so it
// resolves inside the archive's root. Targets climbing above the root stop at it, as they
// do in a chroot.
func relativeTarget(link, target string) string {
	if !strings.HasPrefix(target, "/") {
		return target
	}
	depth := strings.Count(path.Dir(link), "/")
	if path.Dir(link) != "." {
		depth++
	}
	rel := strings.TrimLeft(path.Clean(target), "/")
	if rel == "" {
		rel = "."
	}
	return strings.Repeat("../", depth) + rel
}

func readLimited(r io.Reader, n int64) ([]byte, error) {
	if n < 0 {
		return nil, errors.New("negative size")
	}
	data, err := io.ReadAll(io.LimitReader(r, n))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) != n {
		return nil, fmt.Errorf("truncated: %d of %d bytes", len(data), n)
	}
	return data, nil
}
