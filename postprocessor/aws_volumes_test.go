package postprocessor

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/awsfake"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

const (
	snapEmpty = "snap-0ddddddddddddddd4"
	snapJunk  = "snap-0eeeeeeeeeeeeeee5"
)

// Every snapshot of the AMI is read, not only the root one: a secret on an unpartitioned
// data volume is found, an all-zero volume is skipped (nothing to leak), a volume that
// cannot be read fails the build.
func TestEverySnapshotIsRead(t *testing.T) {
	f := startAWSFakes(t, buildARN)
	tree, data := filepath.Join(t.TempDir(), "data"), filepath.Join(t.TempDir(), "data.ext4")
	imagetest.WriteTree(t, tree, map[string]imagetest.File{
		"app/settings.env": {Data: "MODE=prod\nAWS_ACCESS_KEY_ID=" + imagetest.PlantedAWSKey + "\n"},
	})
	imagetest.Mkfs(t, tree, data, 16)
	if err := f.ebs.AddSnapshotFile(snapData, data); err != nil {
		t.Fatal(err)
	}
	f.ebs.AddBlocks(snapEmpty, 1, nil)
	f.ebs.AddBlocks(snapJunk, 1, map[int32][]byte{0: []byte("neither a partition table nor a filesystem")})
	f.addAMI(t, amiEast, snapRoot, rootDisk(t, false), func(img *awsfake.Image) {
		img.Devices = append(img.Devices,
			awsfake.Device{Name: "/dev/xvdb", SnapshotID: snapData, SizeGiB: 1, Encrypted: true},
			awsfake.Device{Name: "/dev/xvdc", SnapshotID: snapEmpty, SizeGiB: 1, Encrypted: true},
			awsfake.Device{Name: "/dev/xvdd", SnapshotID: snapJunk, SizeGiB: 1})
	})
	r := f.run(t, ebsID, "us-east-1:"+amiEast, map[string]interface{}{"approve_tags": approve})
	if r.err == nil {
		t.Fatalf("passed:\n%s", r.out)
	}
	rep := r.readReport(t)
	status := map[string]string{}
	for _, s := range rep.Sources {
		status[s.Path] = s.Status
	}
	want := map[string]string{
		amiEast + " snapshot " + snapRoot:  statusVerified,
		amiEast + " snapshot " + snapData:  statusVerified,
		amiEast + " snapshot " + snapEmpty: statusSkipped,
		amiEast + " snapshot " + snapJunk:  statusNotVerified,
	}
	for src, st := range want {
		if status[src] != st {
			t.Errorf("%s: status %q, want %q (all: %v)", src, status[src], st, status)
		}
	}
	if !slices.ContainsFunc(rep.Findings, func(f Finding) bool {
		return f.Check == contentScanCheck && f.Path == "/app/settings.env" && f.Source == amiEast+" snapshot "+snapData
	}) {
		t.Errorf("the data volume's secret was not found: %+v", rep.Findings)
	}
	if !slices.ContainsFunc(rep.Findings, func(f Finding) bool {
		return f.Check == "snapshot-unencrypted" && f.Source == amiEast+" snapshot "+snapJunk+" (us-east-1)"
	}) {
		t.Errorf("the unencrypted snapshot is not reported: %+v", rep.Findings)
	}
	if !slices.ContainsFunc(rep.NotVerified, func(nv NotVerified) bool {
		return strings.HasPrefix(nv.Source, amiEast+" snapshot "+snapJunk) && strings.Contains(nv.Error, "no partition table")
	}) {
		t.Errorf("not_verified: %+v", rep.NotVerified)
	}
	if tags := f.ec2.ImageTags(amiEast); tags["status"] != "" {
		t.Errorf("approved: %v", tags)
	}
}

