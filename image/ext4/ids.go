package ext4

// UUID is the filesystem's UUID (fstab's UUID=), as stored: blkid prints it as 8-4-4-4-12
// hex digits in this byte order.
func (f *FS) UUID() [16]byte { return f.sb.uuid }
