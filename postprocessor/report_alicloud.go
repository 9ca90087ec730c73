package postprocessor

import (
	"fmt"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/ecsimage"
)

// statusNotRead marks, in the report's sources, an image whose filesystem was not read
// (alicloud_verify_mode = "metadata"): not a failure, and never a "verified".
const statusNotRead = "not read"

// What the report says of an Alibaba image's content in each mode.
const (
	contentNotVerifiedMetadata = "not verified (metadata mode): the filesystem was not read; only the caller, the image's sharing and its tags were checked"
	contentVerifiedLaunch      = "verified (launch mode): the residue checks ran over SSH on a temporary instance of the image"
)

// AlicloudImageResult describes one custom image of the artifact in the report. Its
// image-level findings are in the report's findings, with the source "m-… (region)".
type AlicloudImageResult struct {
	// Image is "region:m-…".
	Image  string `json:"image"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	// VerifyMode is alicloud_verify_mode; Content says, in words, whether the
	// filesystem was read.
	VerifyMode string `json:"verify_mode"`
	Content    string `json:"content"`
	// Caller is who the credentials belong to (sts:GetCallerIdentity).
	Caller *alicloud.Identity `json:"caller,omitempty"`
	// Details holds the image's name, owner, status, share permissions, tags (before the
	// gate) and the snapshots of its disks.
	Details *ecsimage.ImageReport `json:"details,omitempty"`
	// Instance is the temporary instance of launch mode, deleted since.
	Instance string `json:"instance,omitempty"`
	// NotChecked lists the checks launch mode does not run on a running instance.
	NotChecked []string `json:"not_checked,omitempty"`
	// Gate is what the gate does once the report is written: "approve", "quarantine",
	// or why the approval tags are removed. A failure to tag fails the build.
	Gate string `json:"gate"`
}

// alicloudSource names a custom image in findings, sources and not-verified entries.
func alicloudSource(ref ecsimage.Ref) string { return fmt.Sprintf("%s (%s)", ref.ImageID, ref.Region) }

// addAlicloudFindings puts the sharing findings of one image in the report.
func addAlicloudFindings(rep *Report, img *ecsimage.ImageReport) {
	for _, f := range img.Findings {
		rep.Findings = append(rep.Findings, Finding{Check: f.Check, Severity: f.Severity, Source: alicloudSource(img.Ref), Message: f.Message})
	}
}
