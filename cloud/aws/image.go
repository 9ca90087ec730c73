package aws

import (
	"context"
	"fmt"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ebsread"
)

// OpenSnapshot opens one EBS snapshot as an io.ReaderAt of the volume. ctx bounds the
// life of the Snapshot (every later fetch runs under it); Close it when done.
func (c *Clients) OpenSnapshot(ctx context.Context, snapshotID string, opts ebsread.Options) (*ebsread.Snapshot, error) {
	return ebsread.Open(ctx, c.EBS, snapshotID, opts)
}

// Inspect describes the AMI, its snapshots and their sharing, judged against policy.
func (c *Clients) Inspect(ctx context.Context, ref ami.Ref, policy ami.Policy) (*ami.ImageReport, error) {
	if err := c.sameRegion(ref); err != nil {
		return nil, err
	}
	return ami.Inspect(ctx, c.EC2, ref, policy)
}

// Approve puts approveTags and sanitize:verified (reportDigest and the time) on the
// image and its snapshots.
func (c *Clients) Approve(ctx context.Context, img *ami.ImageReport, approveTags map[string]string, reportDigest string) error {
	if err := c.sameRegion(img.Ref); err != nil {
		return err
	}
	return ami.Gate{EC2: c.EC2, Now: time.Now}.Approve(ctx, img, approveTags, reportDigest)
}

// Quarantine removes the approval tag keys and sanitize:verified from the image and its
// snapshots, then puts quarantineTags on them.
func (c *Clients) Quarantine(ctx context.Context, img *ami.ImageReport, quarantineTags map[string]string, approveTagKeys []string) error {
	if err := c.sameRegion(img.Ref); err != nil {
		return err
	}
	return ami.Gate{EC2: c.EC2}.Quarantine(ctx, img, quarantineTags, approveTagKeys)
}

func (c *Clients) sameRegion(ref ami.Ref) error {
	if ref.Region != c.Region {
		return fmt.Errorf("aws: %s is in %s but these clients are for %s", ref, ref.Region, c.Region)
	}
	return nil
}
