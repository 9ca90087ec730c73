package ebsread

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/aws/smithy-go"
)

// Block tokens expire (ListSnapshotBlocks says when), and a long scan can outlive them.
// A fetch refused for an expired token marks the tokens stale; the next fetch re-lists
// the snapshot once for fresh ones, and the refused fetch is retried.
type tokenRefresh struct {
	mu    sync.Mutex // held while re-listing, so one listing serves every waiting fetch
	gen   int        // bumped by each re-listing
	stale bool
}

// tokenFor returns the current token of block idx and the generation it belongs to.
func (s *Snapshot) tokenFor(ctx context.Context, idx int32) (string, int, error) {
	r := &s.refresh
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.stale {
		list, err := s.listBlocks(ctx)
		if err != nil {
			return "", r.gen, fmt.Errorf("refreshing expired block tokens: %w", err)
		}
		if list.blockSize != s.blockSize || list.size != s.size {
			return "", r.gen, errors.New("the snapshot's block or volume size changed while it was read")
		}
		s.mu.Lock()
		s.tokens, s.expiry = list.tokens, list.expiry
		s.mu.Unlock()
		r.gen++
		r.stale = false
		s.n.refreshes.Add(1)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	token, ok := s.tokens[idx]
	if !ok {
		return "", r.gen, errors.New("the block is no longer listed in the snapshot")
	}
	return token, r.gen, nil
}

// markStale asks for a re-listing, unless one already happened since gen's tokens.
func (s *Snapshot) markStale(gen int) {
	r := &s.refresh
	r.mu.Lock()
	defer r.mu.Unlock()
	if gen == r.gen {
		r.stale = true
	}
}

// tokenExpired tells a refusal for an expired token from other validation errors: by
// its message, or by the expiry time the listing gave having passed.
func (s *Snapshot) tokenExpired(err error) bool {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		return false
	}
	s.mu.Lock()
	expiry := s.expiry
	s.mu.Unlock()
	return strings.Contains(strings.ToLower(apiErr.ErrorMessage()), "expired") ||
		(!expiry.IsZero() && time.Now().After(expiry))
}
