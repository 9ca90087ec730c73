package image_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// TestSwapVolumes: a swap area (told by its SWAPSPACE2 signature, whatever the partition
// type) holds no files and is reported skipped, its raw bytes kept for the deep scan; a
// partition typed swap without the signature is not verified.
func TestSwapVolumes(t *testing.T) {
	imagetest.Need(t, "mkswap", "sfdisk", "sgdisk", "mkfs.ext4")
	dir := t.TempDir()
	root := rootfsImage(t, dir, false)
	swap := imagetest.Swap(t, filepath.Join(dir, "swap.img"), 8)
	const gptSwap = "0657FD6D-A4AB-43C4-84E5-0933C84B4F4F"
	gpt := filepath.Join(dir, "gpt.raw")
	imagetest.GPTDisk(t, gpt, []imagetest.Partition{{Image: root, Name: "root"}, {Image: swap, Type: gptSwap}, {MiB: 2, Type: gptSwap}})
	mbr := filepath.Join(dir, "mbr.raw")
	imagetest.MBRDisk(t, mbr, []imagetest.Partition{{Image: root}, {Image: swap, Type: "82"}, {MiB: 2, Type: "82"}}, nil)
	// swap in a partition typed Linux filesystem: the signature decides
	untyped := filepath.Join(dir, "untyped.raw")
	imagetest.GPTDisk(t, untyped, []imagetest.Partition{{Image: root}, {Image: swap, Name: "swap"}, {MiB: 2, Type: gptSwap}})

	cases := []struct {
		path, swapSource, typedOnlySource string
	}{
		{gpt, gpt + " partition 2 (GPT, Linux swap)", gpt + " partition 3 (GPT, Linux swap)"},
		{mbr, mbr + " partition 2 (MBR, Linux swap)", mbr + " partition 3 (MBR, Linux swap)"},
		{untyped, untyped + ` partition 2 (GPT "swap")`, untyped + " partition 3 (GPT, Linux swap)"},
		{swap, swap, ""},
	}
	for _, tc := range cases {
		t.Run(filepath.Base(tc.path), func(t *testing.T) {
			im := open(t, tc.path)
			var sawSwap, sawTyped bool
			for _, v := range im.Volumes {
				switch v.Source {
				case tc.swapSource:
					sawSwap = true
					if v.Skipped != "swap: holds no files" || v.Filesystem != "swap" || v.FS != nil || v.Err != nil {
						t.Errorf("swap volume %+v: want skipped as swap", v)
					}
					if v.Raw == nil || v.Raw.Size() != 8<<20 {
						t.Errorf("swap volume: want its 8 MiB of raw bytes kept for the deep scan, got %v", v.Raw)
					}
				case tc.typedOnlySource:
					sawTyped = true
					if v.Err == nil || !strings.Contains(v.Err.Error(), "not verified: unknown filesystem") ||
						!strings.Contains(v.Err.Error(), "no SWAPSPACE2 signature") || v.Skipped != "" {
						t.Errorf("partition typed swap without a signature: %+v, want not verified", v)
					}
				}
			}
			if !sawSwap || (tc.typedOnlySource != "") != sawTyped {
				t.Errorf("volumes %+v: want %q (and %q)", im.Volumes, tc.swapSource, tc.typedOnlySource)
			}
		})
	}
}

// TestSwapSignatureIsRequired: mkswap's signature at the end of the first page; the
// same bytes with it wiped are not swap.
func TestSwapSignatureIsRequired(t *testing.T) {
	dir := t.TempDir()
	swap := imagetest.Swap(t, filepath.Join(dir, "swap.img"), 1)
	b, err := os.ReadFile(swap)
	if err != nil {
		t.Fatal(err)
	}
	at := strings.Index(string(b), "SWAPSPACE2")
	if at < 0 {
		t.Fatal("mkswap wrote no SWAPSPACE2")
	}
	imagetest.WriteAt(t, swap, int64(at), []byte("WIPEDWIPED"))
	im, err := image.Open(swap)
	if err == nil {
		im.Close()
		t.Fatalf("a wiped swap signature opened as %+v, want an error", im.Volumes)
	}
	if !strings.Contains(err.Error(), "no known filesystem") {
		t.Errorf("error %q", err)
	}
}
