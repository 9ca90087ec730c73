package fat

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// usesImage builds a FAT16 image (mkfs.vfat, mcopy) of 4 KiB clusters holding
// imagetest.MappedTree's files (a secret in the slack of one) and a file deleted with
// mdel (its clusters marked free in the FAT, its bytes left). It returns the image and
// the offsets of each.
func usesImage(t *testing.T) (img string, at map[string]int64) {
	tree := imagetest.MappedTree(t, map[string]imagetest.File{
		"old_key": {Data: "DELETED-SECRET-MARKER\n" + strings.Repeat("z", 5000)},
	})
	img = filepath.Join(t.TempDir(), "esp.img")
	imagetest.Vfat(t, tree, img, 40, "-F", "16", "-s", "8")
	imagetest.Mtools(t, "mdel", img, "::/old_key")
	return img, imagetest.MappedOffsets(t, img, map[string][]byte{"deleted": []byte("DELETED-SECRET-MARKER")})
}

func TestUsesMapsFilesFreeSpaceAndSlack(t *testing.T) {
	img, at := usesImage(t)
	f := imagetest.OpenFS(t, img, Open)
	at["boot"] = 100
	at["outside"] = f.bs.dataOffset + int64(f.bs.clusters)*f.bs.clusterSize
	imagetest.ExpectUses(t, f, at, imagetest.MappedUses(map[string]blockuse.Use{
		"deleted": {Kind: blockuse.Free},
		"boot":    {Kind: blockuse.Metadata},
		"outside": {Kind: blockuse.Outside},
	}))
}

// A cluster chain that leaves the volume is an error, not a guess.
func TestUsesRefusesABrokenChain(t *testing.T) {
	img, at := usesImage(t)
	f := imagetest.OpenFS(t, img, Open)
	if f.bs.bits != 16 {
		t.Fatalf("want FAT16, got %s", f.bs.kind)
	}
	// the live file's first cluster now chains past the last cluster
	first := uint32((at["live"]-f.bs.dataOffset)/f.bs.clusterSize) + 2
	imagetest.WriteAt(t, img, f.bs.fatOffset+2*int64(first), []byte{0xF0, 0xFF})
	f = imagetest.OpenFS(t, img, Open)
	if _, err := f.Uses([]int64{at["live"]}); err == nil || !strings.Contains(err.Error(), "chains to") {
		t.Fatalf("a broken chain: err = %v", err)
	}
}
