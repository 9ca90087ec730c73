package ecsimage

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	ecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/apierror"
)

// VerifiedTag records, on an approved image and its snapshots, the digest of the report
// that passed and when: "sha256:… 2026-11-01T12:00:00Z", followed by " metadata-only"
// when the filesystem was not read.
const VerifiedTag = "sanitize:verified"

// MetadataOnly ends the VerifiedTag value of an image approved without its content read.
const MetadataOnly = "metadata-only"

// ECS limits: tags per TagResources/UntagResources call.
const maxTagsPerCall = 20

// Gate puts the approval or quarantine tags on a custom image and its snapshots. A RAM
// policy condition on the approval tag (ecs:tag/<key>) then keeps unverified images from
// being launched.
type Gate struct {
	ECS ECSAPI
	// Now stamps sanitize:verified; time.Now when nil.
	Now func() time.Time
}

// Approve tags the image and every snapshot with approveTags and sanitize:verified;
// metadataOnly appends " metadata-only" to the latter.
func (g Gate) Approve(ctx context.Context, img *ImageReport, approveTags map[string]string, reportDigest string, metadataOnly bool) error {
	if strings.TrimSpace(reportDigest) == "" {
		return fmt.Errorf("approving %s: empty report digest", img.Ref)
	}
	now := time.Now
	if g.Now != nil {
		now = g.Now
	}
	stamp := reportDigest + " " + now().UTC().Format(time.RFC3339)
	if metadataOnly {
		stamp += " " + MetadataOnly
	}
	tags := map[string]string{VerifiedTag: stamp}
	for k, v := range approveTags {
		if k == VerifiedTag {
			return fmt.Errorf("approve_tags may not set %s: the plugin writes it", VerifiedTag)
		}
		tags[k] = v
	}
	if err := ValidateTags(tags); err != nil {
		return fmt.Errorf("approving %s: %w", img.Ref, err)
	}
	if err := g.tag(ctx, img, tags); err != nil {
		return fmt.Errorf("approving %s: %w", img.Ref, err)
	}
	return nil
}

// Quarantine removes the approval tag keys (and sanitize:verified) from the image and
// every snapshot, then puts quarantineTags on them. The removal comes first so that a
// failure half way leaves the image unapproved rather than approved and quarantined.
func (g Gate) Quarantine(ctx context.Context, img *ImageReport, quarantineTags map[string]string, approveTagKeys []string) error {
	if err := ValidateTags(quarantineTags); err != nil {
		return fmt.Errorf("quarantining %s: %w", img.Ref, err)
	}
	keys := []string{VerifiedTag}
	for _, k := range approveTagKeys {
		if k != VerifiedTag {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys[1:])
	for _, batch := range batches(keys) {
		for _, set := range resourceSets(img) {
			_, err := g.ECS.UntagResourcesWithContext(ctx, &ecs.UntagResourcesRequest{RegionId: &img.Ref.Region,
				ResourceType: dara.String(set.kind), ResourceId: dara.StringSlice(set.ids), TagKey: dara.StringSlice(batch)}, &dara.RuntimeOptions{})
			if err != nil {
				return fmt.Errorf("quarantining %s: removing the approval tags from the %s(s): UntagResources: %w", img.Ref, set.kind, apierror.Clean(err))
			}
		}
	}
	if len(quarantineTags) == 0 {
		return nil
	}
	if err := g.tag(ctx, img, quarantineTags); err != nil {
		return fmt.Errorf("quarantining %s: %w", img.Ref, err)
	}
	return nil
}

// tag puts tags on the image, then on its snapshots: ECS takes one resource type per call.
func (g Gate) tag(ctx context.Context, img *ImageReport, tags map[string]string) error {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, batch := range batches(keys) {
		var list []*ecs.TagResourcesRequestTag
		for _, k := range batch {
			list = append(list, &ecs.TagResourcesRequestTag{Key: dara.String(k), Value: dara.String(tags[k])})
		}
		for _, set := range resourceSets(img) {
			_, err := g.ECS.TagResourcesWithContext(ctx, &ecs.TagResourcesRequest{RegionId: &img.Ref.Region,
				ResourceType: dara.String(set.kind), ResourceId: dara.StringSlice(set.ids), Tag: list}, &dara.RuntimeOptions{})
			if err != nil {
				return fmt.Errorf("tagging the %s(s): TagResources: %w", set.kind, apierror.Clean(err))
			}
		}
	}
	return nil
}

type resourceSet struct {
	kind string
	ids  []string
}

func resourceSets(img *ImageReport) []resourceSet {
	sets := []resourceSet{{"image", []string{img.Ref.ImageID}}}
	if len(img.Snapshots) > 0 {
		snap := resourceSet{kind: "snapshot"}
		for _, s := range img.Snapshots {
			snap.ids = append(snap.ids, s.SnapshotID)
		}
		sets = append(sets, snap)
	}
	return sets
}

func batches(keys []string) [][]string {
	var out [][]string
	for len(keys) > maxTagsPerCall {
		out = append(out, keys[:maxTagsPerCall])
		keys = keys[maxTagsPerCall:]
	}
	if len(keys) > 0 {
		out = append(out, keys)
	}
	return out
}

// ValidateTags applies ECS's tag rules before any call, so a bad configuration fails
// before half the resources are tagged.
func ValidateTags(tags map[string]string) error {
	for k, v := range tags {
		lk, lv := strings.ToLower(k), strings.ToLower(v)
		switch {
		case strings.TrimSpace(k) == "":
			return fmt.Errorf("empty tag key")
		case strings.HasPrefix(lk, "aliyun") || strings.HasPrefix(lk, "acs:"):
			return fmt.Errorf("tag key %q: the aliyun and acs: prefixes are reserved", k)
		case strings.HasPrefix(lv, "aliyun") || strings.HasPrefix(lv, "acs:"):
			return fmt.Errorf("the value of tag %q: the aliyun and acs: prefixes are reserved", k)
		case strings.Contains(lk+lv, "http://") || strings.Contains(lk+lv, "https://"):
			return fmt.Errorf("tag %q: keys and values may not contain http:// or https://", k)
		case utf8.RuneCountInString(k) > 128:
			return fmt.Errorf("tag key %q is longer than 128 characters", k)
		case utf8.RuneCountInString(v) > 128:
			return fmt.Errorf("the value of tag %q is longer than 128 characters", k)
		}
	}
	return nil
}
