package ebsread

import (
	"context"
	"errors"
	"math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
)

// sdkRetryables is the SDK's own idea of a transient error: throttling codes, 500/502/
// 503/504, connection resets and the like. We run the loop ourselves (the client is
// built without the SDK retryer) so that retries are counted and bounded in one place.
var sdkRetryables = awsretry.IsErrorRetryables(awsretry.DefaultRetryables)

// transientError marks a failure seen after the SDK returned, such as a block body cut
// short, as worth another attempt.
type transientError struct{ err error }

func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// retry calls op until it succeeds, fails for good, or MaxAttempts is reached. Each
// attempt gets its own deadline; the parent ctx ending stops everything.
func retry(ctx context.Context, opts Options, retries *atomic.Int64, op func(context.Context) error) error {
	for attempt := 1; ; attempt++ {
		attemptCtx, cancel := context.WithTimeout(ctx, opts.AttemptTimeout)
		err := op(attemptCtx)
		cancel()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if !retryable(err) || attempt >= opts.MaxAttempts {
			if attempt > 1 {
				return &attemptsError{attempts: attempt, err: err}
			}
			return err
		}
		retries.Add(1)
		t := time.NewTimer(backoff(attempt, opts.BaseBackoff, opts.MaxBackoff))
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

type attemptsError struct {
	attempts int
	err      error
}

func (e *attemptsError) Error() string {
	return e.err.Error() + " (after " + strconv.Itoa(e.attempts) + " attempts)"
}
func (e *attemptsError) Unwrap() error { return e.err }

func retryable(err error) bool {
	var sum *ChecksumError
	var tr *transientError
	switch {
	case errors.As(err, &sum):
		return false // corrupt data is not a hiccup: fail closed
	case errors.As(err, &tr):
		return true
	case errors.Is(err, context.DeadlineExceeded):
		return true // the attempt's own deadline: the caller checked the parent's
	}
	return sdkRetryables.IsErrorRetryable(err) == aws.TrueTernary
}

// backoff is "equal jitter": between half and all of base*2^(attempt-1), capped, so
// parallel workers hit by the same throttling do not come back in step.
func backoff(attempt int, base, limit time.Duration) time.Duration {
	d := base << min(attempt-1, 30)
	if d <= 0 || d > limit {
		d = limit
	}
	return d/2 + rand.N(d/2+1)
}
