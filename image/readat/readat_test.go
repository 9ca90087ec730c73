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

func TestClip(t *testing.T) {
	negative := errors.New("negative offset")
	p := make([]byte, 4)
	for _, tc := range []struct {
		name          string
		off, size     int64
		wantLen       int
		wantEOF, want error
	}{
		{"inside", 2, 10, 4, nil, nil},
		{"reaching the end", 8, 10, 2, io.EOF, nil},
		{"exactly to the end", 6, 10, 4, nil, nil},
		{"at the end", 10, 10, 0, nil, io.EOF},
		{"past the end", 20, 10, 0, nil, io.EOF},
		{"negative", -1, 10, 0, nil, negative},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, eof, err := Clip(p, tc.off, tc.size, negative)
			if len(q) != tc.wantLen || eof != tc.wantEOF || err != tc.want {
				t.Fatalf("Clip = %d bytes, %v, %v; want %d, %v, %v", len(q), eof, err, tc.wantLen, tc.wantEOF, tc.want)
			}
		})
	}
}
