package archivefs

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

type entry struct {
	name, body, link string
	typ              byte
}

func makeTar(t *testing.T, gz bool, entries ...entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	var tw *tar.Writer
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(&buf)
		tw = tar.NewWriter(zw)
	} else {
		tw = tar.NewWriter(&buf)
	}
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: e.typ, Mode: 0o644, Size: int64(len(e.body)), Linkname: e.link}
		if e.typ == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write([]byte(e.body))
		}
	}
	tw.Close()
	if zw != nil {
		zw.Close()
	}
	return buf.Bytes()
}

func TestReadResolvesSymlinksInsideTheArchive(t *testing.T) {
	data := makeTar(t, true,
		entry{name: "etc/", typ: tar.TypeDir},
		entry{name: "etc/ssh/shared_keys", body: "ssh-ed25519 AAAA x\n"},
		entry{name: "home/linky/.ssh/authorized_keys", typ: tar.TypeSymlink, link: "/etc/ssh/shared_keys"},
		entry{name: "home/rel/.ssh/authorized_keys", typ: tar.TypeSymlink, link: "../../../etc/ssh/shared_keys"},
		entry{name: "etc/hard", typ: tar.TypeLink, link: "etc/ssh/shared_keys"},
	)
	fsys, err := Read(bytes.NewReader(data), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := fsys.Lstat("home/linky/.ssh/authorized_keys")
	if err != nil || fi.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("Lstat = %v, %v; want a symlink", fi, err)
	}
	if target, _ := fsys.ReadLink("home/linky/.ssh/authorized_keys"); target != "/etc/ssh/shared_keys" {
		t.Fatalf("ReadLink = %q, want the guest's absolute target", target)
	}
	for _, p := range []string{"home/linky/.ssh/authorized_keys", "home/rel/.ssh/authorized_keys", "etc/hard"} {
		b, err := fs.ReadFile(fsys, p)
		if err != nil || !strings.HasPrefix(string(b), "ssh-ed25519") {
			t.Errorf("%s read through the link: %q, %v", p, b, err)
		}
	}
}

func TestReadMarksFilesNotFetched(t *testing.T) {
	manifest := "f 9000000 /var/log/huge.log\x00f 5 /etc/small\x00d 4096 /var/log\x00"
	data := makeTar(t, false,
		entry{name: "etc/small", body: "hello"},
		entry{name: "var/log/", typ: tar.TypeDir},
		entry{name: "var/log/link", typ: tar.TypeSymlink, link: "huge.log"},
		entry{name: ManifestName, body: manifest},
	)
	fsys, err := Read(bytes.NewReader(data), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fs.ReadFile(fsys, "var/log/huge.log"); !errors.Is(err, cleanup.ErrNotFetched) {
		t.Fatalf("reading a file that was not fetched: %v, want ErrNotFetched", err)
	}
	if _, err := fsys.Open("var/log/link"); !errors.Is(err, cleanup.ErrNotFetched) {
		t.Fatalf("opening a link to it: %v, want ErrNotFetched", err)
	}
	fi, err := fsys.Stat("var/log/huge.log")
	if err != nil || fi.Size() != 9000000 {
		t.Fatalf("Stat = %v, %v; want the guest's size", fi, err)
	}
	entries, err := fsys.ReadDir("var/log")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range entries {
		if e.Name() == "huge.log" {
			info, _ := e.Info()
			found = info.Size() == 9000000
		}
	}
	if !found {
		t.Fatalf("ReadDir does not show huge.log with its size: %v", entries)
	}
	if b, _ := fs.ReadFile(fsys, "etc/small"); string(b) != "hello" {
		t.Fatalf("fetched file = %q", b)
	}
}

func TestReadRejectsBadArchives(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		lim     Limits
		wantErr string
	}{
		{"climbs out", makeTar(t, false, entry{name: "../../etc/passwd", body: "x"}), DefaultLimits, "unsafe name"},
		{"too big", makeTar(t, false, entry{name: "a", body: strings.Repeat("x", 100)}), Limits{MaxTotalBytes: 10, MaxEntries: 10}, "exceed"},
		{"too many", makeTar(t, false, entry{name: "a"}, entry{name: "b"}, entry{name: "c"}), Limits{MaxTotalBytes: 10, MaxEntries: 2}, "more than 2 entries"},
		{"hard link to nothing", makeTar(t, false, entry{name: "a", typ: tar.TypeLink, link: "nope"}), DefaultLimits, "hard link"},
		{"bad manifest", makeTar(t, false, entry{name: ManifestName, body: "garbage\x00"}), DefaultLimits, "manifest"},
		{"truncated gzip", makeTar(t, true, entry{name: "a", body: strings.Repeat("x", 5000)})[:40], DefaultLimits, "archive"},
		{"not a tar", []byte(strings.Repeat("not a tar ", 100)), DefaultLimits, "archive"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Read(bytes.NewReader(tc.data), tc.lim)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	f.Add(makeTar(&testing.T{}, true, entry{name: "etc/passwd", body: "root:x:0:0::/root:/bin/sh\n"}))
	f.Add(makeTar(&testing.T{}, false, entry{name: "l", typ: tar.TypeSymlink, link: "/l"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys, err := Read(bytes.NewReader(data), Limits{MaxTotalBytes: 1 << 20, MaxEntries: 1000})
		if err != nil {
			return
		}
		_ = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				_, _ = fs.ReadFile(fsys, p)
			}
			return nil
		})
	})
}
