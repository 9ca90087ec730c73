package fat

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf16"

	"golang.org/x/text/encoding/charmap"
)

// Directory entry attributes.
const (
	attrReadOnly = 0x01
	attrVolumeID = 0x08
	attrDir      = 0x10
	attrLFN      = 0x0F // read-only, hidden, system and volume ID together
)

// maxDirSize is the largest directory FAT allows (65536 entries), as Linux enforces.
const maxDirSize = 65536 * 32

// dirent is a file or directory as its directory lists it.
type dirent struct {
	name    string
	attr    byte
	cluster uint32
	size    uint32
	mtime   time.Time
	root    bool
}

func (d *dirent) isDir() bool { return d.root || d.attr&attrDir != 0 }

// parseDir decodes a directory's entries, long names (VFAT) included. "." and "..",
// deleted entries and the volume label are left out. A name no filesystem can hold ("/"
// in it, empty) or listed twice (FAT is case-insensitive) makes the directory corrupt:
// the second copy could hide a file from a check that opens by name.
func parseDir(data []byte, fat32 bool) ([]dirent, error) {
	var (
		out   []dirent
		seen  = map[string]bool{}
		lfn   []uint16
		want  byte // the sequence number the next long-name entry must have
		chk   byte
		valid bool
	)
	for off := 0; off+32 <= len(data); off += 32 {
		e := data[off : off+32]
		attr := e[11]
		switch {
		case e[0] == 0x00:
			return out, nil
		case e[0] == 0xE5:
			want, valid = 0, false
			continue
		case attr&0x3F == attrLFN:
			seq := e[0] & 0x1F
			if e[0]&0x40 != 0 && seq >= 1 && seq <= 20 {
				lfn, want, chk, valid = make([]uint16, 13*int(seq)), seq, e[13], true
			} else if !valid || seq != want || e[13] != chk {
				want, valid = 0, false
				continue
			}
			part := lfn[13*int(seq-1):]
			for i, at := range []int{1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30} {
				part[i] = le.Uint16(e[at:])
			}
			want = seq - 1
			continue
		}
		d := dirent{attr: attr, size: le.Uint32(e[28:]), cluster: uint32(le.Uint16(e[26:])), mtime: timestamp(e)}
		if fat32 {
			d.cluster |= uint32(le.Uint16(e[20:])) << 16
		}
		short := shortName(e)
		if valid && want == 0 && checksum(e[:11]) == chk {
			d.name = longName(lfn)
		} else {
			d.name = short
		}
		want, valid = 0, false
		if attr&attrVolumeID != 0 && attr&attrDir == 0 || short == "." || short == ".." {
			continue
		}
		if d.name == "" || d.name == "." || d.name == ".." || strings.ContainsAny(d.name, "/\x00") {
			return nil, fmt.Errorf("%w: an entry named %q", ErrCorrupt, d.name)
		}
		if d.isDir() && d.cluster == 0 {
			return nil, fmt.Errorf("%w: directory %q has no cluster", ErrCorrupt, d.name)
		}
		if key := strings.ToLower(d.name); seen[key] {
			return nil, fmt.Errorf("%w: %q is listed twice", ErrCorrupt, d.name)
		} else {
			seen[key] = true
		}
		out = append(out, d)
	}
	return out, nil
}

// shortName decodes an 8.3 name, with the lower-case flags Windows NT sets for names
// like "grub.cfg" and the code page 437 Linux assumes by default.
func shortName(e []byte) string {
	raw := make([]byte, 11)
	copy(raw, e[:11])
	if raw[0] == 0x05 { // a real 0xE5 first byte
		raw[0] = 0xE5
	}
	decode := func(b []byte, lower bool) string {
		var s strings.Builder
		for _, c := range []byte(strings.TrimRight(string(b), " ")) {
			r := charmap.CodePage437.DecodeByte(c)
			if lower && r < 0x80 {
				r = []rune(strings.ToLower(string(r)))[0]
			}
			s.WriteRune(r)
		}
		return s.String()
	}
	name := decode(raw[:8], e[12]&0x08 != 0)
	if ext := decode(raw[8:], e[12]&0x10 != 0); ext != "" {
		name += "." + ext
	}
	return name
}

// longName decodes a VFAT name: UTF-16, ended by a NUL and padded with 0xFFFF.
func longName(u []uint16) string {
	for i, c := range u {
		if c == 0 {
			u = u[:i]
			break
		}
	}
	return string(utf16.Decode(u))
}

// checksum ties long-name entries to their short entry.
func checksum(name []byte) byte {
	var sum byte
	for _, c := range name {
		sum = (sum>>1 | sum<<7) + c
	}
	return sum
}

// timestamp is the last write time (local time as written; read as UTC).
func timestamp(e []byte) time.Time {
	date, tm := le.Uint16(e[24:]), le.Uint16(e[22:])
	if date == 0 {
		return time.Time{}
	}
	return time.Date(1980+int(date>>9), time.Month(date>>5&0x0F), int(date&0x1F),
		int(tm>>11), int(tm>>5&0x3F), int(tm&0x1F)*2, 0, time.UTC)
}