// A block that fails twice then arrives still completes the verification; a block whose
// checksum never matches makes the snapshot not verified, and the build fails.
func TestEBSFaultsEndToEnd(t *testing.T) {
	for _, tc := range []struct {
		name   string
		fault  awsfake.Fault
		passes bool
	}{
		{"fails twice then succeeds", awsfake.Fault{Times: 2, Status: 503, Code: "InternalServerException"}, true},
		{"checksum mismatch", awsfake.Fault{Times: -1, WrongChecksum: true}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := startAWSFakes(t, buildARN)
			f.addAMI(t, amiEast, snapRoot, rootDisk(t, false), nil)
			f.ebs.FailBlock(snapRoot, 0, tc.fault) // block 0 holds the GPT: always read
			r := f.run(t, ebsID, "us-east-1:"+amiEast, map[string]interface{}{"approve_tags": approve})
			approved := f.ec2.ImageTags(amiEast)["status"] == "approved"
			if tc.passes {
				if r.err != nil || !approved || f.ebs.Gets(snapRoot, 0) != 3 {
					t.Fatalf("err %v, approved %t, %d gets of block 0 (want 3)\n%s", r.err, approved, f.ebs.Gets(snapRoot, 0), r.out)
				}
				if !strings.Contains(r.out, "2 retried") {
					t.Errorf("the retries are not shown:\n%s", r.out)
				}
				return
			}
			rep := r.readReport(t)
			if r.err == nil || approved || rep.Passed || len(rep.NotVerified) == 0 ||
				!strings.Contains(rep.NotVerified[0].Error, "checksum mismatch") {
				t.Fatalf("err %v, approved %t, not_verified %+v\n%s", r.err, approved, rep.NotVerified, r.out)
			}
		})
	}
}

// Image-level findings obey fail_on and allow rules like the others.
func TestImageFindingsFollowFailOnAndAllow(t *testing.T) {
	f := startAWSFakes(t, buildARN)
	f.addAMI(t, amiEast, snapRoot, rootDisk(t, false), func(img *awsfake.Image) { img.Devices[0].Encrypted = false })
	if r := f.run(t, ebsID, "us-east-1:"+amiEast, map[string]interface{}{}); r.err != nil {
		t.Fatalf("a low finding failed the default fail_on: %v\n%s", r.err, r.out)
	}
	if r := f.run(t, ebsID, "us-east-1:"+amiEast, map[string]interface{}{"fail_on": "low"}); r.err == nil {
		t.Fatalf("an unencrypted snapshot passed fail_on = low:\n%s", r.out)
	}
	r := f.run(t, ebsID, "us-east-1:"+amiEast, map[string]interface{}{"fail_on": "low",
		"allow": []map[string]interface{}{{"check": "snapshot-unencrypted", "reason": "public data only"}}})
	if r.err != nil || r.readReport(t).Summary.Allowed != 1 {
		t.Fatalf("allow rule on an image-level check: %v\n%s", r.err, r.out)
	}
}

// deep_scan reads every block of the snapshot too: a key deleted before the AMI was
// made is found as a remnant through the EBS direct APIs.
func TestDeepScanOfAnAMI(t *testing.T) {
	imagetest.Need(t, "mkfs.ext4", "debugfs")
	f := startAWSFakes(t, buildARN)
	tree, img := filepath.Join(t.TempDir(), "tree"), filepath.Join(t.TempDir(), "root.ext4")
	files := imagetest.Rootfs(t, false)
	key := imagetest.Rootfs(t, true)["etc/ssh/ssh_host_ed25519_key"]
	key.Data = strings.Repeat("#\n", 4096) + key.Data // not inline: in its own blocks
	files["root/deleted_key"] = key
	imagetest.WriteTree(t, tree, files)
	imagetest.Mkfs(t, tree, img, 16)
	imagetest.Run(t, "debugfs", "-w", "-R", "rm /root/deleted_key", img)
	f.addAMI(t, amiEast, snapRoot, awsfake.Disk{Path: img}, nil)

	if r := f.run(t, ebsID, "us-east-1:"+amiEast, map[string]interface{}{}); r.err != nil {
		t.Fatalf("without deep_scan the AMI should pass: %v\n%s", r.err, r.out)
	}
	r := f.run(t, ebsID, "us-east-1:"+amiEast, map[string]interface{}{"deep_scan": true, "approve_tags": approve})
	if r.err == nil {
		t.Fatalf("deep_scan passed an AMI holding a deleted key:\n%s", r.out)
	}
	rep := r.readReport(t)
	if !slices.ContainsFunc(rep.Findings, func(x Finding) bool {
		return x.Check == deepScanCheck && x.Path == "(unallocated)" && x.Source == amiEast+" snapshot "+snapRoot
	}) || !slices.Contains(rep.Checks, deepScanCheck) {
		t.Fatalf("no deep-scan remnant finding: %+v", rep.Findings)
	}
	if f.ec2.ImageTags(amiEast)["status"] != "" {
		t.Error("approved")
	}
}
