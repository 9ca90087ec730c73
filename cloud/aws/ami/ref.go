// Package ami inspects the AMIs an amazon builder produced: which EBS snapshots back
// them, whether they or their snapshots are public or shared beyond an allowlist, their
// encryption and tags; and it puts the approval or quarantine tags on them (the gate).
package ami

import (
	"fmt"
	"regexp"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/cloudimage"
)

// Ref names one AMI in one region.
type Ref = cloudimage.Ref

var (
	regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z0-9]+)+-[0-9]+$`) // us-east-1, us-gov-west-1, ap-southeast-5
	imageRE  = regexp.MustCompile(`^ami-([0-9a-f]{8}|[0-9a-f]{17})$`)
)

// ParseArtifactID reads the Id of an amazon builder's artifact, "region:ami-…" joined by
// commas (one per region the AMI was copied to). Every part must parse: a bad part is an
// error naming it, never skipped.
func ParseArtifactID(id string) ([]Ref, error) {
	return cloudimage.ParseArtifactID(id, "region:ami-…[,region:ami-…]", checkRef)
}

func checkRef(region, image string) error {
	switch {
	case !regionRE.MatchString(region):
		return fmt.Errorf("%q is not an AWS region name", region)
	case !imageRE.MatchString(image):
		return fmt.Errorf("%q is not an AMI id (ami- and 8 or 17 hex digits)", image)
	}
	return nil
}
