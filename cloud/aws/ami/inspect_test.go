package ami_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/awsfake"
)

const (
	owner    = "111111111111"
	partner  = "222222222222"
	stranger = "999999999999"
	imageID  = "ami-0abc1234def567890"
	rootSnap = "snap-0aaaaaaaaaaaaaaa1"
	dataSnap = "snap-0bbbbbbbbbbbbbbb2"
	orgARN   = "arn:aws:organizations::111111111111:organization/o-abc123"
	ouARN    = "arn:aws:organizations::111111111111:ou/o-abc123/ou-ab12-xyz"
	otherOU  = "arn:aws:organizations::333333333333:ou/o-zzz999/ou-zz99-xyz"
)

var ref = ami.Ref{Region: "us-east-1", ImageID: imageID}

var policy = ami.Policy{AllowedAccountIDs: []string{partner}, AllowedOrganizationARNs: []string{orgARN}}

// ec2Client is the real EC2 client pointed at the fake.
func ec2Client(t *testing.T, fake *awsfake.EC2) *ec2.Client {
	return ec2.New(ec2.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(awsfake.Serve(t, fake)),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEC2TEST", "secret", ""),
	})
}

// cleanImage is a private AMI with an encrypted root and data volume.
func cleanImage() awsfake.Image {
	return awsfake.Image{
		ID: imageID, Name: "golden-2026-11-01", OwnerID: owner,
		Devices: []awsfake.Device{
			{Name: "/dev/xvda", SnapshotID: rootSnap, SizeGiB: 8, Encrypted: true, KMSKeyID: "alias/golden"},
			{Name: "/dev/xvdb", SnapshotID: dataSnap, SizeGiB: 20, Encrypted: true},
			{Name: "/dev/sdc"}, // instance store: nothing to read
		},
		Tags: map[string]string{"Name": "golden", "team": "platform"},
	}
}

func TestInspectFindings(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(img *awsfake.Image, snaps map[string]*awsfake.Snapshot)
		want  []string // "check resource" pairs
	}{
		{"private and encrypted", func(*awsfake.Image, map[string]*awsfake.Snapshot) {}, nil},
		{"public AMI", func(img *awsfake.Image, _ map[string]*awsfake.Snapshot) {
			img.Public = true
		}, []string{"ami-public us-east-1:" + imageID}},
		{"AMI shared with a stranger", func(img *awsfake.Image, _ map[string]*awsfake.Snapshot) {
			img.LaunchPermissions = []awsfake.Permission{{UserID: partner}, {UserID: owner}, {UserID: stranger}}
		}, []string{"ami-shared us-east-1:" + imageID}},
		{"AMI shared with the allowed org and an OU inside it", func(img *awsfake.Image, _ map[string]*awsfake.Snapshot) {
			img.LaunchPermissions = []awsfake.Permission{{OrganizationARN: orgARN}, {OrganizationalUnitARN: ouARN}}
		}, nil},
		{"AMI shared with another org's OU", func(img *awsfake.Image, _ map[string]*awsfake.Snapshot) {
			img.LaunchPermissions = []awsfake.Permission{{OrganizationalUnitARN: otherOU}}
		}, []string{"ami-shared us-east-1:" + imageID}},
		{"public root snapshot", func(_ *awsfake.Image, snaps map[string]*awsfake.Snapshot) {
			snaps[rootSnap].CreateVolumePermissions = []awsfake.Permission{{Group: "all"}}
		}, []string{"snapshot-public us-east-1:" + rootSnap}},
		{"data snapshot shared with a stranger", func(_ *awsfake.Image, snaps map[string]*awsfake.Snapshot) {
			snaps[dataSnap].CreateVolumePermissions = []awsfake.Permission{{UserID: partner}, {UserID: stranger}}
		}, []string{"snapshot-shared us-east-1:" + dataSnap}},
		{"unencrypted data volume", func(img *awsfake.Image, _ map[string]*awsfake.Snapshot) {
			img.Devices[1].Encrypted = false
		}, []string{"snapshot-unencrypted us-east-1:" + dataSnap}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake := awsfake.NewEC2()
			img := cleanImage()
			snaps := map[string]*awsfake.Snapshot{rootSnap: {ID: rootSnap}, dataSnap: {ID: dataSnap}}
			tc.setup(&img, snaps)
			fake.AddImage(img)
			for _, s := range snaps {
				fake.AddSnapshot(*s)
			}
			rep, err := ami.Inspect(context.Background(), ec2Client(t, fake), ref, policy)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.Check+" "+f.Resource)
				if f.Message == "" || f.Severity != severity(f.Check) {
					t.Errorf("finding %v", f)
				}
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings %q, want %q", got, tc.want)
			}
		})
	}
}

func severity(check string) cleanup.Severity {
	for _, c := range ami.Checks {
		if c.ID == check {
			return c.Severity
		}
	}
	return -1
}

func TestInspectReportsSnapshotsAndTags(t *testing.T) {
	fake := awsfake.NewEC2()
	fake.AddImage(cleanImage())
	rep, err := ami.Inspect(context.Background(), ec2Client(t, fake), ref, policy)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Name != "golden-2026-11-01" || rep.OwnerID != owner || rep.State != "available" || rep.Public {
		t.Errorf("report %+v", rep)
	}
	if rep.Tags["team"] != "platform" || len(rep.Tags) != 2 {
		t.Errorf("tags %v", rep.Tags)
	}
	if len(rep.Snapshots) != 2 || rep.Snapshots[0].SnapshotID != rootSnap || rep.Snapshots[1].SnapshotID != dataSnap {
		t.Fatalf("snapshots %+v: want root then data, instance store left out", rep.Snapshots)
	}
	if s := rep.Snapshots[0]; !s.Encrypted || s.KMSKeyID != "alias/golden" || s.SizeGiB != 8 || s.DeviceName != "/dev/xvda" {
		t.Errorf("root snapshot %+v", s)
	}
	if n := fake.Actions()["DescribeSnapshotAttribute"]; n != 2 {
		t.Errorf("%d DescribeSnapshotAttribute calls, want one per snapshot", n)
	}
	if f := (ami.Finding{Check: "ami-public", Severity: cleanup.Critical, Resource: "r", Message: "m"}).CleanupFinding(); f.Path != "r" || f.Check != "ami-public" {
		t.Errorf("CleanupFinding %+v", f)
	}
}

func TestInspectFailsClosed(t *testing.T) {
	fake := awsfake.NewEC2()
	fake.AddImage(awsfake.Image{ID: "ami-0000000000000eeee", OwnerID: owner, Devices: []awsfake.Device{{Name: "/dev/sda1"}}})
	c := ec2Client(t, fake)
	for _, tc := range []struct {
		ref  ami.Ref
		want string
	}{
		{ref, "InvalidAMIID.NotFound"},
		{ami.Ref{Region: "us-east-1", ImageID: "ami-0000000000000eeee"}, "no EBS snapshot"},
	} {
		_, err := ami.Inspect(context.Background(), c, tc.ref, policy)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.ref.ImageID) {
			t.Errorf("%s: %v, want an error naming it and %q", tc.ref, err, tc.want)
		}
	}
}
