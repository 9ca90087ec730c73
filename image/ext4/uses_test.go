package ext4_test

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
	"github.com/goldenimage/packer-plugin-sanitize/image/ext4"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// Uses on ext4 names a live file, the slack of its last block, a file deleted with
// debugfs (its blocks free in the bitmap) and the journal, whose first block debugfs
// tells.
func TestUsesMapsFilesFreeSpaceSlackAndJournal(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "debugfs")
	tree := imagetest.MappedTree(t, map[string]imagetest.File{
		"old_key": {Data: "DELETED-SECRET-MARKER\n" + strings.Repeat("z", 5000)},
	})
	img := filepath.Join(t.TempDir(), "ext4.img")
	imagetest.Mkfs(t, tree, img, 32, "-b", "4096")
	imagetest.Run(t, "debugfs", "-w", "-R", "rm /old_key", img)
	at := imagetest.MappedOffsets(t, img, map[string][]byte{"deleted": []byte("DELETED-SECRET-MARKER")})
	out, err := exec.Command("debugfs", "-R", "bmap <8> 0", img).Output()
	if err != nil {
		t.Fatalf("debugfs bmap: %v", err)
	}
	journalBlock, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64)
	if err != nil {
		t.Fatalf("debugfs bmap: %q", out)
	}
	at["journal"] = journalBlock*4096 + 100
	at["outside"] = 32 << 20
	f := imagetest.OpenFS(t, img, ext4.Open)
	imagetest.ExpectUses(t, f, at, imagetest.MappedUses(map[string]blockuse.Use{
		"deleted": {Kind: blockuse.Free},
		"journal": {Kind: blockuse.Journal},
		"outside": {Kind: blockuse.Outside},
	}))
}
