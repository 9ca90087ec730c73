// Package blockuse names what holds a byte of a filesystem volume: a live file, the
// unused end of its last block, free space, the journal or other metadata. The deep scan
// uses it to say whether a secret it found is a live file or a remnant, whatever the
// filesystem.
package blockuse

// What a byte of the filesystem belongs to.
const (
	File     = "file"     // a live regular file's data
	Slack    = "slack"    // past the end of a live file, in its last block: a remnant
	Free     = "free"     // space the allocator says is free: a remnant
	Journal  = "journal"  // the journal (ext3/4 jbd2, the xfs log, NTFS $LogFile)
	Metadata = "metadata" // allocated to no file's data: inode tables, bitmaps, directories, btrees
	Outside  = "outside"  // past the filesystem's end (partition slack)
)

// Use says what holds one byte offset of the volume.
type Use struct {
	Kind string
	Path string // the file (or directory, for metadata) holding it, "/"-rooted; "" if none
}

// Mapper is a filesystem that can tell what holds byte offsets of its volume.
type Mapper interface {
	Uses(offsets []int64) (map[int64]Use, error)
}

// FileUse is how a file's block maps to its use, given the offset within the file: its
// data up to size, slack past it (the rest of the last block: a remnant).
func FileUse(path string, size int64) func(fileOff int64) Use {
	return func(fileOff int64) Use {
		if fileOff >= size {
			return Use{Kind: Slack, Path: path}
		}
		return Use{Kind: File, Path: path}
	}
}

// MetadataOf is how a directory's (or a metafile's) blocks map to their use.
func MetadataOf(path string) func(int64) Use {
	return func(int64) Use { return Use{Kind: Metadata, Path: path} }
}
