package postprocessor

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/awsfake"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

// Accounts, AMIs and snapshots of the AWS tests.
const (
	owner    = "111111111111"
	partner  = "222222222222"
	stranger = "999999999999"
	amiEast  = "ami-0abc1234def567890"
	amiWest  = "ami-0fed9876cba543210"
	snapRoot = "snap-0aaaaaaaaaaaaaaa1"
	snapWest = "snap-0ccccccccccccccc3"
	snapData = "snap-0bbbbbbbbbbbbbbb2"
	ebsID    = "mitchellh.amazonebs"
	buildARN = "arn:aws:iam::" + owner + ":role/packer-build"
)

// awsFakes is one set of fakes (EC2, EBS direct, STS) on 127.0.0.1, spoken to by the
// real SDK clients of the post-processor, with credentials from the environment only.
type awsFakes struct {
	ec2 *awsfake.EC2
	ebs *awsfake.EBS
	sts *awsfake.STS
	// aws is the `aws` block pointing at the fakes.
	aws map[string]interface{}
}

func startAWSFakes(t testing.TB, callerARN string) *awsFakes {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAPOSTPROCESSTEST1")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	f := &awsFakes{ec2: awsfake.NewEC2(), ebs: awsfake.NewEBS(), sts: awsfake.NewSTS(callerARN)}
	f.aws = map[string]interface{}{
		"endpoint_ec2": awsfake.Serve(t, f.ec2),
		"endpoint_ebs": awsfake.Serve(t, f.ebs),
		"endpoint_sts": awsfake.Serve(t, f.sts),
	}
	return f
}

// rootDisk is a real GPT disk of 1 GiB (an EBS volume's size) holding the dirty test
// rootfs, or its clean twin, in an ext4 partition 1: made by sfdisk and mkfs.ext4 -d.
func rootDisk(t *testing.T, dirty bool) awsfake.Disk {
	t.Helper()
	imagetest.Need(t, "mkfs.ext4", "sfdisk")
	tree := filepath.Join(t.TempDir(), "tree")
	imagetest.WriteTree(t, tree, imagetest.Rootfs(t, dirty))
	return awsfake.BuildDiskFromTree(t, tree, 1<<30)
}

// addAMI serves disk as the root snapshot of an encrypted AMI owned by owner.
func (f *awsFakes) addAMI(t testing.TB, id, snap string, disk awsfake.Disk, edit func(*awsfake.Image)) {
	t.Helper()
	if err := f.ebs.AddSnapshotFile(snap, disk.Path); err != nil {
		t.Fatal(err)
	}
	img := awsfake.Image{ID: id, Name: "golden-2026-11-01", OwnerID: owner,
		Devices: []awsfake.Device{{Name: "/dev/xvda", SnapshotID: snap, SizeGiB: 1, Encrypted: true, KMSKeyID: "alias/golden"}},
		Tags:    map[string]string{"team": "platform"}}
	if edit != nil {
		edit(&img)
	}
	f.ec2.AddImage(img)
}

type amiRun struct {
	out    string
	report Report
	path   string // of the report
	got    packersdk.Artifact
	err    error
}

// run configures the post-processor with cfg (the aws block pointing at the fakes is
// added) and runs it on an artifact of builderID with Id id.
func (f *awsFakes) run(t testing.TB, builderID, id string, cfg map[string]interface{}) amiRun {
	t.Helper()
	return runOnArtifact(t, builderID, id, cfg, "aws", f.aws, nil)
}

// runOnArtifact configures the post-processor with cfg, its cloud block named block
// being fakeBlock (the fakes' endpoints) overlaid with cfg's own, lets tune adjust it,
// and runs it on an artifact of builderID with Id id and no files.
func runOnArtifact(t testing.TB, builderID, id string, cfg map[string]interface{}, block string, fakeBlock map[string]interface{},
	tune func(*PostProcessor)) amiRun {
	t.Helper()
	r := amiRun{path: filepath.Join(t.TempDir(), "report.json")}
	cfg["report_path"] = r.path
	merged := map[string]interface{}{}
	for k, v := range fakeBlock {
		merged[k] = v
	}
	if extra, ok := cfg[block].(map[string]interface{}); ok {
		for k, v := range extra {
			merged[k] = v
		}
	}
	cfg[block] = merged
	var p PostProcessor
	if err := p.Configure(cfg); err != nil {
		t.Fatal(err)
	}
	if tune != nil {
		tune(&p)
	}
	var out bytes.Buffer
	ui := &packersdk.BasicUi{Reader: strings.NewReader(""), Writer: &out, ErrorWriter: &out}
	art := &packersdk.MockArtifact{BuilderIdValue: builderID, IdValue: id, FilesValue: []string{}}
	got, keep, force, err := p.PostProcess(context.Background(), ui, art)
	r.out, r.got, r.err = out.String(), got, err
	if err == nil && (got != art || !keep || !force) {
		t.Errorf("success returned (%v, %t, %t), want the artifact untouched, kept", got, keep, force)
	}
	return r
}

func (r amiRun) readReport(t *testing.T) Report {
	t.Helper()
	var rep Report
	readJSON(t, r.path, &rep)
	return rep
}
