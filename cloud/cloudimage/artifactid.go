// Package cloudimage holds what the clouds' image packages (aws/ami, alicloud/ecsimage)
// share: the reference to one image in one region, the parsing of a builder artifact's
// Id ("region:image" parts joined by commas, one per region the image was copied to:
// the amazon and alicloud builders both write it so), and the shape of image-level
// checks and findings.
package cloudimage

import (
	"fmt"
	"strings"
)

// Ref names one image in one region.
type Ref struct {
	Region  string `json:"region"`
	ImageID string `json:"image_id"`
}

func (r Ref) String() string { return r.Region + ":" + r.ImageID }

// ParseArtifactID splits id and checks every part's region and image id with check,
// dropping repeated parts. Every part must parse: a bad part is an error naming it, never
// skipped. want shows the expected form in errors ("region:ami-…[,region:ami-…]").
func ParseArtifactID(id, want string, check func(region, image string) error) ([]Ref, error) {
	if strings.TrimSpace(id) == "" {
		return nil, fmt.Errorf("empty artifact id: want %s", want)
	}
	var refs []Ref
	seen := map[Ref]bool{}
	parts := strings.Split(id, ",")
	for i, part := range parts {
		ref, err := parsePart(strings.TrimSpace(part), check)
		if err != nil {
			if len(parts) == 1 {
				return nil, fmt.Errorf("artifact id %q: %w", id, err)
			}
			return nil, fmt.Errorf("artifact id %q, part %d %q: %w", id, i+1, part, err)
		}
		if !seen[ref] {
			seen[ref] = true
			refs = append(refs, ref)
		}
	}
	return refs, nil
}

func parsePart(part string, check func(region, image string) error) (Ref, error) {
	region, image, ok := strings.Cut(part, ":")
	switch {
	case part == "":
		return Ref{}, fmt.Errorf("empty part")
	case !ok:
		return Ref{}, fmt.Errorf("no ':' between region and image id")
	}
	if err := check(region, image); err != nil {
		return Ref{}, err
	}
	return Ref{Region: region, ImageID: image}, nil
}
