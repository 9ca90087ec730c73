package vmdk_test

import (
	"bytes"
	"encoding/binary"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/vmdk"
)

// TestBadImages damages qemu's streamOptimized and monolithicSparse output the ways a
// truncated, corrupt or hostile file would be: every one is an error, never zeros.
func TestBadImages(t *testing.T) {
	dir := t.TempDir()
	raw := rawDisk(t, dir)
	read := func(path string) []byte {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	stream := read(convert(t, raw, filepath.Join(dir, "stream.vmdk"), "subformat=streamOptimized"))
	sparse := read(convert(t, raw, filepath.Join(dir, "sparse.vmdk")))
	le := binary.LittleEndian
	// firstGTE is the offset of grain table 0's first allocated entry, and its value
	firstGTE := func(b []byte) (int64, uint32) {
		gt := int64(le.Uint32(b[le.Uint64(b[56:])*512:])) * 512
		for i := gt; ; i += 4 {
			if v := le.Uint32(b[i:]); v > 1 {
				return i, v
			}
		}
	}
	cases := []struct {
		name   string
		base   []byte
		damage func(b []byte) []byte
		want   string
	}{
		{"stream truncated", stream, func(b []byte) []byte { return b[:len(b)*2/3] }, "truncated"},
		{"sparse truncated", sparse, func(b []byte) []byte { return b[:len(b)/2] }, "truncated"},
		{"grain directory past the end", sparse, func(b []byte) []byte { le.PutUint64(b[56:], 1<<30); return b }, "grain directory"},
		{"absurd capacity", sparse, func(b []byte) []byte { le.PutUint64(b[12:], 1<<62); return b }, "capacity"},
		{"grain size not a power of two", sparse, func(b []byte) []byte { le.PutUint64(b[20:], 100); return b }, "grain"},
		{"grain marker names another sector", stream, func(b []byte) []byte {
			_, v := firstGTE(b)
			le.PutUint64(b[int64(v)*512:], 12345)
			return b
		}, "says it holds sector"},
		{"compressed size absurd", stream, func(b []byte) []byte {
			_, v := firstGTE(b)
			le.PutUint32(b[int64(v)*512+8:], 1<<30)
			return b
		}, "compressed bytes"},
		{"compressed data garbage", stream, func(b []byte) []byte {
			_, v := firstGTE(b)
			copy(b[int64(v)*512+14:], bytes.Repeat([]byte{0xFF}, 64))
			return b
		}, "grain"},
		{"grain past the end", sparse, func(b []byte) []byte {
			at, _ := firstGTE(b)
			le.PutUint32(b[at:], 1<<30)
			return b
		}, "past the end"},
		{"a delta disk", sparse, func(b []byte) []byte {
			return []byte(strings.Replace(string(b), "parentCID=ffffffff", "parentCID=12345678", 1))
		}, "parent"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := tc.damage(bytes.Clone(tc.base))
			d, err := vmdk.Open(bytes.NewReader(b), int64(len(b)))
			if err == nil {
				_, err = io.Copy(io.Discard, io.NewSectionReader(d, 0, d.Size()))
			}
			if err == nil {
				t.Fatal("read without error")
			}
			t.Logf("error: %v", err)
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q lacks %q", err, tc.want)
			}
		})
	}
}
