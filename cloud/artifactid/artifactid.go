// Package artifactid splits the Id of a cloud builder's artifact: "region:image" parts
// joined by commas, one per region the image was copied to (the amazon and alicloud
// builders both write it so).
package artifactid

import (
	"fmt"
	"strings"
)

// Parse splits id and parses every part with parse, dropping repeated parts. Every part
// must parse: a bad part is an error naming it, never skipped. want shows the expected
// form in errors ("region:ami-…[,region:ami-…]").
func Parse[R comparable](id, want string, parse func(region, image string) (R, error)) ([]R, error) {
	if strings.TrimSpace(id) == "" {
		return nil, fmt.Errorf("empty artifact id: want %s", want)
	}
	var refs []R
	seen := map[R]bool{}
	parts := strings.Split(id, ",")
	for i, part := range parts {
		ref, err := parsePart(strings.TrimSpace(part), parse)
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

func parsePart[R comparable](part string, parse func(region, image string) (R, error)) (R, error) {
	var zero R
	region, image, ok := strings.Cut(part, ":")
	switch {
	case part == "":
		return zero, fmt.Errorf("empty part")
	case !ok:
		return zero, fmt.Errorf("no ':' between region and image id")
	}
	return parse(region, image)
}
