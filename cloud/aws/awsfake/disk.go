package awsfake

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// Disk is a real GPT-partitioned disk image with one ext4 partition, made for a test
// with the tools images come from (truncate, sfdisk, mkfs.ext4 -d).
type Disk struct {
	Path string
	Size int64
	// PartitionStart and PartitionSize place the ext4 filesystem, in bytes.
	PartitionStart, PartitionSize int64
}

// BuildDisk makes a sparse disk of size bytes (a whole number of GiB, like an EBS
// volume) whose GPT partition 1 holds an ext4 filesystem populated with files (slash
// paths relative to the root -> contents; a path ending in "/" is an empty directory).
func BuildDisk(t testing.TB, files map[string]string, size int64) Disk {
	t.Helper()
	imagetest.Need(t, "sfdisk", "mkfs.ext4")
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
	imagetest.Need(t, "sfdisk", "mkfs.ext4")
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
	must(t, json.Unmarshal([]byte(imagetest.Run(t, "sfdisk", "--json", d.Path)), &table))
	pt := table.PartitionTable
	if len(pt.Partitions) != 1 {
		t.Fatalf("sfdisk made %d partitions, want 1", len(pt.Partitions))
	}
	sector := max(pt.SectorSize, 512)
	d.PartitionStart, d.PartitionSize = pt.Partitions[0].Start*sector, pt.Partitions[0].Size*sector
	// -E offset writes the filesystem inside the disk file, leaving the GPT alone.
	imagetest.Run(t, "mkfs.ext4", "-q", "-F", "-L", "root",
		"-E", "offset="+strconv.FormatInt(d.PartitionStart, 10),
		"-d", tree, d.Path, strconv.FormatInt(d.PartitionSize/1024, 10)+"k")
	return d
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
