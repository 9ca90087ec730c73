package ebsread_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/awsfake"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ebsread"
)

// A block fetch that fails twice, in any transient way, still completes.
func TestTransientFailuresAreRetried(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault awsfake.Fault
		// net/http itself resends a GET whose reused connection closed before any
		// answer, so some of those retries never reach ebsread.
		transportRetries bool
	}{
		{"503", awsfake.Fault{Times: 2, Status: 503, Code: "ServiceUnavailableException"}, false},
		{"500 internal", awsfake.Fault{Times: 2, Status: 500, Code: "InternalServerException"}, false},
		{"throttled", awsfake.Fault{Times: 2, Status: 400, Code: "RequestThrottledException"}, false},
		{"connection dropped", awsfake.Fault{Times: 2, HangUp: true}, true},
		{"body cut short", awsfake.Fault{Times: 2, Truncate: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake, url := smallSnapshot(t)
			fake.FailBlock(snapID, 100, tc.fault)
			s := open(t, url, fastRetries)
			b, err := readBlock(t, s, 100)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, pattern(100)) {
				t.Error("wrong bytes after retries")
			}
			if n := fake.Gets(snapID, 100); n != 3 {
				t.Errorf("%d calls, want 3", n)
			}
			st := s.Stats()
			if st.Requests != st.Retries+1 || st.BlocksFetched != 1 || st.Retries < 1 ||
				(!tc.transportRetries && st.Retries != 2) {
				t.Errorf("stats %+v", st)
			}
		})
	}
}

// Errors that are not transient fail at once; transient ones fail after MaxAttempts.
// Either way the error names the snapshot and the block.
func TestFailuresNameSnapshotAndBlock(t *testing.T) {
	for _, tc := range []struct {
		name      string
		fault     awsfake.Fault
		wantCalls int
	}{
		{"access denied", awsfake.Fault{Times: -1, Status: 403, Code: "AccessDeniedException"}, 1},
		{"validation", awsfake.Fault{Times: -1, Status: 400, Code: "ValidationException"}, 1},
		{"always 503", awsfake.Fault{Times: -1, Status: 503, Code: "ServiceUnavailableException"}, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake, url := smallSnapshot(t)
			fake.FailBlock(snapID, 5, tc.fault)
			opts := fastRetries
			opts.MaxAttempts = 4
			s := open(t, url, opts)
			_, err := readBlock(t, s, 5)
			if err == nil {
				t.Fatal("read succeeded")
			}
			if msg := err.Error(); !strings.Contains(msg, snapID) || !strings.Contains(msg, "block 5") || !strings.Contains(msg, tc.fault.Code) {
				t.Errorf("error %q does not name snapshot, block and cause", msg)
			}
			if n := fake.Gets(snapID, 5); n != tc.wantCalls {
				t.Errorf("%d calls, want %d", n, tc.wantCalls)
			}
		})
	}
}

func TestChecksumMismatchIsAnError(t *testing.T) {
	fake, url := smallSnapshot(t)
	fake.FailBlock(snapID, 7, awsfake.Fault{Times: -1, WrongChecksum: true})
	s := open(t, url, fastRetries)
	_, err := readBlock(t, s, 7)
	var sumErr *ebsread.ChecksumError
	if !errors.As(err, &sumErr) {
		t.Fatalf("got %v, want a ChecksumError", err)
	}
	if sumErr.Snapshot != snapID || sumErr.Block != 7 {
		t.Errorf("error names %s block %d", sumErr.Snapshot, sumErr.Block)
	}
	if msg := err.Error(); !strings.Contains(msg, snapID) || !strings.Contains(msg, "block 7") {
		t.Errorf("message %q", msg)
	}
	if n := fake.Gets(snapID, 7); n != 1 {
		t.Errorf("corrupt block fetched %d times; a mismatch is not retried", n)
	}
	// The bad block is not cached: the next read asks again (and fails again).
	if _, err := readBlock(t, s, 7); err == nil {
		t.Error("second read of a corrupt block succeeded")
	}
	// Other blocks are unaffected.
	if b, err := readBlock(t, s, 6); err != nil || !bytes.Equal(b, pattern(6)) {
		t.Errorf("block 6: %v", err)
	}
}

func TestOpenErrors(t *testing.T) {
	_, url := smallSnapshot(t)
	_, err := ebsread.Open(context.Background(), client(url), "snap-0000000000000dead", fastRetries)
	if err == nil || !strings.Contains(err.Error(), "snap-0000000000000dead") || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Errorf("unknown snapshot: %v", err)
	}
	if _, err := ebsread.Open(context.Background(), client(url), "", fastRetries); err == nil {
		t.Error("empty id accepted")
	}
}

// Block tokens expire; a long read re-lists once for fresh ones and carries on.
func TestExpiredTokensAreRefreshedOnce(t *testing.T) {
	fake, url := smallSnapshot(t)
	fake.TokenTTL = 500 * time.Millisecond
	s := open(t, url, fastRetries)
	if _, err := readBlock(t, s, 0); err != nil {
		t.Fatal(err)
	}
	time.Sleep(600 * time.Millisecond) // every token listed so far has expired
	before, lists := s.Stats().TokenRefreshes, fake.Lists()
	buf := make([]byte, 7*awsfake.BlockSize) // blocks 1-7, fetched in parallel with stale tokens
	if _, err := s.ReadAt(buf, awsfake.BlockSize); err != nil {
		t.Fatal(err)
	}
	for i := int32(1); i <= 7; i++ {
		if !bytes.Equal(buf[int(i-1)*awsfake.BlockSize:int(i)*awsfake.BlockSize], pattern(i)) {
			t.Errorf("block %d differs", i)
		}
	}
	if n, l := s.Stats().TokenRefreshes-before, fake.Lists()-lists; n != 1 || l != 1 {
		t.Errorf("%d refreshes, %d listings; want one re-listing for all the stale fetches", n, l)
	}
}
