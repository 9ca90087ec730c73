package ecsimage

import (
	"context"
	"fmt"
	"strconv"

	ecs "github.com/alibabacloud-go/ecs-20140526/v7/client"
	"github.com/alibabacloud-go/tea/dara"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/apierror"
)

// ECSAPI is the part of the ECS client (*ecs.Client) this package calls.
type ECSAPI interface {
	DescribeImagesWithContext(ctx context.Context, in *ecs.DescribeImagesRequest, rt *dara.RuntimeOptions) (*ecs.DescribeImagesResponse, error)
	DescribeImageSharePermissionWithContext(ctx context.Context, in *ecs.DescribeImageSharePermissionRequest, rt *dara.RuntimeOptions) (*ecs.DescribeImageSharePermissionResponse, error)
	TagResourcesWithContext(ctx context.Context, in *ecs.TagResourcesRequest, rt *dara.RuntimeOptions) (*ecs.TagResourcesResponse, error)
	UntagResourcesWithContext(ctx context.Context, in *ecs.UntagResourcesRequest, rt *dara.RuntimeOptions) (*ecs.UntagResourcesResponse, error)
}

// everyStatus makes DescribeImages show the image whatever its state: by default it
// shows only Available images, and an image that is not would look absent.
const everyStatus = "Creating,Waiting,Available,UnAvailable,CreateFailed,Deprecated"

// sharePageSize is DescribeImageSharePermission's largest page.
const sharePageSize = 100

// SnapshotInfo is one disk of the image.
type SnapshotInfo struct {
	Device     string `json:"device"`
	SnapshotID string `json:"snapshot_id"`
	Type       string `json:"type"` // system or data
	SizeGiB    int    `json:"size_gib,omitempty"`
}

// ImageReport is what Inspect learned about one custom image.
type ImageReport struct {
	Ref        Ref               `json:"ref"`
	Name       string            `json:"name"`
	OwnerID    string            `json:"owner_id"`
	OwnerAlias string            `json:"owner_alias"`
	Status     string            `json:"status"`
	Public     bool              `json:"public"`
	OSName     string            `json:"os_name,omitempty"`
	Tags       map[string]string `json:"tags,omitempty"`
	// SharedAccounts and ShareGroups are DescribeImageSharePermission's answer.
	SharedAccounts []string `json:"shared_accounts,omitempty"`
	ShareGroups    []string `json:"share_groups,omitempty"`
	// Snapshots are the disks' snapshots, the system disk first.
	Snapshots []SnapshotInfo `json:"snapshots"`
	Findings  []Finding      `json:"findings,omitempty"`
}

// Inspect describes the image and its share permissions and judges them against
// policy. An image that does not exist or is not a custom image of the caller's account
// is an error: what cannot be looked at is never reported clean.
func Inspect(ctx context.Context, api ECSAPI, ref Ref, policy Policy) (*ImageReport, error) {
	out, err := api.DescribeImagesWithContext(ctx, &ecs.DescribeImagesRequest{
		RegionId: &ref.Region, ImageId: &ref.ImageID, Status: dara.String(everyStatus),
	}, &dara.RuntimeOptions{})
	if err != nil {
		return nil, fmt.Errorf("describing %s: %w", ref, apierror.Clean(err))
	}
	var found *ecs.DescribeImagesResponseBodyImagesImage
	if out.Body != nil && out.Body.Images != nil {
		for _, img := range out.Body.Images.Image {
			if img != nil && dara.StringValue(img.ImageId) == ref.ImageID {
				found = img
			}
		}
	}
	if found == nil {
		return nil, fmt.Errorf("image %s not found: DescribeImages in %s does not know it (deleted, or in another region or account?)", ref.ImageID, ref.Region)
	}
	rep := &ImageReport{Ref: ref, Name: dara.StringValue(found.ImageName), OwnerAlias: dara.StringValue(found.ImageOwnerAlias),
		Status: dara.StringValue(found.Status), Public: dara.BoolValue(found.IsPublic), OSName: dara.StringValue(found.OSNameEn),
		Tags: map[string]string{}}
	if found.ImageOwnerId != nil {
		rep.OwnerID = strconv.FormatInt(*found.ImageOwnerId, 10)
	}
	if rep.OwnerAlias != "self" {
		return nil, fmt.Errorf("%s is not a custom image of this account (ImageOwnerAlias %q): it can be neither judged nor tagged", ref, rep.OwnerAlias)
	}
	if found.Tags != nil {
		for _, t := range found.Tags.Tag {
			if t != nil {
				rep.Tags[dara.StringValue(t.TagKey)] = dara.StringValue(t.TagValue)
			}
		}
	}
	rep.Snapshots = snapshotsOf(found)
	if err := readSharing(ctx, api, rep); err != nil {
		return nil, err
	}
	rep.Findings = policy.judge(rep)
	return rep, nil
}

// readSharing pages through DescribeImageSharePermission.
func readSharing(ctx context.Context, api ECSAPI, rep *ImageReport) error {
	for page := int32(1); ; page++ {
		out, err := api.DescribeImageSharePermissionWithContext(ctx, &ecs.DescribeImageSharePermissionRequest{
			RegionId: &rep.Ref.Region, ImageId: &rep.Ref.ImageID, PageNumber: dara.Int32(page), PageSize: dara.Int32(sharePageSize),
		}, &dara.RuntimeOptions{})
		if err != nil {
			return fmt.Errorf("reading the share permissions of %s: %w", rep.Ref, apierror.Clean(err))
		}
		b := out.Body
		if b == nil {
			return fmt.Errorf("reading the share permissions of %s: empty answer", rep.Ref)
		}
		if page == 1 && b.ShareGroups != nil {
			for _, g := range b.ShareGroups.ShareGroup {
				if g != nil {
					rep.ShareGroups = append(rep.ShareGroups, dara.StringValue(g.Group))
				}
			}
		}
		n := 0
		if b.Accounts != nil {
			for _, a := range b.Accounts.Account {
				if a != nil {
					rep.SharedAccounts = append(rep.SharedAccounts, dara.StringValue(a.AliyunId))
					n++
				}
			}
		}
		if n == 0 || len(rep.SharedAccounts) >= int(dara.Int32Value(b.TotalCount)) {
			if len(rep.SharedAccounts) < int(dara.Int32Value(b.TotalCount)) {
				return fmt.Errorf("reading the share permissions of %s: %d of %d accounts listed", rep.Ref, len(rep.SharedAccounts), dara.Int32Value(b.TotalCount))
			}
			return nil
		}
	}
}

// snapshotsOf lists the snapshots of the disk device mappings, the system disk first.
func snapshotsOf(img *ecs.DescribeImagesResponseBodyImagesImage) []SnapshotInfo {
	var out []SnapshotInfo
	if img.DiskDeviceMappings == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, m := range img.DiskDeviceMappings.DiskDeviceMapping {
		id := dara.StringValue(m.SnapshotId)
		if m == nil || id == "" || seen[id] {
			continue
		}
		seen[id] = true
		size, _ := strconv.Atoi(dara.StringValue(m.Size))
		s := SnapshotInfo{Device: dara.StringValue(m.Device), SnapshotID: id, Type: dara.StringValue(m.Type), SizeGiB: size}
		if s.Type == "system" {
			out = append([]SnapshotInfo{s}, out...)
		} else {
			out = append(out, s)
		}
	}
	return out
}
