// Package ebsread reads an EBS snapshot as a block device through the EBS direct APIs
// (ListSnapshotBlocks, GetSnapshotBlock), without creating a volume or an instance.
//
// A Snapshot is an io.ReaderAt over the whole volume: blocks the snapshot does not hold
// read as zeros, every fetched block is checked against its SHA256 checksum, fetches run
// in parallel on a bounded pool, transient errors are retried with exponential backoff,
// and fetched blocks stay in a bounded LRU cache. It is safe for concurrent use.
package ebsread

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/ebs"
	lru "github.com/hashicorp/golang-lru/v2"
)

// API is the part of the EBS direct client (*ebs.Client) a Snapshot uses.
type API interface {
	ListSnapshotBlocks(ctx context.Context, in *ebs.ListSnapshotBlocksInput, optFns ...func(*ebs.Options)) (*ebs.ListSnapshotBlocksOutput, error)
	GetSnapshotBlock(ctx context.Context, in *ebs.GetSnapshotBlockInput, optFns ...func(*ebs.Options)) (*ebs.GetSnapshotBlockOutput, error)
}

// Options tune a Snapshot. The zero value takes the defaults.
type Options struct {
	// Workers bounds the GetSnapshotBlock calls in flight (default 16).
	Workers int
	// CacheBytes bounds the block cache (default 64 MiB; at least Workers+ReadAhead blocks
	// are kept so read-ahead never evicts what it just fetched).
	CacheBytes int64
	// ReadAhead is how many blocks are fetched past a sequential read (default 8; negative
	// disables it).
	ReadAhead int
	// MaxAttempts bounds the calls made for one block or listing page (default 6).
	MaxAttempts int
	// BaseBackoff is the first retry delay, doubled on each retry up to MaxBackoff, with
	// jitter (defaults 100 ms and 5 s).
	BaseBackoff time.Duration
	MaxBackoff  time.Duration
	// AttemptTimeout bounds one call, so a stalled connection is retried rather than
	// waited on forever (default 60 s).
	AttemptTimeout time.Duration
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = 16
	}
	if o.CacheBytes <= 0 {
		o.CacheBytes = 64 << 20
	}
	if o.ReadAhead == 0 {
		o.ReadAhead = 8
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 6
	}
	if o.BaseBackoff <= 0 {
		o.BaseBackoff = 100 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 5 * time.Second
	}
	if o.AttemptTimeout <= 0 {
		o.AttemptTimeout = 60 * time.Second
	}
	return o
}

// Stats counts what a Snapshot did; benchmarks and reports read it.
type Stats struct {
	// Requests counts GetSnapshotBlock calls, retries included.
	Requests int64 `json:"requests"`
	// BlocksFetched and BytesFetched count blocks received and verified.
	BlocksFetched int64 `json:"blocks_fetched"`
	BytesFetched  int64 `json:"bytes_fetched"`
	// Retries counts calls (block or listing) repeated after a transient error.
	Retries int64 `json:"retries"`
	// ReadAheads counts fetches started by read-ahead or Prefetch.
	ReadAheads int64 `json:"read_aheads"`
	// CacheHits counts block reads served from the cache or from a fetch in flight.
	CacheHits int64 `json:"cache_hits"`
	// ListPages counts ListSnapshotBlocks pages received.
	ListPages int64 `json:"list_pages"`
	// TokenRefreshes counts re-listings for fresh block tokens after some expired.
	TokenRefreshes int64 `json:"token_refreshes"`
}

type counters struct {
	requests, blocks, bytes, retries, readAheads, cacheHits, listPages, refreshes atomic.Int64
}

// Snapshot is an open EBS snapshot.
type Snapshot struct {
	api       API
	id        string
	opts      Options
	blockSize int64
	size      int64
	present   int // blocks the snapshot holds

	ctx    context.Context // bounds every fetch; cancelled by Close
	cancel context.CancelFunc
	demand chan struct{} // the worker pool: one slot per call in flight
	ahead  chan struct{} // read-ahead may hold at most half the pool

	mu       sync.Mutex
	tokens   map[int32]string // blocks present in the snapshot; the others are zeros
	expiry   time.Time        // when the tokens expire (zero: not said)
	cache    *lru.Cache[int32, []byte]
	inflight map[int32]*fetch
	closed   bool

	refresh tokenRefresh

	n counters
}

// Open lists the blocks of snapshotID and returns a reader over its volume. ctx bounds
// the life of the Snapshot: every later fetch runs under it, and cancelling it fails the
// reads in flight and any later read.
func Open(ctx context.Context, api API, snapshotID string, opts Options) (*Snapshot, error) {
	if snapshotID == "" {
		return nil, errors.New("ebsread: empty snapshot id")
	}
	opts = opts.withDefaults()
	s := &Snapshot{api: api, id: snapshotID, opts: opts, inflight: map[int32]*fetch{}}
	list, err := s.listBlocks(ctx)
	if err != nil {
		return nil, err
	}
	s.blockSize, s.size, s.present = list.blockSize, list.size, len(list.tokens)
	s.tokens, s.expiry = list.tokens, list.expiry

	capacity := int(opts.CacheBytes / s.blockSize)
	capacity = max(capacity, opts.Workers+max(opts.ReadAhead, 0), 1)
	if s.cache, err = lru.New[int32, []byte](capacity); err != nil {
		return nil, err
	}
	s.demand = make(chan struct{}, opts.Workers)
	s.ahead = make(chan struct{}, max(opts.Workers/2, 1))
	s.ctx, s.cancel = context.WithCancel(ctx)
	return s, nil
}

// ID is the snapshot id.
func (s *Snapshot) ID() string { return s.id }

// Size is the volume size in bytes.
func (s *Snapshot) Size() int64 { return s.size }

// BlockSize is the size of one EBS block (usually 512 KiB).
func (s *Snapshot) BlockSize() int { return int(s.blockSize) }

// BlocksPresent is how many blocks the snapshot holds (the rest read as zeros).
func (s *Snapshot) BlocksPresent() int { return s.present }

// Stats returns the counters so far.
func (s *Snapshot) Stats() Stats {
	return Stats{
		Requests:       s.n.requests.Load(),
		BlocksFetched:  s.n.blocks.Load(),
		BytesFetched:   s.n.bytes.Load(),
		Retries:        s.n.retries.Load(),
		ReadAheads:     s.n.readAheads.Load(),
		CacheHits:      s.n.cacheHits.Load(),
		ListPages:      s.n.listPages.Load(),
		TokenRefreshes: s.n.refreshes.Load(),
	}
}

// Close stops the fetches in flight and drops the cache. Reads after Close fail.
func (s *Snapshot) Close() error {
	s.mu.Lock()
	s.closed = true
	s.cache.Purge()
	s.mu.Unlock()
	s.cancel()
	return nil
}

// ChecksumError is a block whose SHA256 does not match the checksum EBS sent with it.
type ChecksumError struct {
	Snapshot string
	Block    int32
	Want     string // base64, as sent
	Got      string // base64 of what arrived
}

func (e *ChecksumError) Error() string {
	return fmt.Sprintf("ebsread: snapshot %s block %d: SHA256 checksum mismatch (EBS sent %s, data hashes to %s)",
		e.Snapshot, e.Block, e.Want, e.Got)
}
