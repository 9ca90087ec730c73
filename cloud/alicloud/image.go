package alicloud

import (
	"context"
	"fmt"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/ecsimage"
)

// Inspect describes the custom image and its sharing, judged against policy.
func (c *Clients) Inspect(ctx context.Context, ref ecsimage.Ref, policy ecsimage.Policy) (*ecsimage.ImageReport, error) {
	if err := c.sameRegion(ref); err != nil {
		return nil, err
	}
	return ecsimage.Inspect(ctx, c.ECS, ref, policy)
}

// Approve puts approveTags and sanitize:verified (reportDigest, the time, and
// "metadata-only" when the content was not read) on the image and its snapshots.
func (c *Clients) Approve(ctx context.Context, img *ecsimage.ImageReport, approveTags map[string]string, reportDigest string, metadataOnly bool) error {
	if err := c.sameRegion(img.Ref); err != nil {
		return err
	}
	return ecsimage.Gate{ECS: c.ECS, Now: time.Now}.Approve(ctx, img, approveTags, reportDigest, metadataOnly)
}

// Quarantine removes the approval tag keys and sanitize:verified from the image and its
// snapshots, then puts quarantineTags on them.
func (c *Clients) Quarantine(ctx context.Context, img *ecsimage.ImageReport, quarantineTags map[string]string, approveTagKeys []string) error {
	if err := c.sameRegion(img.Ref); err != nil {
		return err
	}
	return ecsimage.Gate{ECS: c.ECS}.Quarantine(ctx, img, quarantineTags, approveTagKeys)
}

func (c *Clients) sameRegion(ref ecsimage.Ref) error {
	if ref.Region != c.Region {
		return fmt.Errorf("alicloud: %s is in %s but these clients are for %s", ref, ref.Region, c.Region)
	}
	return nil
}
