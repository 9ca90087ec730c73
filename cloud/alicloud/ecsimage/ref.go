// Package ecsimage inspects the custom images an alicloud-ecs build produced: which
// snapshots back them, whether they are public, published as community images or
// shared beyond an allowlist, and their tags; and it puts the approval or quarantine
// tags on them and their snapshots (the gate).
package ecsimage

import (
	"fmt"
	"regexp"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/cloudimage"
)

// Ref names one custom image in one region.
type Ref = cloudimage.Ref

var (
	regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z0-9]+)+$`) // cn-hangzhou, ap-southeast-1, cn-shanghai-finance-1
	imageRE  = regexp.MustCompile(`^m-[a-z0-9]{8,40}$`)
)

// ParseArtifactID reads the Id of an alicloud-ecs artifact, "region:m-…" joined by
// commas (one per region the image was copied to). Every part must parse: a bad part is
// an error naming it, never skipped.
func ParseArtifactID(id string) ([]Ref, error) {
	return cloudimage.ParseArtifactID(id, "region:m-…[,region:m-…]", checkRef)
}

func checkRef(region, image string) error {
	switch {
	case !regionRE.MatchString(region):
		return fmt.Errorf("%q is not an Alibaba Cloud region id", region)
	case !imageRE.MatchString(image):
		return fmt.Errorf("%q is not a custom image id (m- and 8 to 40 lower-case letters or digits)", image)
	}
	return nil
}
