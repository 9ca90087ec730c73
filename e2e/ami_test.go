package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/awsfake"
	"github.com/goldenimage/packer-plugin-sanitize/image/imagetest"
)

var amifakeOnce sync.Once

// installAMIFake builds the test plugin e2e/testdata/amifake and installs it next to
// this plugin.
func installAMIFake(t *testing.T, packer string) {
	t.Helper()
	var err error
	amifakeOnce.Do(func() {
		bin := filepath.Join(pluginDir, "packer-plugin-amifake")
		if _, err = run(repoRoot, nil, "go", "build", "-o", bin, "./e2e/testdata/amifake"); err != nil {
			return
		}
		_, err = run(pluginDir, packerEnv(pluginDir), packer, "plugins", "install", "--path", bin, "github.com/goldenimage/amifake")
	})
	if err != nil {
		t.Fatalf("installing the amifake plugin: %v", err)
	}
}

// TestVerifyAMIInPackerBuild runs `packer build` on an artifact shaped like amazon-ebs's
// (the amifake test builder) with the AWS APIs served by the awsfake servers: a clean AMI
// is approved and kept; a dirty one is quarantined, fails the build, and Packer destroys
// the artifact (where amazon-ebs deregisters the AMI), unless a second chain keeps it.
func TestVerifyAMIInPackerBuild(t *testing.T) {
	packer := packerBinary()
	if _, err := os.Stat(packer); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no packer at %s (make tools builds it)", packer)
		}
		t.Skipf("no packer at %s (make tools builds it)", packer)
	}
	imagetest.Need(t, "mkfs.ext4", "sfdisk")
	installPlugin(t, packer)
	installAMIFake(t, packer)

	cred := t.TempDir()
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIAE2EPACKERBUILD01")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(cred, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(cred, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")

	const imageID, snapID = "ami-0abc1234def567890", "snap-0aaaaaaaaaaaaaaa1"
	for _, tc := range []struct {
		name        string
		dirty, keep bool
	}{
		{"clean", false, false},
		{"dirty", true, false},
		{"dirty, kept by a second chain", true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tree := filepath.Join(t.TempDir(), "tree")
			imagetest.WriteTree(t, tree, imagetest.Rootfs(t, tc.dirty))
			disk := awsfake.BuildDiskFromTree(t, tree, 1<<30)
			ec2, ebs, sts := awsfake.NewEC2(), awsfake.NewEBS(), awsfake.NewSTS("arn:aws:iam::111111111111:role/packer-build")
			if err := ebs.AddSnapshotFile(snapID, disk.Path); err != nil {
				t.Fatal(err)
			}
			ec2.AddImage(awsfake.Image{ID: imageID, Name: "golden", OwnerID: "111111111111",
				Devices: []awsfake.Device{{Name: "/dev/xvda", SnapshotID: snapID, SizeGiB: 1, Encrypted: true}}})

			work := t.TempDir()
			report, marker := filepath.Join(work, "report.json"), filepath.Join(work, "destroyed")
			out, err := run(work, packerEnv(work), packer, "build", "-color=false",
				"-var", "artifact_id=us-east-1:"+imageID,
				"-var", "destroy_marker="+marker,
				"-var", "report_path="+report,
				"-var", "endpoint_ec2="+awsfake.Serve(t, ec2),
				"-var", "endpoint_ebs="+awsfake.Serve(t, ebs),
				"-var", "endpoint_sts="+awsfake.Serve(t, sts),
				"-var", "keep_artifact="+map[bool]string{true: "true", false: "false"}[tc.keep],
				filepath.Join(repoRoot, "e2e", "testdata", "ami.pkr.hcl"))
			t.Logf("packer build output:\n%s", out)

			var rep struct {
				Passed   bool `json:"passed"`
				Findings []struct{ Check, Path, Source string }
			}
			b, rerr := os.ReadFile(report)
			if rerr == nil {
				rerr = json.Unmarshal(b, &rep)
			}
			if rerr != nil {
				t.Fatalf("report: %v", rerr)
			}
			if strings.Contains(out, imagetest.PlantedAWSKey) || strings.Contains(string(b), imagetest.PlantedAWSKey) {
				t.Error("the planted key reached the output or the report")
			}
			tags := ec2.ImageTags(imageID)
			_, destroyed := os.Stat(marker)
			if !tc.dirty {
				if err != nil || !rep.Passed || tags["status"] != "approved" || tags[ami.VerifiedTag] == "" || destroyed == nil {
					t.Fatalf("clean AMI: build error %v, passed %t, tags %v, destroyed %t", err, rep.Passed, tags, destroyed == nil)
				}
				return
			}
			if err == nil || rep.Passed || tags["status"] != "quarantined" || tags["security-level"] != "" {
				t.Fatalf("dirty AMI: build error %v, passed %t, tags %v", err, rep.Passed, tags)
			}
			if snap := ec2.SnapshotTags(snapID); snap["status"] != "quarantined" {
				t.Errorf("snapshot tags %v", snap)
			}
			if wantDestroyed := !tc.keep; (destroyed == nil) != wantDestroyed {
				t.Errorf("Packer destroyed the artifact: %t, want %t", destroyed == nil, wantDestroyed)
			}
			src := imageID + " snapshot " + snapID + ` partition 1 (GPT "root")`
			for _, want := range imagetest.Planted {
				found := false
				for _, f := range rep.Findings {
					found = found || (f.Check == want.Check && f.Path == want.Path && f.Source == src)
				}
				if !found {
					t.Errorf("no %s finding at %s from %s", want.Check, want.Path, src)
				}
			}
		})
	}
}
