package readat

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestFull(t *testing.T) {
	r := strings.NewReader("0123456789")
	for _, tc := range []struct {
		name    string
		size    int
		off     int64
		want    string
		wantErr string
	}{
		{"inside", 4, 2, "2345", ""},
		{"up to the end", 3, 7, "789", ""},
		{"cut short", 4, 8, "", "reading 4 bytes at offset 8: unexpected EOF"},
		{"past the end", 1, 20, "", "reading 1 bytes at offset 20: unexpected EOF"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := make([]byte, tc.size)
			err := Full(r, b, tc.off)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr || !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("err = %v, want %q wrapping io.ErrUnexpectedEOF", err, tc.wantErr)
				}
				return
			}
			if err != nil || string(b) != tc.want {
				t.Fatalf("got %q, %v; want %q", b, err, tc.want)
			}
		})
	}
}
