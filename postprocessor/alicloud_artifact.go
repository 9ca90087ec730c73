package postprocessor

import (
	"fmt"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/ecsimage"
)

// alicloudBuilderID is the alicloud-ecs builder's: its artifact's Id is
// "region:m-…[,region:m-…]", one custom image per region it was copied to.
const alicloudBuilderID = "alibaba.alicloud"

// alicloudRefs tells whether the artifact is a set of Alibaba Cloud custom images to
// verify, and which. `images` win over the artifact. An alicloud-ecs artifact whose Id
// does not parse is an error; an artifact of another builder is taken for custom images
// only when it has no files and its Id parses.
func alicloudRefs(images []string, a packersdk.Artifact) ([]ecsimage.Ref, error) {
	if len(images) > 0 || a == nil {
		return nil, nil
	}
	if a.BuilderId() == alicloudBuilderID {
		refs, err := ecsimage.ParseArtifactID(a.Id())
		if err != nil {
			return nil, fmt.Errorf("sanitize-verify: the alicloud-ecs artifact (builder %s) does not name its images: %w; the artifact was NOT verified", alicloudBuilderID, err)
		}
		return refs, nil
	}
	if len(a.Files()) > 0 {
		return nil, nil
	}
	if refs, err := ecsimage.ParseArtifactID(a.Id()); err == nil {
		return refs, nil
	}
	return nil, nil
}
