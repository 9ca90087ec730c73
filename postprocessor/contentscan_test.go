package postprocessor

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// A file too large for the content scan is said in the report (info), never passed over
// in silence; a tree without one gets no such note.
func TestContentScanSaysWhatItLeftOut(t *testing.T) {
	secret := "aws_access_key_id = AKIA" + "QWERTYUIOPASDFGH\naws_secret_access_key = " + strings.Repeat("x7Q", 13) + "a\n"
	big := []byte(strings.Repeat("#", scanMaxFileSize) + "\n" + secret)
	for _, tc := range []struct {
		name      string
		files     fstest.MapFS
		wantNote  bool
		wantFound bool
	}{
		{"large file", fstest.MapFS{"etc/hostname": {Data: []byte("h\n")}, "root/dump.sql": {Data: big}}, true, false},
		{"small twin", fstest.MapFS{"etc/hostname": {Data: []byte("h\n")}, "root/dump.sql": {Data: []byte(secret)}}, false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			found, err := contentScan(tc.files, map[string]bool{})
			if err != nil {
				t.Fatal(err)
			}
			var note, secretFound bool
			for _, f := range found {
				switch {
				case f.Severity == cleanup.Info && strings.Contains(f.Message, "not content-scanned"):
					note = true
					if f.Path != "/root/dump.sql" || !strings.Contains(f.Message, "1 file(s) over 1 MiB") {
						t.Errorf("note = %+v", f)
					}
				case f.Severity >= cleanup.High:
					secretFound = true
				}
			}
			if note != tc.wantNote || secretFound != tc.wantFound {
				t.Errorf("note=%v secret found=%v, want %v %v: %+v", note, secretFound, tc.wantNote, tc.wantFound, found)
			}
		})
	}
}
