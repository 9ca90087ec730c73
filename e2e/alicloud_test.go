package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/alicloudfake"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/ecsimage"
)

// TestVerifyAlicloudImageInPackerBuild runs `packer build` on an artifact shaped like
// alicloud-ecs's (the amifake test builder with builder_id alibaba.alicloud), the ECS and
// STS APIs served by the alicloudfake servers: in metadata mode a private image passes
// and is approved as metadata-only, a shared one is quarantined and destroyed; in launch
// mode the fake ECS runs the instance as the harness's sshd target (with the planted
// residue), the plugin logs in with the new key pair, finds the residue, quarantines the
// image and deletes the instance and the key pair.
func TestVerifyAlicloudImageInPackerBuild(t *testing.T) {
	packer := packerBinary()
	if _, err := os.Stat(packer); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no packer at %s (make tools builds it)", packer)
		}
		t.Skipf("no packer at %s (make tools builds it)", packer)
	}
	installPlugin(t, packer)
	installAMIFake(t, packer)
	const keyID, secret = "LTAI5tE2EPACKERBUILD1", "e2e-secret"
	t.Setenv("ALICLOUD_ACCESS_KEY", keyID)
	t.Setenv("ALICLOUD_SECRET_KEY", secret)
	t.Setenv("ALICLOUD_SECURITY_TOKEN", "")

	const region, imageID = "cn-hangzhou", "m-bp1e2e00000000000001"
	for _, tc := range []struct {
		name, mode string
		shared     bool
		wantPass   bool
	}{
		{"metadata, private", "metadata", false, true},
		{"metadata, shared with a stranger", "metadata", true, false},
		{"launch, planted residue", "launch", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ecs, sts := alicloudfake.NewECS(), alicloudfake.NewSTS(alicloudfake.IdentityRAMUser, "1234567890123456")
			ecs.AddCredentials(keyID, secret, "")
			sts.AddCredentials(keyID, secret, "")
			img := alicloudfake.Image{Region: region, ID: imageID, Name: "golden", OwnerID: 1234567890123456,
				Disks: []alicloudfake.Disk{{Device: "/dev/xvda", SnapshotID: "s-bp1e2esys", Type: "system", SizeGiB: 20}}}
			if tc.shared {
				img.SharedAccounts = []string{"9999999999999999"}
			}
			ecs.AddImage(img)
			sshPort := 22
			if tc.mode == "launch" {
				tg := startTarget(t)
				sshPort = tg.port
				ecs.SetOnRun(func(l alicloudfake.Launched) error { // as cloud-init installs the key pair
					f, err := os.OpenFile(tg.path("root/.ssh/authorized_keys"), os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
					if err != nil {
						return err
					}
					defer f.Close()
					_, err = f.WriteString(l.PublicKey)
					return err
				})
			}
			work := t.TempDir()
			report, marker := filepath.Join(work, "report.json"), filepath.Join(work, "destroyed")
			out, err := run(work, packerEnv(work), packer, "build", "-color=false",
				"-var", "artifact_id="+region+":"+imageID,
				"-var", "destroy_marker="+marker,
				"-var", "report_path="+report,
				"-var", "endpoint_ecs=http://"+alicloudfake.Serve(t, ecs),
				"-var", "endpoint_sts=http://"+alicloudfake.Serve(t, sts),
				"-var", "verify_mode="+tc.mode,
				"-var", "ssh_port="+strconv.Itoa(sshPort),
				filepath.Join(repoRoot, "e2e", "testdata", "alicloud.pkr.hcl"))
			t.Logf("packer build output:\n%s", out)

			var rep struct {
				Passed         bool `json:"passed"`
				Findings       []struct{ Check, Path string }
				AlicloudImages []struct{ Status, Content, Gate, Instance string } `json:"alicloud_images"`
			}
			b, rerr := os.ReadFile(report)
			if rerr == nil {
				rerr = json.Unmarshal(b, &rep)
			}
			if rerr != nil || len(rep.AlicloudImages) != 1 {
				t.Fatalf("report: %v\n%s", rerr, b)
			}
			tags := ecs.ImageTags(region, imageID)
			_, destroyed := os.Stat(marker)
			if tc.wantPass {
				if err != nil || !rep.Passed || tags["status"] != "approved" || !strings.HasSuffix(tags[ecsimage.VerifiedTag], "metadata-only") ||
					!strings.HasPrefix(rep.AlicloudImages[0].Content, "not verified (metadata mode)") || destroyed == nil {
					t.Fatalf("build error %v, passed %t, tags %v, report %+v, destroyed %t", err, rep.Passed, tags, rep.AlicloudImages, destroyed == nil)
				}
				return
			}
			if err == nil || rep.Passed || tags["status"] != "quarantined" || destroyed != nil {
				t.Fatalf("build error %v, passed %t, tags %v, destroyed %t", err, rep.Passed, tags, destroyed == nil)
			}
			if tc.mode == "launch" {
				found := false
				for _, f := range rep.Findings {
					found = found || (f.Check == "password-hashes" && f.Path == "/etc/shadow")
				}
				if !found || rep.AlicloudImages[0].Instance == "" || rep.AlicloudImages[0].Status != "verified" {
					t.Errorf("launch mode: findings %v, image %+v", rep.Findings, rep.AlicloudImages)
				}
				if instances, keys := ecs.Live(); len(instances) != 0 || len(keys) != 0 {
					t.Errorf("left behind: instances %v, key pairs %v", instances, keys)
				}
			}
		})
	}
}
