package blockuse

import (
	"context"
	"errors"
)

// Claimer is what a walk for owners claims byte ranges from: the offsets of the hits,
// resolved as the walk meets them (Pending).
type Claimer interface {
	Claim(lo, hi int64, use func(fromLo int64) Use)
	// Len is 0 when the walk can stop.
	Len() int
}

var _ Claimer = (*Pending[Use])(nil)

// MaxIndexRanges bounds an owner index: past it (a filesystem of millions of extents)
// the index is given up and the hits are mapped by a walk after the scan, as without
// one.
const MaxIndexRanges = 1 << 19

// ErrIndexFull says an index passed MaxIndexRanges.
var ErrIndexFull = errors.New("block index: too many ranges")

// Indexed answers for offsets from what an Indexer recorded, as the Mapper's Uses would
// by walking.
type Indexed interface {
	Uses(offsets []int64) (map[int64]Use, error)
}

// Indexer is a Mapper that can record its owners ahead of knowing the offsets (while
// the deep scan reads the volume), from its inode tables rather than by walking the
// tree; the Indexed it returns then answers from the record, walking (Tree.Names) only
// for the names of the inodes holding the offsets.
type Indexer interface {
	Mapper
	Index(ctx context.Context) (Indexed, error)
}
