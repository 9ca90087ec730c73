package partition

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"strings"
	"unicode/utf16"

	"github.com/goldenimage/packer-plugin-sanitize/image/readat"
)

const (
	gptSignature  = "EFI PART"
	maxGPTEntries = 4096
)

// readGPT looks for a GPT header at LBA 1 of 512- and 4096-byte sector disks. It returns
// nil, nil when there is none. A primary header or entry array that fails its CRC is
// replaced by the backup at the end of the disk; when both fail, it is an error.
func readGPT(r io.ReaderAt, size int64) (*Table, error) {
	for _, sectorSize := range []int64{512, 4096} {
		if size < 2*sectorSize {
			continue
		}
		sig := make([]byte, 8)
		if err := readat.Full(r, sig, sectorSize); err != nil {
			return nil, err
		}
		if string(sig) != gptSignature {
			continue
		}
		t, err := readGPTAt(r, size, sectorSize, 1)
		if err != nil {
			backup, berr := readGPTAt(r, size, sectorSize, size/sectorSize-1)
			if berr != nil {
				return nil, fmt.Errorf("GPT: primary header: %w; backup header: %v", err, berr)
			}
			return backup, nil
		}
		return t, nil
	}
	return nil, nil
}

func readGPTAt(r io.ReaderAt, size, sectorSize, lba int64) (*Table, error) {
	h := make([]byte, sectorSize)
	if err := readat.Full(r, h, lba*sectorSize); err != nil {
		return nil, err
	}
	if string(h[:8]) != gptSignature {
		return nil, fmt.Errorf("%w: no GPT signature at LBA %d", ErrCorrupt, lba)
	}
	hdrSize := int64(le.Uint32(h[12:]))
	if hdrSize < 92 || hdrSize > sectorSize {
		return nil, fmt.Errorf("%w: GPT header size %d", ErrCorrupt, hdrSize)
	}
	want := le.Uint32(h[16:])
	hdr := bytes.Clone(h[:hdrSize])
	copy(hdr[16:20], []byte{0, 0, 0, 0})
	if crc32.ChecksumIEEE(hdr) != want {
		return nil, fmt.Errorf("%w: GPT header checksum mismatch at LBA %d", ErrCorrupt, lba)
	}
	entriesLBA := int64(le.Uint64(h[72:]))
	count := int64(le.Uint32(h[80:]))
	entrySize := int64(le.Uint32(h[84:]))
	if count > maxGPTEntries || entrySize < 128 || entrySize > 4096 || entrySize%8 != 0 {
		return nil, fmt.Errorf("%w: %d GPT entries of %d bytes", ErrCorrupt, count, entrySize)
	}
	if entriesLBA < 0 || entriesLBA*sectorSize+count*entrySize > size {
		return nil, fmt.Errorf("%w: GPT entries at LBA %d lie outside the disk", ErrCorrupt, entriesLBA)
	}
	entries := make([]byte, count*entrySize)
	if err := readat.Full(r, entries, entriesLBA*sectorSize); err != nil {
		return nil, err
	}
	if crc32.ChecksumIEEE(entries) != le.Uint32(h[88:]) {
		return nil, fmt.Errorf("%w: GPT partition entries checksum mismatch", ErrCorrupt)
	}
	t := &Table{Scheme: "GPT"}
	for i := int64(0); i < count; i++ {
		e := entries[i*entrySize : (i+1)*entrySize]
		typ := guid(e[0:16])
		if typ == "00000000-0000-0000-0000-000000000000" {
			continue
		}
		first, last := int64(le.Uint64(e[32:])), int64(le.Uint64(e[40:]))
		p := Partition{Number: int(i + 1), Start: first * sectorSize, Size: (last - first + 1) * sectorSize,
			Scheme: "GPT", Type: typ, TypeName: gptTypeNames[typ], Name: utf16Name(e[56:128]),
			UUID: strings.ToLower(guid(e[16:32]))}
		if first < 0 || last < first {
			return nil, fmt.Errorf("%w: GPT partition %d has LBAs %d..%d", ErrCorrupt, p.Number, first, last)
		}
		if err := inBounds(p, size); err != nil {
			return nil, err
		}
		t.Partitions = append(t.Partitions, p)
	}
	return t, nil
}

// guid formats a GUID as stored on disk (the first three fields little-endian).
func guid(b []byte) string {
	return strings.ToUpper(fmt.Sprintf("%08x-%04x-%04x-%x-%x",
		le.Uint32(b[0:]), le.Uint16(b[4:]), le.Uint16(b[6:]), b[8:10], b[10:16]))
}

func utf16Name(b []byte) string {
	u := make([]uint16, 0, len(b)/2)
	for i := 0; i+1 < len(b); i += 2 {
		c := le.Uint16(b[i:])
		if c == 0 {
			break
		}
		u = append(u, c)
	}
	return string(utf16.Decode(u))
}

// GUIDs of types that hold no filesystem, or hold one a caller should know about.
const (
	GUIDBIOSBoot  = "21686148-6449-6E6F-744E-656564454649"
	GUIDEFISystem = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
	// GUIDMSReserved is the Microsoft Reserved Partition Windows Setup creates: no
	// filesystem, zeros until Windows uses it.
	GUIDMSReserved = "E3C9E316-0B5C-4DB8-817D-F92DF00215AE"
)

var gptTypeNames = map[string]string{
	GUIDEFISystem:                          "EFI System",
	GUIDBIOSBoot:                           "BIOS boot",
	"0FC63DAF-8483-4772-8E79-3D69D8477DE4": "Linux filesystem",
	"4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709": "Linux root (x86-64)",
	"B921B045-1DF0-41C3-AF44-4C6F280D3FAE": "Linux root (ARM64)",
	"BC13C2FF-59E6-4262-A352-B275FD6F7172": "Linux extended boot",
	"933AC7E1-2EB4-4F13-B844-0E14E2AEF915": "Linux home",
	"0657FD6D-A4AB-43C4-84E5-0933C84B4F4F": "Linux swap",
	"E6D6D379-F507-44C2-A23C-238F2A3DF928": "Linux LVM",
	"CA7D7CCB-63ED-4C53-861C-1742536059CC": "Linux LUKS",
	"A19D880F-05FC-4D3B-A006-743F0F84911E": "Linux RAID",
	"EBD0A0A2-B9E5-4433-87C0-68B6B72699C7": "Microsoft basic data",
	GUIDMSReserved:                         "Microsoft reserved",
	"DE94BBA4-06D1-4D40-A16A-BFD50179D6AC": "Windows recovery",
}
