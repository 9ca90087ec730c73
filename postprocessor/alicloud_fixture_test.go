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

// startAliFakes serves the fakes holding the golden image (edit changes it first), the
// caller being of identityType.
func startAliFakes(t testing.TB, identityType string, edit func(*alicloudfake.Image)) *aliFakes {
	t.Helper()
	img := alicloudfake.GoldenImage(aliRegion, aliImage,
		alicloudfake.Disk{Device: "/dev/xvda", SnapshotID: aliSysSnap, Type: "system", SizeGiB: 40},
		alicloudfake.Disk{Device: "/dev/xvdb", SnapshotID: aliDataSnap, Type: "data", SizeGiB: 20})
	if edit != nil {
		edit(&img)
	}
	p := alicloudfake.StartPair(t, alicloudfake.Account{KeyID: aliKeyID, Secret: aliSecret, Owner: aliOwner, IdentityType: identityType}, img)
	return &aliFakes{ecs: p.ECS, sts: p.STS,
		alicloud: map[string]interface{}{"endpoint_ecs": p.ECSEndpoint, "endpoint_sts": p.STSEndpoint}}
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
