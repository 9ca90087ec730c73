package ami

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// EC2API is the part of the EC2 client (*ec2.Client) this package calls.
type EC2API interface {
	DescribeImages(ctx context.Context, in *ec2.DescribeImagesInput, optFns ...func(*ec2.Options)) (*ec2.DescribeImagesOutput, error)
	DescribeImageAttribute(ctx context.Context, in *ec2.DescribeImageAttributeInput, optFns ...func(*ec2.Options)) (*ec2.DescribeImageAttributeOutput, error)
	DescribeSnapshotAttribute(ctx context.Context, in *ec2.DescribeSnapshotAttributeInput, optFns ...func(*ec2.Options)) (*ec2.DescribeSnapshotAttributeOutput, error)
	CreateTags(ctx context.Context, in *ec2.CreateTagsInput, optFns ...func(*ec2.Options)) (*ec2.CreateTagsOutput, error)
	DeleteTags(ctx context.Context, in *ec2.DeleteTagsInput, optFns ...func(*ec2.Options)) (*ec2.DeleteTagsOutput, error)
}

// SnapshotInfo is one EBS snapshot backing the AMI.
type SnapshotInfo struct {
	DeviceName  string       `json:"device_name"`
	SnapshotID  string       `json:"snapshot_id"`
	SizeGiB     int32        `json:"size_gib,omitempty"`
	Encrypted   bool         `json:"encrypted"`
	KMSKeyID    string       `json:"kms_key_id,omitempty"`
	Permissions []Permission `json:"create_volume_permissions,omitempty"`
}

// ImageReport is what Inspect learned about one AMI.
type ImageReport struct {
	Ref               Ref               `json:"ref"`
	Name              string            `json:"name"`
	OwnerID           string            `json:"owner_id"`
	State             string            `json:"state"`
	Public            bool              `json:"public"`
	Tags              map[string]string `json:"tags,omitempty"`
	LaunchPermissions []Permission      `json:"launch_permissions,omitempty"`
	// Snapshots are every EBS snapshot of the block device mappings, root first.
	Snapshots []SnapshotInfo `json:"snapshots"`
	Findings  []Finding      `json:"findings,omitempty"`
}

// Inspect describes the AMI, its launch permissions and every snapshot's create-volume
// permissions, and judges them against policy. An AMI that does not exist, or that has
// no EBS snapshot to read (an instance-store AMI), is an error: what cannot be read is
// never reported clean.
func Inspect(ctx context.Context, api EC2API, ref Ref, policy Policy) (*ImageReport, error) {
	out, err := api.DescribeImages(ctx, &ec2.DescribeImagesInput{ImageIds: []string{ref.ImageID}})
	if err != nil {
		return nil, fmt.Errorf("describing %s: %w", ref, err)
	}
	if len(out.Images) != 1 || aws.ToString(out.Images[0].ImageId) != ref.ImageID {
		return nil, fmt.Errorf("describing %s: the answer holds %d images, not that one", ref, len(out.Images))
	}
	img := out.Images[0]
	rep := &ImageReport{
		Ref: ref, Name: aws.ToString(img.Name), OwnerID: aws.ToString(img.OwnerId),
		State: string(img.State), Public: aws.ToBool(img.Public), Tags: map[string]string{},
	}
	for _, t := range img.Tags {
		rep.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	rep.Snapshots = snapshotsOf(img)
	if len(rep.Snapshots) == 0 {
		return nil, fmt.Errorf("%s has no EBS snapshot in its block device mappings (instance-store AMI?): its contents cannot be read", ref)
	}

	attr, err := api.DescribeImageAttribute(ctx, &ec2.DescribeImageAttributeInput{
		ImageId: &ref.ImageID, Attribute: types.ImageAttributeNameLaunchPermission,
	})
	if err != nil {
		return nil, fmt.Errorf("reading the launch permissions of %s: %w", ref, err)
	}
	for _, p := range attr.LaunchPermissions {
		rep.LaunchPermissions = append(rep.LaunchPermissions, Permission{
			Group: string(p.Group), UserID: aws.ToString(p.UserId),
			OrganizationARN: aws.ToString(p.OrganizationArn), OrganizationalUnitARN: aws.ToString(p.OrganizationalUnitArn),
		})
	}
	// Sharing with the owning account itself gives nobody anything.
	policy.AllowedAccountIDs = append(slices.Clone(policy.AllowedAccountIDs), rep.OwnerID)
	perms := rep.LaunchPermissions
	if rep.Public && !hasGroupAll(perms) { // isPublic without the attribute saying so: trust the worse
		perms = append(perms, Permission{Group: "all"})
	}
	rep.Findings = policy.judge(perms, CheckAMIPublic, CheckAMIShared, ref.String(), "the AMI")

	for i := range rep.Snapshots {
		snap := &rep.Snapshots[i]
		if err := inspectSnapshot(ctx, api, ref.Region, snap); err != nil {
			return nil, err
		}
		resource := ref.Region + ":" + snap.SnapshotID
		noun := fmt.Sprintf("snapshot %s (%s)", snap.SnapshotID, snap.DeviceName)
		rep.Findings = append(rep.Findings, policy.judge(snap.Permissions, CheckSnapshotPublic, CheckSnapshotShared, resource, noun)...)
		if !snap.Encrypted {
			rep.Findings = append(rep.Findings, Finding{Check: CheckSnapshotUnencrypted, Severity: severityOf(CheckSnapshotUnencrypted),
				Resource: resource, Message: noun + " is not encrypted"})
		}
	}
	return rep, nil
}

func inspectSnapshot(ctx context.Context, api EC2API, region string, snap *SnapshotInfo) error {
	out, err := api.DescribeSnapshotAttribute(ctx, &ec2.DescribeSnapshotAttributeInput{
		SnapshotId: &snap.SnapshotID, Attribute: types.SnapshotAttributeNameCreateVolumePermission,
	})
	if err != nil {
		return fmt.Errorf("reading the create-volume permissions of %s:%s: %w", region, snap.SnapshotID, err)
	}
	for _, p := range out.CreateVolumePermissions {
		snap.Permissions = append(snap.Permissions, Permission{Group: string(p.Group), UserID: aws.ToString(p.UserId)})
	}
	return nil
}

// snapshotsOf lists every EBS snapshot of the mappings, root device first, each once.
func snapshotsOf(img types.Image) []SnapshotInfo {
	var out []SnapshotInfo
	seen := map[string]bool{}
	for _, m := range img.BlockDeviceMappings {
		if m.Ebs == nil || aws.ToString(m.Ebs.SnapshotId) == "" || seen[*m.Ebs.SnapshotId] {
			continue
		}
		seen[*m.Ebs.SnapshotId] = true
		out = append(out, SnapshotInfo{
			DeviceName: aws.ToString(m.DeviceName), SnapshotID: *m.Ebs.SnapshotId,
			SizeGiB: aws.ToInt32(m.Ebs.VolumeSize), Encrypted: aws.ToBool(m.Ebs.Encrypted), KMSKeyID: aws.ToString(m.Ebs.KmsKeyId),
		})
	}
	root := aws.ToString(img.RootDeviceName)
	sort.SliceStable(out, func(i, j int) bool { return out[i].DeviceName == root && out[j].DeviceName != root })
	return out
}

func hasGroupAll(perms []Permission) bool {
	for _, p := range perms {
		if p.Group == "all" {
			return true
		}
	}
	return false
}
