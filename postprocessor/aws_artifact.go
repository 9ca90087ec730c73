package postprocessor

import (
	"fmt"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
)

// amiBuilders are the artifacts whose Id is "region:ami-…[,region:ami-…]" (one AMI per
// region it was copied to): the amazon plugin's AMI builders and its amazon-import
// post-processor. amazon-instance makes instance-store AMIs, which have no EBS snapshot
// to read: they are reported as not verified.
var amiBuilders = map[string]string{
	"mitchellh.amazonebs":                 "amazon-ebs",
	"mitchellh.amazon.ebssurrogate":       "amazon-ebssurrogate",
	"mitchellh.amazon.chroot":             "amazon-chroot",
	"mitchellh.amazon.instance":           "amazon-instance",
	"packer.post-processor.amazon-import": "amazon-import",
}

// ebsVolumeBuilder makes EBS volumes and snapshots, not AMIs: its Id lists vol-… and snap-….
const ebsVolumeBuilder = "mitchellh.amazon.ebsvolume"

// amiRefs tells whether the artifact is a set of AMIs to verify, and which. `images`
// win over the artifact. An amazon builder's artifact whose Id does not parse is an
// error, never a fall-back to its (absent) files; an artifact of another builder is
// taken for AMIs only when it has no files and its Id parses.
func amiRefs(images []string, a packersdk.Artifact) ([]ami.Ref, error) {
	if len(images) > 0 || a == nil {
		return nil, nil
	}
	id := a.BuilderId()
	if name, ok := amiBuilders[id]; ok {
		refs, err := ami.ParseArtifactID(a.Id())
		if err != nil {
			return nil, fmt.Errorf("sanitize-verify: the %s artifact (builder %s) does not name its AMIs: %w; the artifact was NOT verified", name, id, err)
		}
		return refs, nil
	}
	if id == ebsVolumeBuilder {
		return nil, fmt.Errorf("sanitize-verify: the amazon-ebsvolume artifact (%s) holds EBS volumes and snapshots, not AMIs: "+
			"verifying them is not supported yet; the artifact was NOT verified", a.Id())
	}
	if len(a.Files()) > 0 {
		return nil, nil
	}
	if refs, err := ami.ParseArtifactID(a.Id()); err == nil {
		return refs, nil
	}
	return nil, nil
}

func artifactID(a packersdk.Artifact) string {
	if a == nil {
		return ""
	}
	return a.Id()
}
