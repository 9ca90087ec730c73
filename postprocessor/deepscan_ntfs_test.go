package postprocessor

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/deepscan"
	"github.com/goldenimage/packer-plugin-sanitize/image"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// straddleName is the deleted key's name: 70 characters, so that its $FILE_NAME puts the
// file's data at record offset 488, 22 bytes before its MFT record's first stride end (as
// ntfs-3g lays a record out: header, $STANDARD_INFORMATION, $FILE_NAME, a security
// descriptor, then $DATA). The update sequence number then replaces bytes 22-23 of
// "-----BEGIN OPENSSH PRIVATE KEY-----" on disk.
var straddleName = "old_deploy_key_" + strings.Repeat("x", 70-len("old_deploy_key_"))

// TestDeepScanFindsADeletedKeyStraddlingAnMFTStride: an OpenSSH private key written to an
// NTFS volume then deleted keeps its bytes in its freed MFT record, with the update
// sequence number in place of two of them. The raw scan alone misses it; deep_scan finds
// it, in the $MFT with fixups applied, as a remnant in a free MFT record at its volume
// offset. A live key resident in its record, which both scans find, is reported once,
// in its file. The clean twin, where no key was ever written, passes.
func TestDeepScanFindsADeletedKeyStraddlingAnMFTStride(t *testing.T) {
	imagetest.Need(t, "mkntfs", "ntfs-3g", "ssh-keygen")
	dir := t.TempDir()
	newKey := func(name string) []byte {
		p := filepath.Join(dir, name)
		imagetest.Run(t, "ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", p)
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	key, live := newKey("old-deploy-key"), newKey("live-key")
	tree := filepath.Join(dir, "tree")
	imagetest.WriteTree(t, tree, map[string]imagetest.File{"Users/app/README.txt": {Data: "nothing to see\n"}})
	img := map[bool]string{}
	for _, dirty := range []bool{false, true} {
		img[dirty] = filepath.Join(dir, fmt.Sprintf("dirty-%t.ntfs", dirty))
		imagetest.NTFS(t, tree, img[dirty], 16)
		if dirty {
			imagetest.MountNTFS(t, img[dirty], func(mnt string) {
				if err := os.WriteFile(filepath.Join(mnt, "Users/app/id_ed25519"), live, 0o600); err != nil {
					t.Fatal(err)
				}
				imagetest.PlantDeleted(t, filepath.Join(mnt, straddleName), key)
			})
		}
	}

	// The key is on disk but for the update sequence number, and the raw scan misses it.
	raw, err := os.ReadFile(img[true])
	if err != nil {
		t.Fatal(err)
	}
	at := int64(bytes.Index(raw, key[60:])) - 60 // past the stride end: unique to this key
	if at < 0 {
		t.Fatal("the deleted key is not in the image")
	}
	usn := 510 - at%512 // the key's bytes the update sequence number replaced
	if usn < 0 || usn > 40 || !bytes.Equal(raw[at:at+usn], key[:usn]) || bytes.Contains(raw, key) {
		t.Fatalf("the key at volume offset %d (stride offset %d) does not straddle the stride end in its header: adjust straddleName",
			at, at%512)
	}
	f, err := os.Open(img[true])
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := deepscan.Scan(context.Background(), "raw", f, int64(len(raw)), deepscan.Options{})
	if err != nil || res.Total != 1 || res.Hits[0].Offset != int64(bytes.Index(raw, live[:40])) {
		t.Fatalf("the raw scan alone: %+v, %v; want the live key only (else the test proves nothing)", res, err)
	}

	r := runPP(t, map[string]interface{}{"deep_scan": true}, img[false])
	if r.err != nil || !r.report.Passed || len(r.report.NotVerified) > 0 {
		t.Fatalf("the clean twin did not pass: %v\n%s", r.err, r.out)
	}
	r = runPP(t, map[string]interface{}{"deep_scan": true}, img[true])
	if r.err == nil || r.report.Passed {
		t.Fatalf("deep_scan passed a volume holding a deleted key:\n%s", r.out)
	}
	found := map[string][]string{} // messages by path
	for _, f := range r.report.Findings {
		if f.Check == deepScanCheck {
			found[f.Path] = append(found[f.Path], f.Message)
		}
	}
	want := fmt.Sprintf("at volume offset %d, in (unallocated) of /$MFT", at)
	if len(found) != 2 || len(found["/Users/app/id_ed25519"]) != 1 || len(found["(unallocated)"]) != 1 ||
		!strings.HasPrefix(found["(unallocated)"][0], "remnant: ") || !strings.Contains(found["(unallocated)"][0], want) {
		t.Fatalf("want the live key once in its file and one remnant %q; got %q\n%s", want, found, r.out)
	}
	if len(r.report.NotVerified) > 0 {
		t.Errorf("not verified: %+v", r.report.NotVerified)
	}
	for _, k := range [][]byte{key, live} {
		if strings.Contains(r.out, string(k[40:80])) {
			t.Error("the output shows a key")
		}
	}
}

// mftReadFails fails the reads that the scan of the fixed-up $MFT makes (at most 64
// records, past the records opening the volume reads) and serves the others.
type mftReadFails struct {
	r        io.ReaderAt
	from, to int64 // the MFT's records 16 and up
}

func (m mftReadFails) ReadAt(p []byte, off int64) (int, error) {
	if len(p) > 1024 && len(p) < 1<<20 && off < m.to && off+int64(len(p)) > m.from {
		return 0, errors.New("injected read error")
	}
	return m.r.ReadAt(p, off)
}

// TestDeepScanNTFSUnreadableMFTIsNotVerified: when the $MFT cannot be read for the scan
// with fixups applied, the volume's deep scan is an error (not verified), not a pass.
func TestDeepScanNTFSUnreadableMFTIsNotVerified(t *testing.T) {
	f, err := os.Open("../image/ntfs/testdata/seed.img.gz") // the NTFS fuzz seed: 2 MiB
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	img, err := io.ReadAll(z)
	if err != nil {
		t.Fatal(err)
	}
	le := binary.LittleEndian
	cluster := int64(le.Uint16(img[0x0B:])) * int64(img[0x0D])
	mft := int64(le.Uint64(img[0x30:])) * cluster
	vol := image.Volume{Source: "seed", Filesystem: "NTFS",
		Raw: io.NewSectionReader(mftReadFails{bytes.NewReader(img), mft + 16<<10, mft + 64<<10}, 0, int64(len(img)))}
	if _, err := deepScanVolume(vol, func(string) {}); err == nil || !strings.Contains(err.Error(), "injected read error") ||
		!strings.Contains(err.Error(), "$MFT (fixups applied)") {
		t.Fatalf("an unreadable $MFT: err = %v", err)
	}
	vol.Raw = io.NewSectionReader(bytes.NewReader(img), 0, int64(len(img)))
	if found, err := deepScanVolume(vol, func(string) {}); err != nil || len(found) != 0 {
		t.Fatalf("the seed read whole: %v, %v", found, err)
	}
}
