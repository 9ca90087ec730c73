// Package imagetest builds real disk images for tests, with the tools users' images come
// from: mkfs.ext4 -d, sfdisk, sgdisk, qemu-img. A test needing a missing tool skips on a
// laptop and fails under CI=true.
package imagetest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Need skips the test (fails it under CI=true) when a tool is missing.
func Need(t testing.TB, tools ...string) {
	t.Helper()
	var missing []string
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := "missing " + strings.Join(missing, ", ") + " (make tools installs them)"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Run runs a command and fails the test with its output when it fails.
func Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// File is one entry of a tree: a regular file (Data), a symlink (Link) or a directory.
type File struct {
	Data string
	Link string
	Dir  bool
	Mode fs.FileMode // permission bits; 0 means 0644 (0755 for directories)
}

// WriteTree writes files (keyed by slash paths relative to root) under root.
func WriteTree(t testing.TB, root string, files map[string]File) {
	t.Helper()
	for name, f := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case f.Dir:
			err = os.MkdirAll(p, orMode(f.Mode, 0o755))
		case f.Link != "":
			err = os.Symlink(f.Link, p)
		default:
			err = os.WriteFile(p, []byte(f.Data), orMode(f.Mode, 0o644))
			if err == nil {
				err = os.Chmod(p, orMode(f.Mode, 0o644)) // umask-proof
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func orMode(m, def fs.FileMode) fs.FileMode {
	if m == 0 {
		return def
	}
	return m
}

// Mkfs makes an image file of sizeMiB holding an ext2/3/4 filesystem populated from the
// directory tree; args go to mkfs.ext4 (for example "-b", "1024" or "-O", "inline_data").
func Mkfs(t testing.TB, tree, img string, sizeMiB int, args ...string) {
	t.Helper()
	Need(t, "mkfs.ext4")
	all := append([]string{"-q", "-F", "-E", "lazy_itable_init=0"}, args...)
	all = append(all, "-d", tree, img, strconv.Itoa(sizeMiB)+"M")
	Run(t, "mkfs.ext4", all...)
}

// Partition is one partition of a disk built by MBRDisk or GPTDisk.
type Partition struct {
	Image string // file copied into the partition; "" leaves it zeroed
	MiB   int    // size; 0 means the image's size rounded up to MiB
	Type  string // sfdisk type (MBR: "83", "5"...; GPT: a type GUID or sfdisk alias); "" means Linux
	Name  string // GPT partition name
}

func (p Partition) size(t testing.TB) int64 {
	if p.MiB > 0 {
		return int64(p.MiB) << 20
	}
	fi, err := os.Stat(p.Image)
	if err != nil {
		t.Fatal(err)
	}
	return (fi.Size() + 1<<20 - 1) &^ (1<<20 - 1)
}

// MBRDisk writes a DOS-partitioned disk: primary partitions, then, when logical is not
// empty, an extended partition holding them as logical partitions (5, 6, ...).
func MBRDisk(t testing.TB, out string, primary, logical []Partition) {
	t.Helper()
	Need(t, "sfdisk")
	var script strings.Builder
	script.WriteString("label: dos\nunit: sectors\n")
	start := int64(2048)
	for _, p := range primary {
		fmt.Fprintf(&script, "start=%d, size=%d, type=%s\n", start, p.size(t)/512, orString(p.Type, "83"))
		start += p.size(t) / 512
	}
	if len(logical) > 0 {
		var total int64
		for _, p := range logical {
			total += p.size(t)/512 + 4096 // each logical partition is preceded by its EBR, aligned
		}
		fmt.Fprintf(&script, "start=%d, size=%d, type=5\n", start, total)
		next := start
		for _, p := range logical {
			// an explicit start inside the extended partition makes it logical
			next += 2048
			fmt.Fprintf(&script, "start=%d, size=%d, type=%s\n", next, p.size(t)/512, orString(p.Type, "83"))
			next += p.size(t) / 512
		}
		start += total
	}
	partitionDisk(t, out, (start+2048)*512, script.String(), append(append([]Partition{}, primary...), logical...))
}

// GPTDisk writes a GPT-partitioned disk with named partitions.
func GPTDisk(t testing.TB, out string, parts []Partition) {
	t.Helper()
	Need(t, "sfdisk", "sgdisk")
	var script strings.Builder
	script.WriteString("label: gpt\nunit: sectors\n")
	size := int64(2048 * 512)
	for _, p := range parts {
		fmt.Fprintf(&script, "size=%d, type=%s\n", p.size(t)/512, orString(p.Type, "linux"))
		size += p.size(t)
	}
	partitionDisk(t, out, size+2<<20, script.String(), parts)
	for i, p := range parts {
		if p.Name != "" { // sfdisk drops non-ASCII names; sgdisk keeps them
			Run(t, "sgdisk", "-c", fmt.Sprintf("%d:%s", i+1, p.Name), out)
		}
	}
}

func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// partitionDisk creates the disk, runs sfdisk, then copies each image to where sfdisk
// put its partition (read back with sfdisk --json, in table order).
func partitionDisk(t testing.TB, out string, size int64, script string, parts []Partition) {
	t.Helper()
	if err := os.WriteFile(out, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(out, size); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sfdisk", "--no-reread", "--no-tell-kernel", "-q", out)
	cmd.Stdin = strings.NewReader(script)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sfdisk: %v\n%s\nscript:\n%s", err, b, script)
	}
	var table struct {
		PartitionTable struct {
			Partitions []struct {
				Start int64  `json:"start"`
				Type  string `json:"type"`
			} `json:"partitions"`
		} `json:"partitiontable"`
	}
	if err := json.Unmarshal([]byte(Run(t, "sfdisk", "--json", out)), &table); err != nil {
		t.Fatal(err)
	}
	var starts []int64
	for _, p := range table.PartitionTable.Partitions {
		if p.Type != "5" && p.Type != "f" && p.Type != "85" { // extended containers hold no image
			starts = append(starts, p.Start)
		}
	}
	if len(starts) != len(parts) {
		t.Fatalf("sfdisk made %d partitions, want %d: %+v", len(starts), len(parts), table)
	}
	for i, p := range parts {
		if p.Image != "" {
			CopyAt(t, out, p.Image, starts[i]*512)
		}
	}
}

// CopyAt copies the file src into dst at offset off, without truncating dst.
func CopyAt(t testing.TB, dst, src string, off int64) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if _, err := io.Copy(io.NewOffsetWriter(out, off), in); err != nil {
		t.Fatal(err)
	}
}

// QCOW2 converts a raw image with qemu-img; args go before the file names (for example
// "-c" to compress, or "-o", "compression_type=zstd").
func QCOW2(t testing.TB, raw, out string, args ...string) {
	t.Helper()
	Need(t, "qemu-img")
	all := append([]string{"convert", "-f", "raw", "-O", "qcow2"}, args...)
	Run(t, "qemu-img", append(all, raw, out)...)
}

// Truncate writes the first n bytes of src to dst.
func Truncate(t testing.TB, src, dst string, n int64) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if int64(len(b)) > n {
		b = b[:n]
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// Equal reports whether two files have the same content.
func Equal(t testing.TB, a, b string) bool {
	t.Helper()
	x, err := os.ReadFile(a)
	if err != nil {
		t.Fatal(err)
	}
	y, err := os.ReadFile(b)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y)
}
