package image_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
	"github.com/goldenimage/packer-plugin-sanitize/image/partition"
)

// TestNTFSVolumes: an NTFS volume is read wherever Windows puts one (an MBR type 7
// partition, a GPT basic data partition next to an ESP and an MSR, a whole disk), and a
// corrupt one is a volume not verified, naming the fault.
func TestNTFSVolumes(t *testing.T) {
	dir := t.TempDir()
	tree := filepath.Join(dir, "tree")
	imagetest.WriteTree(t, tree, map[string]imagetest.File{"Windows/System32/drivers/etc/hosts": {Data: "127.0.0.1 localhost\r\n"}})
	vol := filepath.Join(dir, "c.ntfs")
	imagetest.NTFS(t, tree, vol, 16)
	mbr := filepath.Join(dir, "mbr.raw")
	imagetest.MBRDisk(t, mbr, []imagetest.Partition{{Image: vol, Type: "7"}}, nil)
	gpt := filepath.Join(dir, "gpt.raw")
	imagetest.WindowsDisk(t, gpt, vol, map[string]imagetest.File{"EFI/Microsoft/Boot/bootmgfw.efi": {Data: "MZ"}})
	// an MSR holding data is not skipped on its type alone
	msrData := filepath.Join(dir, "msr-data.raw")
	imagetest.Truncate(t, gpt, msrData, 1<<40)
	f, err := os.OpenFile(msrData, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	fi, _ := f.Stat()
	table, err := partition.Read(f, fi.Size())
	if err != nil || len(table.Partitions) != 3 {
		t.Fatalf("%v, %v", table, err)
	}
	f.WriteAt([]byte("hidden"), table.Partitions[1].Start+12345)
	f.Close()
	corrupt := filepath.Join(dir, "corrupt.ntfs")
	imagetest.Truncate(t, vol, corrupt, 1<<30)
	b, _ := os.ReadFile(corrupt)
	copy(b[0x30:], []byte{0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0}) // the MFT's cluster, past the volume
	os.WriteFile(corrupt, b, 0o644)

	for _, tc := range []struct {
		name, path, table string
		ntfsAt            int // index of the NTFS volume
		skipped           string
		err               string
	}{
		{"MBR type 7", mbr, "MBR", 0, "", ""},
		{"GPT with ESP and MSR", gpt, "GPT", 2, "Microsoft Reserved Partition", ""},
		{"GPT with data in the MSR", msrData, "GPT", 2, "", ""},
		{"whole disk", vol, "none", 0, "", ""},
		{"MFT outside the volume", corrupt, "none", 0, "", "not verified: NTFS: corrupt NTFS filesystem: the MFT at cluster 4294967295 is outside the volume"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			im, err := image.Open(tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer im.Close()
			if im.Table != tc.table || len(im.Volumes) <= tc.ntfsAt {
				t.Fatalf("table %s, %d volumes", im.Table, len(im.Volumes))
			}
			v := im.Volumes[tc.ntfsAt]
			if v.Filesystem != "NTFS" {
				t.Errorf("filesystem %q, want NTFS", v.Filesystem)
			}
			if tc.err != "" {
				if v.Err == nil || !strings.Contains(v.Err.Error(), tc.err) || v.FS != nil {
					t.Fatalf("err %v, want %q", v.Err, tc.err)
				}
				return
			}
			if v.Err != nil {
				t.Fatal(v.Err)
			}
			if b, err := fs.ReadFile(v.FS, "Windows/System32/drivers/etc/hosts"); err != nil || string(b) != "127.0.0.1 localhost\r\n" {
				t.Errorf("hosts: %q, %v", b, err)
			}
			if tc.table == "GPT" {
				msr := im.Volumes[1]
				if tc.skipped != "" && !strings.Contains(msr.Skipped, tc.skipped) {
					t.Errorf("the MSR: skipped %q, want %q", msr.Skipped, tc.skipped)
				}
				if tc.skipped == "" && (msr.Skipped != "" || msr.Err == nil) {
					t.Errorf("an MSR holding data: skipped %q, err %v; want not verified", msr.Skipped, msr.Err)
				}
			}
		})
	}
}
