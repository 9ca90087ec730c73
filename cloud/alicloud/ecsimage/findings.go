package ecsimage

import (
	"fmt"
	"slices"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/cloudimage"
)

// Check IDs of the image-level findings.
const (
	CheckImagePublic = "alicloud-image-public"
	CheckImageShared = "alicloud-image-shared"
)

// CheckInfo describes one image-level check, for the docs' tables.
type CheckInfo = cloudimage.CheckInfo

// Checks is the catalogue of image-level checks.
var Checks = []CheckInfo{
	{ID: CheckImagePublic, Severity: cleanup.Critical, Summary: "The custom image is public or published as a community image (share group \"all\"): anyone can create instances from it."},
	{ID: CheckImageShared, Severity: cleanup.High, Summary: "The custom image is shared with an Alibaba Cloud account outside the allowlist."},
}

func severityOf(check string) cleanup.Severity { return cloudimage.SeverityOf(Checks, check) }

// Finding is one image-level problem; Resource is the image id with its region:
// "cn-hangzhou:m-bp1…".
type Finding = cloudimage.Finding

// Policy says who may use the image. The image owner's account is always allowed.
type Policy struct {
	// AllowedAccountIDs may create instances from the image.
	AllowedAccountIDs []string
}

// judge turns the image's visibility and share permissions into findings.
func (p Policy) judge(img *ImageReport) []Finding {
	var out []Finding
	add := func(check, msg string) {
		out = append(out, Finding{Check: check, Severity: severityOf(check), Resource: img.Ref.String(), Message: msg})
	}
	if img.Public {
		add(CheckImagePublic, "the image is public (IsPublic = true)")
	}
	for _, g := range img.ShareGroups {
		if g == "all" {
			add(CheckImagePublic, "the image is published as a community image (share group \"all\")")
		} else {
			add(CheckImageShared, fmt.Sprintf("the image is shared with the group %q", g))
		}
	}
	for _, a := range img.SharedAccounts {
		if a != img.OwnerID && !slices.Contains(p.AllowedAccountIDs, a) {
			add(CheckImageShared, fmt.Sprintf("the image is shared with account %s, which is not in allowed_account_ids", a))
		}
	}
	return out
}
