package fsfile_test

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/image/fsfile"
)

// info is a FileInfo for the tests.
type info struct {
	name string
	size int64
	mode fs.FileMode
}

func (i info) Name() string       { return i.name }
func (i info) Size() int64        { return i.size }
func (i info) Mode() fs.FileMode  { return i.mode }
func (i info) ModTime() time.Time { return time.Time{} }
func (i info) IsDir() bool        { return i.mode.IsDir() }
func (i info) Sys() any           { return nil }

// failing is a ReaderAt a test must never reach.
type failing struct{ t *testing.T }

func (f failing) ReadAt([]byte, int64) (int, error) {
	f.t.Error("read the content")
	return 0, errors.New("read")
}

func TestFileReadsWithinItsSize(t *testing.T) {
	// the reader holds more than the file: File must stop at size
	backing := strings.NewReader("0123456789-after-the-end")
	f := fsfile.New(backing, 10, info{name: "f", size: 10})
	for _, c := range []struct {
		off     int64
		n       int
		want    string
		wantErr error
	}{
		{0, 4, "0123", nil},
		{6, 4, "6789", nil},
		{8, 10, "89", io.EOF}, // short: the rest is past the size, not the reader's end
		{10, 4, "", io.EOF},
		{50, 4, "", io.EOF},
	} {
		b := make([]byte, c.n)
		n, err := f.ReadAt(b, c.off)
		if got := string(b[:n]); got != c.want || err != c.wantErr {
			t.Errorf("ReadAt(%d bytes at %d) = %q, %v; want %q, %v", c.n, c.off, got, err, c.want, c.wantErr)
		}
	}
	if _, err := f.ReadAt(make([]byte, 1), -1); !errors.Is(err, fs.ErrInvalid) {
		t.Errorf("ReadAt(-1) = %v, want ErrInvalid", err)
	}
	if b, err := io.ReadAll(f); err != nil || string(b) != "0123456789" {
		t.Errorf("ReadAll = %q, %v", b, err)
	}
}

func TestFileSeeks(t *testing.T) {
	f := fsfile.New(strings.NewReader("0123456789"), 10, info{name: "f", size: 10})
	for _, c := range []struct {
		off    int64
		whence int
		want   int64
		fails  bool
	}{
		{3, io.SeekStart, 3, false},
		{2, io.SeekCurrent, 5, false},
		{-1, io.SeekEnd, 9, false},
		{-20, io.SeekEnd, 0, true},
		{0, 7, 0, true},
	} {
		got, err := f.Seek(c.off, c.whence)
		if (err != nil) != c.fails || !c.fails && got != c.want {
			t.Errorf("Seek(%d, %d) = %d, %v; want %d (fails %t)", c.off, c.whence, got, err, c.want, c.fails)
		}
	}
	b := make([]byte, 5)
	if n, _ := f.Read(b); string(b[:n]) != "9" {
		t.Errorf("Read after Seek(-1, end) = %q, want 9", b[:n])
	}
}

func TestReadFile(t *testing.T) {
	errTooBig := errors.New("too big for the test")
	cases := []struct {
		name    string
		file    fs.File
		want    string
		wantErr error
	}{
		{"regular", fsfile.New(strings.NewReader("key"), 3, info{name: "k", size: 3}), "key", nil},
		{"device reads empty", fsfile.Empty(info{name: "null", mode: fs.ModeDevice | fs.ModeCharDevice}), "", nil},
		{"directory", fsfile.NewDir("d", info{name: "d", mode: fs.ModeDir}, nil), "", syscall.EISDIR},
		// the size comes from the image: refused before anything is allocated or read
		{"over the cap", fsfile.New(failing{t}, 1<<40, info{name: "huge", size: 1 << 40}), "", errTooBig},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b, err := fsfile.ReadFile(c.file, c.name, errTooBig)
			if !errors.Is(err, c.wantErr) || string(b) != c.want || (err == nil && b == nil) {
				t.Errorf("ReadFile = %q, %v; want %q, %v", b, err, c.want, c.wantErr)
			}
		})
	}
}

func TestDirPagesItsEntries(t *testing.T) {
	mapfs := fstest.MapFS{"a": {}, "b": {}, "c": {}}
	listed := 0
	d := fsfile.NewDir(".", info{name: ".", mode: fs.ModeDir}, func() ([]fs.DirEntry, error) {
		listed++
		return mapfs.ReadDir(".")
	})
	var got []string
	for {
		page, err := d.ReadDir(2)
		for _, e := range page {
			got = append(got, e.Name())
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if strings.Join(got, " ") != "a b c" || listed != 1 {
		t.Errorf("entries %q listed %d times; want a b c listed once", got, listed)
	}
	if _, err := d.Read(make([]byte, 1)); !errors.Is(err, syscall.EISDIR) {
		t.Errorf("Read of a directory = %v, want EISDIR", err)
	}
}

func TestCacheStaysWithinBudget(t *testing.T) {
	c := fsfile.NewListCache[int, byte](10)
	c.Put(1, bytes.Repeat([]byte{1}, 6))
	c.Put(2, bytes.Repeat([]byte{2}, 4))
	if _, ok := c.Get(1); !ok || c.Len() != 2 {
		t.Fatalf("within budget: %d cached, want both", c.Len())
	}
	c.Put(3, []byte{3}) // 11 > 10: starts over
	if _, ok := c.Get(1); ok || c.Len() != 1 {
		t.Errorf("over budget: %d cached, want only the newest", c.Len())
	}
	c.Put(3, bytes.Repeat([]byte{3}, 10)) // replacing a value frees its cost first
	if v, ok := c.Get(3); !ok || len(v) != 10 || c.Len() != 1 {
		t.Errorf("replaced value: %d bytes, %t", len(v), ok)
	}
	counted := fsfile.NewCache[string, int](2, nil)
	for _, k := range []string{"a", "b", "c"} {
		counted.Put(k, 0)
	}
	if counted.Len() != 1 {
		t.Errorf("a budget of 2 values holds %d after 3 puts, want 1", counted.Len())
	}
}

func TestOpenByKind(t *testing.T) {
	broken := errors.New("extent tree corrupt")
	list := func() ([]fs.DirEntry, error) { return nil, nil }
	cases := []struct {
		name     string
		info     info
		content  func() (io.ReaderAt, error)
		wantDir  bool
		wantData string
		wantErr  error
	}{
		{"directory", info{name: "d", mode: fs.ModeDir | 0o755}, nil, true, "", nil},
		{"fifo: empty, content never asked", info{name: "p", mode: fs.ModeNamedPipe}, nil, false, "", nil},
		{"regular", info{name: "f", size: 3}, func() (io.ReaderAt, error) { return strings.NewReader("abcdef"), nil }, false, "abc", nil},
		{"unreadable content", info{name: "f", size: 3}, func() (io.ReaderAt, error) { return nil, broken }, false, "", broken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := fsfile.Open("open", "x/"+c.info.name, c.info, list, c.content)
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("Open = %v, want %v", err, c.wantErr)
			}
			if err != nil {
				if !strings.HasPrefix(err.Error(), "open x/f:") {
					t.Errorf("error %q does not name the op and path", err)
				}
				return
			}
			if _, isDir := f.(*fsfile.Dir); isDir != c.wantDir {
				t.Fatalf("got %T, want a directory: %t", f, c.wantDir)
			}
			if !c.wantDir {
				b, err := io.ReadAll(f)
				if err != nil || string(b) != c.wantData {
					t.Errorf("content %q, %v; want %q", b, err, c.wantData)
				}
			}
		})
	}
}
