package ami

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// VerifiedTag records, on an approved image and its snapshots, the digest of the report
// that passed and when: "sha256:… 2026-11-01T12:00:00Z".
const VerifiedTag = "sanitize:verified"

// Gate puts the approval or quarantine tags on an AMI and its snapshots. An IAM or SCP
// condition on the approval tag then keeps unverified images from being launched.
type Gate struct {
	EC2 EC2API
	// Now stamps sanitize:verified; time.Now when nil.
	Now func() time.Time
}

// Approve tags the image and every snapshot with approveTags and sanitize:verified.
func (g Gate) Approve(ctx context.Context, img *ImageReport, approveTags map[string]string, reportDigest string) error {
	if strings.TrimSpace(reportDigest) == "" {
		return fmt.Errorf("approving %s: empty report digest", img.Ref)
	}
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	tags := map[string]string{VerifiedTag: reportDigest + " " + now().UTC().Format(time.RFC3339)}
	for k, v := range approveTags {
		if k == VerifiedTag {
			return fmt.Errorf("approve_tags may not set %s: the plugin writes it", VerifiedTag)
		}
		tags[k] = v
	}
	if err := validateTags(tags); err != nil {
		return fmt.Errorf("approving %s: %w", img.Ref, err)
	}
	_, err := g.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: resourcesOf(img), Tags: toEC2Tags(tags)})
	if err != nil {
		return fmt.Errorf("approving %s: CreateTags: %w", img.Ref, err)
	}
	return nil
}

// Quarantine removes the approval tag keys (and sanitize:verified) from the image and
// every snapshot, then puts quarantineTags on them. The removal comes first so that a
// failure half way leaves the image unapproved rather than approved and quarantined.
func (g Gate) Quarantine(ctx context.Context, img *ImageReport, quarantineTags map[string]string, approveTagKeys []string) error {
	if err := validateTags(quarantineTags); err != nil {
		return fmt.Errorf("quarantining %s: %w", img.Ref, err)
	}
	resources := resourcesOf(img)
	keys := append([]string{VerifiedTag}, approveTagKeys...)
	var del []types.Tag
	seen := map[string]bool{}
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			del = append(del, types.Tag{Key: aws.String(k)}) // no value: delete whatever it holds
		}
	}
	if _, err := g.EC2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: resources, Tags: del}); err != nil {
		return fmt.Errorf("quarantining %s: removing the approval tags: %w", img.Ref, err)
	}
	if len(quarantineTags) == 0 {
		return nil
	}
	if _, err := g.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: resources, Tags: toEC2Tags(quarantineTags)}); err != nil {
		return fmt.Errorf("quarantining %s: CreateTags: %w", img.Ref, err)
	}
	return nil
}

func resourcesOf(img *ImageReport) []string {
	out := []string{img.Ref.ImageID}
	for _, s := range img.Snapshots {
		out = append(out, s.SnapshotID)
	}
	return out
}

func toEC2Tags(tags map[string]string) []types.Tag {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]types.Tag, 0, len(keys))
	for _, k := range keys {
		out = append(out, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return out
}

// validateTags applies EC2's limits before any call, so a bad configuration fails
// before half the resources are tagged.
func validateTags(tags map[string]string) error {
	for k, v := range tags {
		switch {
		case k == "":
			return fmt.Errorf("empty tag key")
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return fmt.Errorf("tag key %q: the aws: prefix is reserved", k)
		case utf8.RuneCountInString(k) > 128:
			return fmt.Errorf("tag key %q is longer than 128 characters", k)
		case utf8.RuneCountInString(v) > 256:
			return fmt.Errorf("the value of tag %q is longer than 256 characters", k)
		}
	}
	return nil
}
