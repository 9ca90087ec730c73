package readat

import (
	"io"
	"strings"
	"testing"
)

// zerosFrom reports the bytes from zeroStart on as known zeros.
type zerosFrom struct {
	io.ReaderAt
	zeroStart int64
}

func (z zerosFrom) KnownZeros(off, n int64) (int64, error) {
	if off < z.zeroStart {
		return 0, nil
	}
	return n, nil
}

// KnownZeros reaches the reporter under sections of sections, at the offsets they add,
// clipped to the section; a reader that cannot tell knows none.
func TestKnownZerosThroughSections(t *testing.T) {
	base := zerosFrom{strings.NewReader(strings.Repeat("x", 100)), 60}
	outer := io.NewSectionReader(base, 10, 80)  // bytes 10..90
	inner := io.NewSectionReader(outer, 40, 30) // bytes 50..80
	for _, c := range []struct {
		r       io.ReaderAt
		off, n  int64
		want    int64
		meaning string
	}{
		{base, 60, 5, 5, "the reporter itself"},
		{inner, 0, 30, 0, "byte 50: data"},
		{inner, 10, 100, 20, "byte 60 on: zeros, clipped to the section's end at 80"},
		{outer, 50, 10, 10, "byte 60 through the outer section"},
		{inner, 30, 5, 0, "past the section"},
		{strings.NewReader("abc"), 0, 3, 0, "a reader that cannot tell"},
	} {
		if got, err := KnownZeros(c.r, c.off, c.n); err != nil || got != c.want {
			t.Errorf("%s: %d, %v; want %d", c.meaning, got, err, c.want)
		}
	}
}
