package partition

import (
	"bytes"
	"encoding/binary"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// mbrDisk is a synthetic disk of n sectors whose boot records are written by set.
type mbrDisk []byte

func newDisk(sectors int) mbrDisk { return make(mbrDisk, sectors*sector) }

func (d mbrDisk) entry(recordLBA, i int, typ byte, start, length uint32) {
	b := d[recordLBA*sector:]
	b[510], b[511] = 0x55, 0xAA
	e := b[mbrEntryOffset+16*i:]
	e[4] = typ
	binary.LittleEndian.PutUint32(e[8:], start)
	binary.LittleEndian.PutUint32(e[12:], length)
}

func TestMBR(t *testing.T) {
	tests := []struct {
		name    string
		build   func(d mbrDisk)
		want    string // partitions as "number:scheme:startLBA"
		wantErr string
	}{
		{"primaries and logicals", func(d mbrDisk) {
			d.entry(0, 0, 0x83, 100, 100)
			d.entry(0, 1, 0x05, 1000, 1000)
			d.entry(1000, 0, 0x83, 10, 100) // logical 5 at 1010
			d.entry(1000, 1, 0x05, 200, 300)
			d.entry(1200, 0, 0x8e, 10, 100) // logical 6 at 1210
		}, "1:MBR:100 5:MBR logical:1010 6:MBR logical:1210", ""},
		{"EBR loop", func(d mbrDisk) {
			d.entry(0, 0, 0x05, 1000, 1000)
			d.entry(1000, 0, 0x83, 10, 100)
			d.entry(1000, 1, 0x05, 0x200, 300)
			d.entry(1512, 0, 0x83, 10, 100)
			d.entry(1512, 1, 0x05, 0x200, 300) // points to itself
		}, "", "loops"},
		{"logical outside its extended partition", func(d mbrDisk) {
			d.entry(0, 0, 0x05, 1000, 100)
			d.entry(1000, 0, 0x83, 10, 500)
		}, "", "outside its extended partition"},
		{"partition past the end", func(d mbrDisk) {
			d.entry(0, 0, 0x83, 100, 5000)
		}, "", "truncated image"},
		{"protective MBR without GPT", func(d mbrDisk) {
			d.entry(0, 0, 0xEE, 1, 3000)
		}, "", "no valid GPT"},
		{"boot sector with bad status bytes is no MBR", func(d mbrDisk) {
			d.entry(0, 0, 0x83, 100, 100)
			d[mbrEntryOffset] = 0x12
		}, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := newDisk(3000)
			tc.build(d)
			table, err := Read(bytes.NewReader(d), int64(len(d)))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := summary(table); got != tc.want {
				t.Fatalf("partitions %q, want %q", got, tc.want)
			}
		})
	}
}

func summary(t *Table) string {
	if t == nil {
		return ""
	}
	var out []string
	for _, p := range t.Partitions {
		out = append(out, strings.Join([]string{strconv.Itoa(p.Number), p.Scheme, strconv.Itoa(int(p.Start / sector))}, ":"))
	}
	return strings.Join(out, " ")
}

// TestGPTBackup breaks the primary header of a real sfdisk-made table: the backup at the
// end of the disk must be used, and breaking both is an error.
func TestGPTBackup(t *testing.T) {
	imagetest.Need(t, "sfdisk")
	d := make([]byte, 8<<20)
	cmd := exec.Command("sh", "-c", `f=$(mktemp); truncate -s 8M $f; printf 'label: gpt\nsize=4096, name=root\n' | sfdisk -q $f && cat $f; rm -f $f`)
	out, err := cmd.Output()
	if err != nil || len(out) != len(d) {
		t.Fatalf("sfdisk: %v (%d bytes)", err, len(out))
	}
	copy(d, out)
	d[512+20] ^= 0xFF // primary header checksum broken
	table, err := Read(bytes.NewReader(d), int64(len(d)))
	if err != nil || len(table.Partitions) != 1 || table.Partitions[0].Name != "root" {
		t.Fatalf("with the primary broken: %+v, %v; want the backup's partition", table, err)
	}
	d[len(d)-512+20] ^= 0xFF // backup too
	if _, err := Read(bytes.NewReader(d), int64(len(d))); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Fatalf("both headers broken: err = %v", err)
	}
}
