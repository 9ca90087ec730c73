package image

import (
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// VolumeIDs are the names /etc/fstab may give a volume, as blkid and udev show them;
// "" (or 0) for what the volume does not have.
type VolumeIDs struct {
	UUID      string // the filesystem's: "0a3c2f4e-…" (ext, xfs), "7E1D-2B9A" (FAT)
	Label     string // the filesystem's
	PartUUID  string // GPT unique partition GUID, lower case, or MBR "disksig-NN"
	PartLabel string // GPT partition name
	Partition int    // partition number on its disk
	LV        string // "vg/lv" of a logical volume
}

func formatUUID(u [16]byte) string {
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// fatIDs reads a FAT volume's serial number and label from its extended BIOS Parameter
// Block, as blkid shows them (UUID "ABCD-1234").
func fatIDs(r io.ReaderAt) (uuid, label string) {
	b := make([]byte, 512)
	if n, _ := r.ReadAt(b, 0); n != len(b) {
		return "", ""
	}
	ebpb := 0x24 // FAT12/16
	if binary.LittleEndian.Uint16(b[0x16:]) == 0 {
		ebpb = 0x40 // FAT32: no 16-bit FAT size
	}
	if b[ebpb+2] != 0x29 && b[ebpb+2] != 0x28 {
		return "", ""
	}
	serial := binary.LittleEndian.Uint32(b[ebpb+3:])
	uuid = fmt.Sprintf("%04X-%04X", serial>>16, serial&0xFFFF)
	if b[ebpb+2] == 0x29 {
		if l := strings.TrimRight(string(b[ebpb+7:ebpb+18]), " \x00"); l != "NO NAME" {
			label = l
		}
	}
	return uuid, label
}
