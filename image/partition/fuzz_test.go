package partition

import (
	"bytes"
	"testing"
)

// FuzzRead parses hostile partition tables: errors are fine, panics and hangs are not.
func FuzzRead(f *testing.F) {
	d := newDisk(64)
	d.entry(0, 0, 0x83, 1, 8)
	d.entry(0, 1, 0x05, 16, 40)
	d.entry(16, 0, 0x83, 2, 4)
	d.entry(16, 1, 0x05, 10, 20)
	d.entry(26, 0, 0x83, 2, 4)
	f.Add([]byte(d))
	g := newDisk(64)
	copy(g[512:], "EFI PART")
	f.Add([]byte(g))
	f.Fuzz(func(t *testing.T, b []byte) {
		table, err := Read(bytes.NewReader(b), int64(len(b)))
		if err == nil && table != nil {
			for _, p := range table.Partitions {
				if p.Start < 0 || p.Size <= 0 || p.Start+p.Size > int64(len(b)) {
					t.Fatalf("partition out of bounds accepted: %+v", p)
				}
			}
		}
	})
}
