package postprocessor

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/awsfake"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

var (
	approve    = map[string]interface{}{"status": "approved", "security-level": "trusted"}
	quarantine = map[string]interface{}{"status": "quarantined", "sanitize:reason": "residue"}
)

// A dirty AMI fails the build, every planted residue is reported under the snapshot's
// partition, no secret reaches the output, and on_residue = "quarantine" takes the
// approval tags (here put by the builder) off the AMI and its snapshot and quarantines both.
func TestDirtyAMIIsQuarantined(t *testing.T) {
	f := startAWSFakes(t, buildARN)
	f.addAMI(t, amiEast, snapRoot, rootDisk(t, true), func(img *awsfake.Image) {
		img.Tags["status"], img.Tags["security-level"] = "approved", "trusted" // forged by the builder's tags
	})
	r := f.run(t, ebsID, "us-east-1:"+amiEast, map[string]interface{}{
		"on_residue": "quarantine", "approve_tags": approve, "quarantine_tags": quarantine,
	})
	t.Logf("output:\n%s", r.out)
	if r.err == nil || r.got != nil {
		t.Fatalf("the dirty AMI passed:\n%s", r.out)
	}
	rep := r.readReport(t)
	if rep.Passed {
		t.Fatal("report passed")
	}
	src := amiEast + " snapshot " + snapRoot + ` partition 1 (GPT "root")`
	for _, want := range imagetest.Planted {
		if !slices.ContainsFunc(rep.Findings, func(f Finding) bool {
			return f.Check == want.Check && f.Path == want.Path && f.Source == src
		}) {
			t.Errorf("no %s finding at %s from %s", want.Check, want.Path, src)
		}
	}
	for _, secret := range []string{imagetest.PlantedAWSKey, "$6$rounds"} {
		b, _ := os.ReadFile(r.path)
		if strings.Contains(r.out, secret) || strings.Contains(string(b), secret) {
			t.Errorf("a planted secret (%.6s…) reached the output or the report", secret)
		}
	}
	for id, tags := range map[string]map[string]string{amiEast: f.ec2.ImageTags(amiEast), snapRoot: f.ec2.SnapshotTags(snapRoot)} {
		if tags["status"] != "quarantined" || tags["sanitize:reason"] != "residue" {
			t.Errorf("%s not quarantined: %v", id, tags)
		}
		if _, ok := tags["security-level"]; ok {
			t.Errorf("%s keeps the approval tag security-level: %v", id, tags)
		}
		if _, ok := tags[ami.VerifiedTag]; ok {
			t.Errorf("%s carries %s", id, ami.VerifiedTag)
		}
	}
	if f.ec2.ImageTags(amiEast)["team"] != "platform" {
		t.Error("an unrelated tag was removed")
	}
	for _, want := range []string{"quarantined", "deregisters the AMI", "did not pass"} {
		if !strings.Contains(r.out+r.err.Error(), want) {
			t.Errorf("output lacks %q:\n%s\n%v", want, r.out, r.err)
		}
	}
	if len(rep.AWSImages) != 1 || rep.AWSImages[0].CallerARN != buildARN || rep.AWSImages[0].Image == nil ||
		!rep.AWSImages[0].Image.Snapshots[0].Encrypted {
		t.Errorf("aws_images %+v", rep.AWSImages)
	}
}

