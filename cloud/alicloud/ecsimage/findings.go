package ecsimage

import (
	"fmt"
	"slices"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// Check IDs of the image-level findings.
const (
	CheckImagePublic = "alicloud-image-public"
	CheckImageShared = "alicloud-image-shared"
)

// CheckInfo describes one image-level check, for the docs' tables.
type CheckInfo struct {
	ID       string
	Severity cleanup.Severity
	Summary  string
}

// Checks is the catalogue of image-level checks.
var Checks = []CheckInfo{
	{CheckImagePublic, cleanup.Critical, "The custom image is public or published as a community image (share group \"all\"): anyone can create instances from it."},
	{CheckImageShared, cleanup.High, "The custom image is shared with an Alibaba Cloud account outside the allowlist."},
}

func severityOf(check string) cleanup.Severity {
	for _, c := range Checks {
		if c.ID == check {
			return c.Severity
		}
	}
	return cleanup.High
}

// Finding is one image-level problem.
type Finding struct {
	Check    string           `json:"check"`
	Severity cleanup.Severity `json:"severity"`
	// Resource is the image id with its region: "cn-hangzhou:m-bp1…".
	Resource string `json:"resource"`
	Message  string `json:"message"`
}

func (f Finding) String() string {
	return fmt.Sprintf("[%s] %s: %s: %s", f.Severity, f.Check, f.Resource, f.Message)
}

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
