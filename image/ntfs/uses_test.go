package ntfs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// usesImage builds an NTFS image through ntfs-3g holding imagetest.MappedTree's files (a
// secret in the slack of one), a small live file resident in its MFT record, and two
// deleted files: a small one (its data stays in the freed MFT record) and a big one (its
// clusters go back to $Bitmap). It returns the image and the offsets of each.
func usesImage(t *testing.T) (img string, at map[string]int64) {
	tree := imagetest.MappedTree(t, map[string]imagetest.File{"etc/app/small.ini": {Data: "SMALL-SECRET-MARKER\n"}})
	img = filepath.Join(t.TempDir(), "ntfs.img")
	imagetest.NTFS(t, tree, img, 64)
	imagetest.MountNTFS(t, img, func(mnt string) {
		// big.bak is deleted last, so that the small file's freed record is not reused
		big := filepath.Join(mnt, "big.bak")
		if err := os.WriteFile(big, []byte("DELETED-BIG-MARKER\n"+strings.Repeat("z", 20<<10)), 0o644); err != nil {
			t.Fatal(err)
		}
		// a small file is resident: its bytes stay in its freed MFT record (a key written
		// there may straddle a sector end, which the record's fixups overwrite, so a
		// marker at its start is looked for)
		small := filepath.Join(mnt, "old_key")
		if err := os.WriteFile(small, []byte("DELETED-SMALL-MARKER\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		imagetest.Run(t, "sync")
		imagetest.Run(t, "rm", small, big)
	})
	return img, imagetest.MappedOffsets(t, img, map[string][]byte{"small": []byte("SMALL-SECRET-MARKER"),
		"deleted": []byte("DELETED-SMALL-MARKER"), "deleted-big": []byte("DELETED-BIG-MARKER")})
}

func TestUsesMapsFilesFreeSpaceSlackAndLog(t *testing.T) {
	img, at := usesImage(t)
	f := imagetest.OpenFS(t, img, Open)
	logFile, err := f.node(recordLogFile, 0)
	if err != nil {
		t.Fatal(err)
	}
	at["log"] = logFile.extents(attrData, "")[0].runs[0].lcn*f.bs.clusterSize + 4096
	at["outside"] = f.bs.clusters * f.bs.clusterSize
	at["boot"] = 100
	imagetest.ExpectUses(t, f, at, imagetest.MappedUses(map[string]blockuse.Use{
		"small":       {Kind: blockuse.File, Path: "/etc/app/small.ini"},
		"deleted":     {Kind: blockuse.Free, Path: "/$MFT"},
		"deleted-big": {Kind: blockuse.Free},
		"log":         {Kind: blockuse.Journal, Path: "/$LogFile"},
		"outside":     {Kind: blockuse.Outside},
		"boot":        {Kind: blockuse.Metadata, Path: "/$Boot"},
	}))
}

// A $Bitmap that cannot be read is an error, not a guess.
func TestUsesRefusesACorruptBitmap(t *testing.T) {
	img, at := usesImage(t)
	f := imagetest.OpenFS(t, img, Open)
	imagetest.WriteAt(t, img, f.bs.mftOffset+recordBitmap*f.bs.recordSize, []byte("JUNK"))
	f = imagetest.OpenFS(t, img, Open)
	if _, err := f.Uses([]int64{at["live"]}); err == nil || !strings.Contains(err.Error(), "$Bitmap") {
		t.Fatalf("a corrupt $Bitmap record: err = %v", err)
	}
}
