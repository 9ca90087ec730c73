package ebsread

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-sdk-go-v2/service/ebs"
	"github.com/aws/aws-sdk-go-v2/service/ebs/types"
)

// fetch is one block on its way; done is closed once data or err is set.
type fetch struct {
	done chan struct{}
	data []byte
	err  error
}

// slot is where a block's bytes come from: zeros (absent from the snapshot), the cache,
// or a fetch to wait for.
type slot struct {
	zero bool
	data []byte
	f    *fetch
}

func (sl slot) wait(ctx, life context.Context) ([]byte, error) {
	if sl.zero || sl.data != nil {
		return sl.data, nil
	}
	select {
	case <-sl.f.done:
		return sl.f.data, sl.f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-life.Done():
		return nil, life.Err()
	}
}

// slot finds block idx, starting its fetch when it is neither cached nor in flight.
func (s *Snapshot) slot(idx int32, ahead bool) (slot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return slot{}, fmt.Errorf("ebsread: snapshot %s: %w", s.id, os.ErrClosed)
	}
	if _, present := s.tokens[idx]; !present {
		return slot{zero: true}, nil
	}
	if ahead {
		if s.cache.Contains(idx) { // Peek-like: read-ahead must not refresh the LRU order
			return slot{}, nil
		}
	} else if data, ok := s.cache.Get(idx); ok {
		s.n.cacheHits.Add(1)
		return slot{data: data}, nil
	}
	if f := s.inflight[idx]; f != nil {
		if !ahead {
			s.n.cacheHits.Add(1)
		}
		return slot{f: f}, nil
	}
	f := &fetch{done: make(chan struct{})}
	s.inflight[idx] = f
	if ahead {
		s.n.readAheads.Add(1)
	}
	go s.run(idx, f, ahead)
	return slot{f: f}, nil
}

// run fetches one block on the pool and publishes it to the cache and its waiters.
func (s *Snapshot) run(idx int32, f *fetch, ahead bool) {
	data, err := s.pooled(ahead, func() ([]byte, error) {
		var data []byte
		err := retry(s.ctx, s.opts, &s.n.retries, func(ctx context.Context) error {
			token, gen, err := s.tokenFor(ctx, idx)
			if err != nil {
				return err
			}
			data, err = s.getBlock(ctx, idx, token)
			if err != nil && s.tokenExpired(err) {
				s.markStale(gen)
				return &transientError{err}
			}
			return err
		})
		return data, err
	})
	var sumErr *ChecksumError
	if err != nil && !errors.As(err, &sumErr) { // a ChecksumError names both already
		err = fmt.Errorf("ebsread: snapshot %s block %d: %w", s.id, idx, err)
	}
	s.mu.Lock()
	if err == nil && !s.closed {
		s.cache.Add(idx, data)
	}
	delete(s.inflight, idx)
	s.mu.Unlock()
	f.data, f.err = data, err
	close(f.done)
}

// pooled runs op holding a worker slot (and, for read-ahead, a read-ahead slot first, so
// read-ahead never takes the whole pool from the reads someone waits for).
func (s *Snapshot) pooled(ahead bool, op func() ([]byte, error)) ([]byte, error) {
	if ahead {
		select {
		case s.ahead <- struct{}{}:
			defer func() { <-s.ahead }()
		case <-s.ctx.Done():
			return nil, s.ctx.Err()
		}
	}
	select {
	case s.demand <- struct{}{}:
		defer func() { <-s.demand }()
	case <-s.ctx.Done():
		return nil, s.ctx.Err()
	}
	return op()
}

// getBlock makes one GetSnapshotBlock call and verifies what arrives.
func (s *Snapshot) getBlock(ctx context.Context, idx int32, token string) ([]byte, error) {
	s.n.requests.Add(1)
	out, err := s.api.GetSnapshotBlock(ctx, &ebs.GetSnapshotBlockInput{
		SnapshotId: &s.id,
		BlockIndex: &idx,
		BlockToken: &token,
	})
	if err != nil {
		return nil, err
	}
	if out.BlockData == nil {
		return nil, errors.New("the response has no block data")
	}
	defer out.BlockData.Close()
	if out.DataLength != nil && int64(*out.DataLength) != s.blockSize {
		return nil, fmt.Errorf("data length %d, want the block size %d", *out.DataLength, s.blockSize)
	}
	data := make([]byte, s.blockSize)
	if _, err := io.ReadFull(out.BlockData, data); err != nil {
		return nil, &transientError{fmt.Errorf("reading the block data: %w", err)}
	}
	if n, _ := out.BlockData.Read(make([]byte, 1)); n > 0 {
		return nil, fmt.Errorf("the block data is longer than the block size %d", s.blockSize)
	}
	if err := s.verify(idx, data, out); err != nil {
		return nil, err
	}
	s.n.blocks.Add(1)
	s.n.bytes.Add(int64(len(data)))
	return data, nil
}

// verify checks the block against the checksum EBS sent. A missing checksum or an
// algorithm we cannot check is an error too: unverified bytes never reach the checks.
func (s *Snapshot) verify(idx int32, data []byte, out *ebs.GetSnapshotBlockOutput) error {
	if out.ChecksumAlgorithm != types.ChecksumAlgorithmChecksumAlgorithmSha256 {
		return fmt.Errorf("unsupported checksum algorithm %q", out.ChecksumAlgorithm)
	}
	if out.Checksum == nil || *out.Checksum == "" {
		return errors.New("the response carries no checksum")
	}
	sum := sha256.Sum256(data)
	got := base64.StdEncoding.EncodeToString(sum[:])
	if got != *out.Checksum {
		return &ChecksumError{Snapshot: s.id, Block: idx, Want: *out.Checksum, Got: got}
	}
	return nil
}
