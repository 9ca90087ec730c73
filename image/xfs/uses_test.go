package xfs

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// usesImage builds an xfs image holding imagetest.MappedTree's files (a secret in the
// slack of one) and a key deleted through the kernel (its blocks back in the free-space
// btree). It returns the image and the offsets of each.
func usesImage(t *testing.T) (img string, at map[string]int64) {
	imagetest.Need(t, "mkfs.xfs")
	tree := imagetest.MappedTree(t, map[string]imagetest.File{"usr/share/doc/empty": {}})
	img = filepath.Join(t.TempDir(), "xfs.img")
	imagetest.MkfsXFS(t, tree, img, 300)
	var deleted []byte
	imagetest.Mount(t, img, func(mnt string) {
		deleted = imagetest.PlantDeletedKey(t, filepath.Join(mnt, "etc", "old_key"))
	})
	return img, imagetest.MappedOffsets(t, img, map[string][]byte{"deleted": deleted})
}

func TestUsesMapsFilesFreeSpaceSlackAndLog(t *testing.T) {
	img, at := usesImage(t)
	f := imagetest.OpenFS(t, img, Open)
	at["log"] = f.sb.offset(f.sb.logStart) + 4096
	at["outside"] = int64(f.sb.blocks) * f.sb.blockSize
	at["superblock"] = 100
	imagetest.ExpectUses(t, f, at, imagetest.MappedUses(map[string]blockuse.Use{
		"deleted":    {Kind: blockuse.Free},
		"log":        {Kind: blockuse.Journal},
		"outside":    {Kind: blockuse.Outside},
		"superblock": {Kind: blockuse.Metadata},
	}))
}

// A free-space btree that fails its checks is an error, not a guess.
func TestUsesRefusesACorruptFreeSpaceBtree(t *testing.T) {
	img, at := usesImage(t)
	f := imagetest.OpenFS(t, img, Open)
	ag := uint64(at["live"]/f.sb.blockSize) / f.sb.agBlocks
	agf, err := (&freeSpace{fs: f, agfs: map[uint64][]byte{}}).agf(ag)
	if err != nil {
		t.Fatal(err)
	}
	root := int64(ag*f.sb.agBlocks+uint64(be.Uint32(agf[16:]))) * f.sb.blockSize
	imagetest.WriteAt(t, img, root, []byte("JUNK"))
	f = imagetest.OpenFS(t, img, Open)
	if _, err := f.Uses([]int64{at["live"]}); err == nil || !strings.Contains(err.Error(), "free-space btree") {
		t.Fatalf("a corrupt bnobt root: err = %v", err)
	}
}
