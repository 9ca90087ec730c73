package deepscan

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/goldenimage/packer-plugin-sanitize/image/blockuse"
)

// crashingFS is a filesystem reader that panics when asked for owners, as a reader with
// a bug might on a hostile image.
type crashingFS struct{ fs.FS }

func (crashingFS) Uses([]int64) (map[int64]blockuse.Use, error) { panic("index out of range") }

// A reader crashing while the hits are mapped makes every owner unknown and an error
// saying so; the hits themselves stay.
func TestLocateSurvivesACrashingReader(t *testing.T) {
	l := NewLocator(nil, 0, "ext4").Reuse(crashingFS{fstest.MapFS{}})
	hits := []Hit{{Offset: 1, Rule: "private-key"}, {Offset: 2, Rule: "private-key"}}
	err := l.Locate(hits)
	if err == nil || !strings.Contains(err.Error(), "crashed") {
		t.Fatalf("Locate: %v, want an error saying the reader crashed", err)
	}
	for _, h := range hits {
		if h.Owner.Kind != KindUnknown || !strings.Contains(h.Owner.Why, "crashed") {
			t.Errorf("hit at %d: owner %+v, want unknown", h.Offset, h.Owner)
		}
	}
}
