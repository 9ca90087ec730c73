package lvm

import (
	"bytes"
	"io"
	"testing"
)

// FuzzParseText: hostile metadata text gives errors, never a panic or a hang.
func FuzzParseText(f *testing.F) {
	f.Add(`vg { id = "x" seqno = 3 extent_size = 8192 physical_volumes { pv0 { id = "a-b" pe_start = 2048 pe_count = 10 } }
logical_volumes { root { status = ["READ", "VISIBLE"] segment1 { start_extent = 0 extent_count = 2 type = "striped" stripe_count = 1 stripes = ["pv0", 0] } } } }
contents = "Text Format Volume Group" # comment
version = 1`)
	f.Fuzz(func(t *testing.T, s string) {
		root, err := parseText(s)
		if err != nil {
			return
		}
		pv := &PV{UUID: "ab", r: bytes.NewReader(make([]byte, 1<<20)), size: 1 << 20, text: s}
		lvs, _ := Assemble([]*PV{pv})
		for _, lv := range lvs {
			if lv.R != nil {
				_, _ = io.Copy(io.Discard, io.NewSectionReader(lv.R, 0, min(lv.Size, 4<<20)))
			}
		}
		_ = root
	})
}
