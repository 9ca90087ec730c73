package xfs

// UUID is the filesystem's UUID (sb_uuid, fstab's UUID=), as stored: blkid prints it as
// 8-4-4-4-12 hex digits in this byte order.
func (f *FS) UUID() [16]byte { return f.sb.uuid }

// Label is the filesystem's label (sb_fname, fstab's LABEL=).
func (f *FS) Label() string { return f.sb.label }
