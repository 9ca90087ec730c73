package imagetest

import (
	"encoding/binary"
	"hash/crc32"
)

// EVTX builds a Windows event log file as the EVTX format lays it out: a 4 KiB file
// header ("ElfFile"), then one 64 KiB chunk ("ElfChnk") whose records ("**", size,
// record number, time, an empty binary XML fragment, size again) start at 512. With
// records = 0 it is a log just cleared: the chunk holds none. No Windows runs here: the
// layout follows the published format, not a log Windows wrote.
func EVTX(records int) []byte {
	le := binary.LittleEndian
	b := make([]byte, 4096+65536)
	h := b[:4096]
	copy(h, "ElfFile\x00")
	le.PutUint64(h[16:], 0)                 // last chunk number
	le.PutUint64(h[24:], uint64(records)+1) // next record identifier
	le.PutUint32(h[32:], 128)
	le.PutUint16(h[36:], 2)
	le.PutUint16(h[38:], 3)
	le.PutUint16(h[40:], 4096)
	le.PutUint16(h[42:], 1)
	le.PutUint32(h[124:], crc32.ChecksumIEEE(h[:120]))
	c := b[4096:]
	copy(c, "ElfChnk\x00")
	off := 512
	for i := 1; i <= records; i++ {
		rec := c[off : off+32]
		copy(rec, "**\x00\x00")
		le.PutUint32(rec[4:], 32)
		le.PutUint64(rec[8:], uint64(i))
		le.PutUint64(rec[16:], 133000000000000000)
		copy(rec[24:], []byte{0x0f, 0x01, 0x01, 0x00}) // fragment header, then end of stream
		le.PutUint32(rec[28:], 32)
		off += 32
	}
	if records > 0 {
		le.PutUint64(c[8:], 1)
		le.PutUint64(c[16:], uint64(records))
		le.PutUint64(c[24:], 1)
		le.PutUint64(c[32:], uint64(records))
		le.PutUint32(c[44:], uint32(off-32))
	}
	le.PutUint32(c[40:], 128)
	le.PutUint32(c[48:], uint32(off))
	le.PutUint32(c[52:], crc32.ChecksumIEEE(c[512:off]))
	le.PutUint32(c[124:], crc32.Update(crc32.ChecksumIEEE(c[:120]), crc32.IEEETable, c[128:512]))
	return b
}
