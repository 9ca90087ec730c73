package postprocessor

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
)

// AMIResult describes one AMI of the artifact in the report: who looked, what it is and
// how it is shared. Its image-level findings are in the report's findings, with the
// source "ami-… (region)" or "ami-… snapshot snap-… (region)".
type AMIResult struct {
	// AMI is "region:ami-…".
	AMI    string `json:"ami"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	// CallerARN is who the credentials belong to (sts:GetCallerIdentity).
	CallerARN string `json:"caller_arn,omitempty"`
	// Image holds the AMI's name, owner, launch permissions, tags (before the gate) and
	// every EBS snapshot with its encryption and create-volume permissions.
	Image *ami.ImageReport `json:"image,omitempty"`
}

// amiSource names an AMI in findings and not-verified entries.
func amiSource(ref ami.Ref) string { return fmt.Sprintf("%s (%s)", ref.ImageID, ref.Region) }

// snapshotSource names a snapshot of an AMI; its partitions extend it with " partition N".
func snapshotSource(ref ami.Ref, snapshotID string) string {
	return ref.ImageID + " snapshot " + snapshotID
}

// addImageFindings puts the sharing and encryption findings of one AMI in the report.
func addImageFindings(rep *Report, img *ami.ImageReport) {
	for _, f := range img.Findings {
		src := amiSource(img.Ref)
		if snap, ok := strings.CutPrefix(f.Resource, img.Ref.Region+":snap-"); ok {
			src = fmt.Sprintf("%s (%s)", snapshotSource(img.Ref, "snap-"+snap), img.Ref.Region)
		}
		rep.Findings = append(rep.Findings, Finding{Check: f.Check, Severity: f.Severity, Source: src, Message: f.Message})
	}
}

// fileDigest is "sha256:<hex>" of the report as written, so that the sanitize:verified
// tag can be matched with `sha256sum` against the report kept with the build.
func fileDigest(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}