// A clean AMI copied to two regions passes; both copies and their snapshots get the
// approval tags and sanitize:verified, the digest of the report file as written.
func TestCleanAMIIsApproved(t *testing.T) {
	f := startAWSFakes(t, buildARN)
	disk := rootDisk(t, false)
	f.addAMI(t, amiEast, snapRoot, disk, nil)
	f.addAMI(t, amiWest, snapWest, disk, nil)
	r := f.run(t, ebsID, "eu-west-1:"+amiWest+",us-east-1:"+amiEast, map[string]interface{}{
		"approve_tags": approve, "aws": map[string]interface{}{"read_workers": 8, "cache_mb": 32},
	})
	t.Logf("output:\n%s", r.out)
	if r.err != nil {
		t.Fatalf("the clean AMI failed: %v\n%s", r.err, r.out)
	}
	rep := r.readReport(t)
	if !rep.Passed || len(rep.Sources) != 2 || len(rep.AWSImages) != 2 {
		t.Fatalf("report: passed %t, %d sources, %d AMIs", rep.Passed, len(rep.Sources), len(rep.AWSImages))
	}
	for _, s := range rep.Sources {
		if s.Status != statusVerified || s.PartitionTable != "GPT" || len(s.Volumes) != 1 || s.Volumes[0].Filesystem != "ext4" ||
			!strings.Contains(s.Format, "encrypted with alias/golden") {
			t.Errorf("source %+v", s)
		}
	}
	digest, err := fileDigest(r.path)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{amiEast, amiWest} {
		snap := map[string]string{amiEast: snapRoot, amiWest: snapWest}[id]
		for what, tags := range map[string]map[string]string{id: f.ec2.ImageTags(id), snap: f.ec2.SnapshotTags(snap)} {
			if tags["status"] != "approved" || tags["security-level"] != "trusted" {
				t.Errorf("%s: approval tags missing: %v", what, tags)
			}
			if v := tags[ami.VerifiedTag]; !strings.HasPrefix(v, digest+" 20") {
				t.Errorf("%s: %s = %q, want the report digest %s and the time", what, ami.VerifiedTag, v, digest)
			}
		}
	}
	if regions := f.ec2.SignedRegions(); !slices.Equal(regions, []string{"eu-west-1", "us-east-1"}) {
		t.Errorf("EC2 calls signed for %v, want each AMI's region", regions)
	}
	if keys := f.ebs.AccessKeys(); !slices.Equal(keys, []string{"AKIAPOSTPROCESSTEST1"}) {
		t.Errorf("EBS saw keys %v, want the environment's", keys)
	}
}

// Sharing fails the build even when every filesystem is clean; sharing with an allowed
// account does not.
func TestSharedAMIFailsEvenWhenClean(t *testing.T) {
	for _, tc := range []struct {
		name  string
		edit  func(*awsfake.Image)
		snap  []awsfake.Permission
		check string
		src   string
	}{
		{"public AMI", func(img *awsfake.Image) { img.Public = true }, nil,
			ami.CheckAMIPublic, amiEast + " (us-east-1)"},
		{"AMI shared with a stranger", func(img *awsfake.Image) {
			img.LaunchPermissions = []awsfake.Permission{{UserID: partner}, {UserID: stranger}}
		}, nil, ami.CheckAMIShared, amiEast + " (us-east-1)"},
		{"snapshot shared with a stranger", nil, []awsfake.Permission{{UserID: stranger}},
			ami.CheckSnapshotShared, amiEast + " snapshot " + snapRoot + " (us-east-1)"},
		{"public snapshot", nil, []awsfake.Permission{{Group: "all"}},
			ami.CheckSnapshotPublic, amiEast + " snapshot " + snapRoot + " (us-east-1)"},
		{"shared with the partner only", func(img *awsfake.Image) {
			img.LaunchPermissions = []awsfake.Permission{{UserID: partner}}
		}, []awsfake.Permission{{UserID: partner}}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := startAWSFakes(t, buildARN)
			f.addAMI(t, amiEast, snapRoot, rootDisk(t, false), tc.edit)
			if tc.snap != nil {
				f.ec2.AddSnapshot(awsfake.Snapshot{ID: snapRoot, CreateVolumePermissions: tc.snap})
			}
			r := f.run(t, ebsID, "us-east-1:"+amiEast, map[string]interface{}{
				"approve_tags": approve, "aws": map[string]interface{}{"allowed_account_ids": []string{partner}},
			})
			tags := f.ec2.ImageTags(amiEast)
			if tc.check == "" {
				if r.err != nil || tags["status"] != "approved" {
					t.Fatalf("sharing with an allowed account failed: %v, tags %v\n%s", r.err, tags, r.out)
				}
				return
			}
			if r.err == nil {
				t.Fatalf("passed:\n%s", r.out)
			}
			rep := r.readReport(t)
			if !slices.ContainsFunc(rep.Findings, func(f Finding) bool { return f.Check == tc.check && f.Source == tc.src }) {
				t.Errorf("no %s finding from %q: %+v", tc.check, tc.src, rep.Findings)
			}
			if len(rep.Sources) != 1 || rep.Sources[0].Status != statusVerified {
				t.Errorf("the filesystem was not read: %+v", rep.Sources)
			}
			if _, ok := tags["status"]; ok || tags[ami.VerifiedTag] != "" {
				t.Errorf("a shared AMI carries approval tags: %v", tags)
			}
		})
	}
}

