package ebsread

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ebs"
)

// maxListResults is the largest page ListSnapshotBlocks serves.
const maxListResults = 10000

// maxBlockSize bounds what a (possibly hostile) endpoint can make us allocate per block.
const maxBlockSize = 64 << 20

type blockList struct {
	blockSize int64
	size      int64
	tokens    map[int32]string
	expiry    time.Time // the earliest page's
}

// listBlocks pages through ListSnapshotBlocks. Every page must agree on the block and
// volume size, and every index must lie inside the volume: the listing is what decides
// which bytes read as zeros, so a malformed one is an error, never a guess.
func (s *Snapshot) listBlocks(ctx context.Context) (*blockList, error) {
	list := &blockList{tokens: map[int32]string{}}
	var next *string
	for page := 1; ; page++ {
		var out *ebs.ListSnapshotBlocksOutput
		err := retry(ctx, s.opts, &s.n.retries, func(ctx context.Context) error {
			var err error
			out, err = s.api.ListSnapshotBlocks(ctx, &ebs.ListSnapshotBlocksInput{
				SnapshotId: &s.id,
				NextToken:  next,
				MaxResults: ptr(int32(maxListResults)),
			})
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("ebsread: listing the blocks of snapshot %s (page %d): %w", s.id, page, err)
		}
		s.n.listPages.Add(1)
		if err := list.add(out); err != nil {
			return nil, fmt.Errorf("ebsread: snapshot %s page %d: %w", s.id, page, err)
		}
		if out.NextToken == nil || *out.NextToken == "" {
			break
		}
		if next != nil && *next == *out.NextToken {
			return nil, fmt.Errorf("ebsread: snapshot %s: the listing repeats page token %q", s.id, *next)
		}
		next = out.NextToken
	}
	if list.blockSize == 0 {
		return nil, fmt.Errorf("ebsread: snapshot %s: the listing gave no block size", s.id)
	}
	return list, nil
}

func (l *blockList) add(out *ebs.ListSnapshotBlocksOutput) error {
	if out.BlockSize == nil || *out.BlockSize <= 0 || *out.BlockSize > maxBlockSize {
		return fmt.Errorf("bad block size %v", deref(out.BlockSize))
	}
	if out.VolumeSize == nil || *out.VolumeSize <= 0 || *out.VolumeSize > 1<<20 { // GiB; EBS tops out at 64 TiB
		return fmt.Errorf("bad volume size %v GiB", deref(out.VolumeSize))
	}
	bs, size := int64(*out.BlockSize), *out.VolumeSize<<30
	if l.blockSize != 0 && (bs != l.blockSize || size != l.size) {
		return fmt.Errorf("block size %d / volume size %d differ from the first page's %d / %d", bs, size, l.blockSize, l.size)
	}
	l.blockSize, l.size = bs, size
	if out.ExpiryTime != nil && (l.expiry.IsZero() || out.ExpiryTime.Before(l.expiry)) {
		l.expiry = *out.ExpiryTime
	}
	blocks := size / bs
	for _, b := range out.Blocks {
		if b.BlockIndex == nil || b.BlockToken == nil {
			return fmt.Errorf("a block without index or token")
		}
		if i := int64(*b.BlockIndex); i < 0 || i >= blocks {
			return fmt.Errorf("block index %d outside the volume (%d blocks)", i, blocks)
		}
		l.tokens[*b.BlockIndex] = *b.BlockToken
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

func deref[T any](p *T) any {
	if p == nil {
		return "none"
	}
	return *p
}
