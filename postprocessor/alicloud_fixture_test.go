package postprocessor

import (
	"testing"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/alicloudfake"
)

// Accounts, images and snapshots of the Alibaba Cloud tests.
const (
	aliOwner    = "1234567890123456"
	aliPartner  = "2222222222222222"
	aliStranger = "9999999999999999"
	aliRegion   = "cn-hangzhou"
	aliImage    = "m-bp1g7004ksh0oeuco1ab"
	aliSysSnap  = "s-bp1sys0000000000000a"
	aliDataSnap = "s-bp1data000000000000b"
	aliKeyID    = "LTAI5tPOSTPROCESSTEST1"
	aliSecret   = "post-process-test-secret"
)

// aliFakes is one set of fakes (ECS, STS) on 127.0.0.1, spoken to by the real SDK
// clients of the post-processor, with credentials from ALICLOUD_* only.
type aliFakes struct {
	ecs      *alicloudfake.ECS
	sts      *alicloudfake.STS
	alicloud map[string]interface{}
}

func startAliFakes(t testing.TB, identityType string, edit func(*alicloudfake.Image)) *aliFakes {
	t.Helper()
	t.Setenv("ALICLOUD_ACCESS_KEY", aliKeyID)
	t.Setenv("ALICLOUD_SECRET_KEY", aliSecret)
	t.Setenv("ALICLOUD_SECURITY_TOKEN", "")
	f := &aliFakes{ecs: alicloudfake.NewECS(), sts: alicloudfake.NewSTS(identityType, aliOwner)}
	f.ecs.AddCredentials(aliKeyID, aliSecret, "")
	f.sts.AddCredentials(aliKeyID, aliSecret, "")
	img := alicloudfake.Image{Region: aliRegion, ID: aliImage, Name: "golden-debian", OwnerID: 1234567890123456,
		Disks: []alicloudfake.Disk{{Device: "/dev/xvda", SnapshotID: aliSysSnap, Type: "system", SizeGiB: 40},
			{Device: "/dev/xvdb", SnapshotID: aliDataSnap, Type: "data", SizeGiB: 20}},
		Tags: map[string]string{"team": "platform"}}
	if edit != nil {
		edit(&img)
	}
	f.ecs.AddImage(img)
	f.alicloud = map[string]interface{}{
		"endpoint_ecs": "http://" + alicloudfake.Serve(t, f.ecs),
		"endpoint_sts": "http://" + alicloudfake.Serve(t, f.sts),
	}
	return f
}

// run post-processes an alicloud-ecs artifact whose Id is id, polling fast.
func (f *aliFakes) run(t testing.TB, id string, cfg map[string]interface{}) amiRun {
	t.Helper()
	return runOnArtifact(t, alicloudBuilderID, id, cfg, "alicloud", f.alicloud, func(p *PostProcessor) {
		p.config.Alicloud.poll = 50 * time.Millisecond
	})
}

// tagsOf returns the tags of the image and of both snapshots, by resource id.
func (f *aliFakes) tagsOf() map[string]map[string]string {
	return map[string]map[string]string{aliImage: f.ecs.ImageTags(aliRegion, aliImage),
		aliSysSnap: f.ecs.SnapshotTags(aliSysSnap), aliDataSnap: f.ecs.SnapshotTags(aliDataSnap)}
}

// tagCalls counts the TagResources and UntagResources calls.
func (f *aliFakes) tagCalls() int {
	n := 0
	for _, a := range f.ecs.Actions() {
		if a == "TagResources" || a == "UntagResources" {
			n++
		}
	}
	return n
}
