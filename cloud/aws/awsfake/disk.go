package awsfake

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Disk is a real GPT-partitioned disk image with one ext4 partition, made for a test
// with the tools images come from (truncate, sfdisk, mkfs.ext4 -d).
type Disk struct {
	Path string
	Size int64
	// PartitionStart and PartitionSize place the ext4 filesystem, in bytes.
	PartitionStart, PartitionSize int64
}

// NeedTools skips the test when a tool is missing, and fails it under CI=true, where
// a missing tool is a broken setup rather than a laptop without it.
func NeedTools(t testing.TB, tools ...string) {
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

// BuildDisk makes a sparse disk of size bytes (a whole number of GiB, like an EBS
// volume) whose GPT partition 1 holds an ext4 filesystem populated with files (slash
// paths relative to the root -> contents; a path ending in "/" is an empty directory).
func BuildDisk(t testing.TB, files map[string]string, size int64) Disk {
	t.Helper()
	NeedTools(t, "sfdisk", "mkfs.ext4")
	tree := t.TempDir()
	for name, data := range files {
		p := filepath.Join(tree, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			must(t, os.MkdirAll(p, 0o755))
			continue
		}
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(data), 0o644))
	}
	return BuildDiskFromTree(t, tree, size)
}

// BuildDiskFromTree is BuildDisk with the filesystem populated from the directory tree
// (a real rootfs, say).
func BuildDiskFromTree(t testing.TB, tree string, size int64) Disk {
	t.Helper()
	NeedTools(t, "sfdisk", "mkfs.ext4")
	d := Disk{Path: filepath.Join(t.TempDir(), "disk.raw"), Size: size}
	must(t, os.WriteFile(d.Path, nil, 0o644))
	must(t, os.Truncate(d.Path, size))

	cmd := exec.Command("sfdisk", "--no-reread", "--no-tell-kernel", "-q", d.Path)
	cmd.Stdin = strings.NewReader("label: gpt\nunit: sectors\nstart=2048, type=linux, name=root\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("sfdisk: %v\n%s", err, out)
	}
	var table struct {
		PartitionTable struct {
			SectorSize int64 `json:"sectorsize"`
			Partitions []struct {
				Start int64 `json:"start"`
				Size  int64 `json:"size"`
			} `json:"partitions"`
		} `json:"partitiontable"`
	}
	must(t, json.Unmarshal(run(t, "sfdisk", "--json", d.Path), &table))
	pt := table.PartitionTable
	if len(pt.Partitions) != 1 {
		t.Fatalf("sfdisk made %d partitions, want 1", len(pt.Partitions))
	}
	sector := max(pt.SectorSize, 512)
	d.PartitionStart, d.PartitionSize = pt.Partitions[0].Start*sector, pt.Partitions[0].Size*sector
	// -E offset writes the filesystem inside the disk file, leaving the GPT alone.
	run(t, "mkfs.ext4", "-q", "-F", "-L", "root",
		"-E", "offset="+strconv.FormatInt(d.PartitionStart, 10),
		"-d", tree, d.Path, strconv.FormatInt(d.PartitionSize/1024, 10)+"k")
	return d
}

func run(t testing.TB, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(name, args...).Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, ee.Stderr)
		}
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