// The account's root credentials are refused before anything is read or tagged, unless
// allow_root_credentials is set.
func TestRootCredentialsAreRefused(t *testing.T) {
	f := startAWSFakes(t, "arn:aws:iam::"+owner+":root")
	f.addAMI(t, amiEast, snapRoot, rootDisk(t, false), nil)
	r := f.run(t, ebsID, "us-east-1:"+amiEast, map[string]interface{}{"approve_tags": approve})
	if r.err == nil || !strings.Contains(r.err.Error(), "root credentials") || !strings.Contains(r.err.Error(), "allow_root_credentials") {
		t.Fatalf("root credentials: %v\n%s", r.err, r.out)
	}
	if n := f.ebs.Lists() + f.ebs.TotalGets(); n != 0 {
		t.Errorf("%d EBS calls made with root credentials", n)
	}
	if calls := f.ec2.TagCalls(); len(calls) != 0 || f.ec2.Actions()["DescribeImages"] != 0 {
		t.Errorf("EC2 was used with root credentials: %v %v", calls, f.ec2.Actions())
	}

	r = f.run(t, ebsID, "us-east-1:"+amiEast, map[string]interface{}{
		"approve_tags": approve, "aws": map[string]interface{}{"allow_root_credentials": true},
	})
	if r.err != nil || f.ec2.ImageTags(amiEast)["status"] != "approved" {
		t.Fatalf("allow_root_credentials = true: %v\n%s", r.err, r.out)
	}
}

// on_residue = "warn" passes the artifact on, but never approved: the builder's
// approval tags are removed, and no quarantine tag is put.
func TestWarnRemovesApprovalTags(t *testing.T) {
	f := startAWSFakes(t, buildARN)
	f.addAMI(t, amiEast, snapRoot, rootDisk(t, true), func(img *awsfake.Image) { img.Tags["status"] = "approved" })
	r := f.run(t, ebsID, "us-east-1:"+amiEast, map[string]interface{}{
		"on_residue": "warn", "approve_tags": approve, "quarantine_tags": quarantine,
	})
	if r.err != nil || !strings.Contains(r.out, `on_residue = "warn"`) {
		t.Fatalf("warn: %v\n%s", r.err, r.out)
	}
	if tags := f.ec2.ImageTags(amiEast); tags["status"] != "" || tags["sanitize:reason"] != "" || tags["team"] != "platform" {
		t.Errorf("tags after warn: %v", tags)
	}
}

// Without credentials nothing can be read: the AMI is not verified and the build fails
// with the SDK's reason, never a pass.
func TestNoCredentialsIsNotVerified(t *testing.T) {
	f := startAWSFakes(t, buildARN)
	f.addAMI(t, amiEast, snapRoot, rootDisk(t, false), nil)
	t.Setenv("AWS_ACCESS_KEY_ID", "")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "")
	r := f.run(t, ebsID, "us-east-1:"+amiEast, map[string]interface{}{"approve_tags": approve})
	if r.err == nil {
		t.Fatalf("passed without credentials:\n%s", r.out)
	}
	rep := r.readReport(t)
	if len(rep.NotVerified) != 1 || rep.NotVerified[0].Source != amiEast+" (us-east-1)" ||
		!strings.Contains(rep.NotVerified[0].Error, "GetCallerIdentity") || len(rep.AWSImages) != 1 || rep.AWSImages[0].Status != statusNotVerified {
		t.Errorf("not_verified %+v, aws_images %+v", rep.NotVerified, rep.AWSImages)
	}
}
