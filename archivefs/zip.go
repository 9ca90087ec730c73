package archivefs

import (
	"archive/zip"
	"bufio"
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"testing/fstest"
)

// zipMagic starts a ZIP archive: a local file header, or the end record of an empty one.
var zipMagic = [][]byte{[]byte("PK\x03\x04"), []byte("PK\x05\x06")}

// isZip tells whether the stream starts like a ZIP archive.
func isZip(br *bufio.Reader) bool {
	head, _ := br.Peek(4)
	for _, m := range zipMagic {
		if bytes.Equal(head, m) {
			return true
		}
	}
	return false
}

// readZipStream reads a whole ZIP stream (the format needs random access) within the
// limits, then parses it.
func readZipStream(r io.Reader, lim Limits) (*FS, error) {
	max := lim.MaxTotalBytes + lim.MaxTotalBytes/4 + 64<<20 // contents, headers, manifest
	data, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, fmt.Errorf("archive: %w", err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("archive: ZIP larger than %d bytes", max)
	}
	return ReadZip(data, lim)
}

// ReadZip parses a ZIP archive, the form the Windows guest script sends: entry names use
// "/" (a "\" is read as one), directories end with "/", and the manifest member lists every
// file seen. ZIP has no symlinks: the Windows script lists reparse points in the manifest
// only, so they are absent here, as they would be for a check that never follows them.
func ReadZip(data []byte, lim Limits) (*FS, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("archive: zip: %w", err)
	}
	if len(zr.File) > lim.MaxEntries {
		return nil, fmt.Errorf("archive: more than %d entries", lim.MaxEntries)
	}
	out := &FS{files: fstest.MapFS{}, notFetched: map[string]bool{}, sizes: map[string]int64{}, linkTarget: map[string]string{}}
	var total int64
	var manifest []byte
	for n, f := range zr.File {
		name, ok := cleanName(strings.ReplaceAll(f.Name, `\`, "/"))
		if !ok {
			return nil, fmt.Errorf("archive: entry %d has an unsafe name %q", n, f.Name)
		}
		if name == "." {
			continue
		}
		if strings.HasSuffix(f.Name, "/") || f.FileInfo().IsDir() {
			out.files[name] = &fstest.MapFile{Mode: fs.ModeDir | 0o755, ModTime: f.Modified}
			continue
		}
		limit := lim.MaxTotalBytes - total
		if name == ManifestName {
			limit = 64 << 20
		}
		data, err := readZipEntry(f, limit)
		if err != nil {
			return nil, fmt.Errorf("archive: %s: %w", name, err)
		}
		if name == ManifestName {
			manifest = data
			continue
		}
		total += int64(len(data))
		out.files[name] = &fstest.MapFile{Data: data, Mode: 0o644, ModTime: f.Modified}
	}
	if manifest != nil {
		if err := out.addManifest(manifest); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// readZipEntry reads one member, at most limit bytes whatever its header claims (a ZIP
// bomb's header lies).
func readZipEntry(f *zip.File, limit int64) ([]byte, error) {
	if f.UncompressedSize64 > uint64(max(limit, 0)) {
		return nil, fmt.Errorf("contents exceed the %d bytes left", limit)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("contents exceed the %d bytes left", limit)
	}
	return data, nil
}
