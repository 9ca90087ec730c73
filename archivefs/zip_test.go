package archivefs

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// makeZip writes entries as the Windows guest script does: name -> body, a name ending in
// "/" is a directory.
func makeZip(t *testing.T, entries ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		w, err := zw.Create(e[0])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadZipLikeTheWindowsScript(t *testing.T) {
	data := makeZip(t,
		[2]string{"Users/", ""},
		[2]string{"Users/Packer/.ssh/", ""},
		[2]string{"Users/Packer/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt", "ls\r\n"},
		[2]string{`ProgramData\ssh\sshd_config`, "Port 22\r\n"},
		[2]string{ManifestName, "d 0 Users\x00f 4 Users/Packer/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt\x00" +
			"f 9000000 Windows/Temp/big file.msi\x00l 0 Users/All Users\x00"},
	)
	fsys, err := Read(bytes.NewReader(data), DefaultLimits)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := fs.ReadFile(fsys, "ProgramData/ssh/sshd_config"); err != nil || string(b) != "Port 22\r\n" {
		t.Fatalf("sshd_config: %q, %v", b, err)
	}
	if fi, err := fs.Stat(fsys, "Users/Packer/.ssh"); err != nil || !fi.IsDir() {
		t.Fatalf("empty directory lost: %v", err)
	}
	_, err = fs.ReadFile(fsys, "Windows/Temp/big file.msi")
	if !errors.Is(err, cleanup.ErrNotFetched) {
		t.Fatalf("a listed, unfetched file must fail with ErrNotFetched, got %v", err)
	}
	if fi, err := fs.Stat(fsys, "Windows/Temp/big file.msi"); err != nil || fi.Size() != 9000000 {
		t.Fatalf("unfetched file keeps its size: %v %v", fi, err)
	}
	if _, err := fs.Stat(fsys, "Users/All Users"); err == nil {
		t.Fatal("a reparse point listed in the manifest must not appear")
	}
}

func TestReadZipRefusesBadArchives(t *testing.T) {
	for name, data := range map[string][]byte{
		"climbs out":       makeZip(t, [2]string{"../etc/passwd", "x"}),
		"climbs out (\\)":  makeZip(t, [2]string{`Users\..\..\x`, "x"}),
		"too big":          makeZip(t, [2]string{"a", strings.Repeat("0", 2048)}),
		"truncated":        makeZip(t, [2]string{"a", "x"})[:30],
		"bad manifest":     makeZip(t, [2]string{ManifestName, "f notanumber x\x00"}),
		"too many entries": makeZip(t, [2]string{"a", ""}, [2]string{"b", ""}, [2]string{"c", ""}),
	} {
		if _, err := Read(bytes.NewReader(data), Limits{MaxTotalBytes: 1024, MaxEntries: 2}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if fsys, err := Read(bytes.NewReader(makeZip(t)), DefaultLimits); err != nil || fsys == nil {
		t.Errorf("an empty ZIP is an empty guest: %v", err)
	}
}

func FuzzReadZip(f *testing.F) {
	f.Add(makeZip(&testing.T{}, [2]string{"Users/a/.ssh/id", "key"}, [2]string{ManifestName, "f 3 Users/a/.ssh/id\x00"}))
	f.Fuzz(func(t *testing.T, data []byte) {
		fsys, err := ReadZip(data, Limits{MaxTotalBytes: 1 << 20, MaxEntries: 1000})
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
