package ami

import (
	"fmt"
	"slices"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/cloudimage"
)

// Check IDs of the image-level findings.
const (
	CheckAMIPublic           = "ami-public"
	CheckAMIShared           = "ami-shared"
	CheckSnapshotPublic      = "snapshot-public"
	CheckSnapshotShared      = "snapshot-shared"
	CheckSnapshotUnencrypted = "snapshot-unencrypted"
)

// CheckInfo describes one image-level check, for the docs' tables.
type CheckInfo = cloudimage.CheckInfo

// Checks is the catalogue of image-level checks.
var Checks = []CheckInfo{
	{ID: CheckAMIPublic, Severity: cleanup.Critical, Summary: "The AMI's launchPermission includes the group \"all\": anyone can launch it."},
	{ID: CheckAMIShared, Severity: cleanup.High, Summary: "The AMI can be launched by an account, organization or OU outside the allowlist."},
	{ID: CheckSnapshotPublic, Severity: cleanup.Critical, Summary: "A snapshot of the AMI is public: anyone can create a volume from it and read every byte."},
	{ID: CheckSnapshotShared, Severity: cleanup.High, Summary: "A snapshot of the AMI can be used by an account outside the allowlist."},
	{ID: CheckSnapshotUnencrypted, Severity: cleanup.Low, Summary: "A snapshot of the AMI is not encrypted."},
}

func severityOf(check string) cleanup.Severity { return cloudimage.SeverityOf(Checks, check) }

// Finding is one image-level problem; Resource is the AMI or snapshot id with its
// region: "us-east-1:snap-0abc".
type Finding = cloudimage.Finding

// Policy says who may use the image. The image owner's account is always allowed.
type Policy struct {
	// AllowedAccountIDs may launch the AMI and use its snapshots.
	AllowedAccountIDs []string
	// AllowedOrganizationARNs lists organizations (arn:aws:organizations::…:organization/o-…)
	// and OUs (…:ou/o-…/ou-…) that may launch the AMI. An OU inside an allowed
	// organization is allowed.
	AllowedOrganizationARNs []string
}

func (p Policy) accountAllowed(id string) bool { return slices.Contains(p.AllowedAccountIDs, id) }

func (p Policy) orgAllowed(arn string) bool {
	if slices.Contains(p.AllowedOrganizationARNs, arn) {
		return true
	}
	org := orgIDOf(arn)
	if org == "" {
		return false
	}
	for _, allowed := range p.AllowedOrganizationARNs {
		if strings.Contains(allowed, ":organization/") && orgIDOf(allowed) == org {
			return true
		}
	}
	return false
}

// orgIDOf returns the o-… id of an organization or OU ARN, or "".
func orgIDOf(arn string) string {
	_, rest, ok := strings.Cut(arn, ":organization/")
	if !ok {
		_, rest, ok = strings.Cut(arn, ":ou/")
	}
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	if !strings.HasPrefix(id, "o-") {
		return ""
	}
	return id
}

// Permission is one entry of launchPermission or createVolumePermission.
type Permission struct {
	Group                 string `json:"group,omitempty"`
	UserID                string `json:"user_id,omitempty"`
	OrganizationARN       string `json:"organization_arn,omitempty"`
	OrganizationalUnitARN string `json:"organizational_unit_arn,omitempty"`
}

// judge turns permissions into findings: public and shared checks for one resource.
func (p Policy) judge(perms []Permission, publicCheck, sharedCheck, resource, noun string) []Finding {
	var out []Finding
	add := func(check, msg string) {
		out = append(out, Finding{Check: check, Severity: severityOf(check), Resource: resource, Message: msg})
	}
	for _, perm := range perms {
		switch {
		case perm.Group == "all":
			add(publicCheck, fmt.Sprintf("%s is public (permission group \"all\")", noun))
		case perm.Group != "":
			add(sharedCheck, fmt.Sprintf("%s is shared with the group %q", noun, perm.Group))
		case perm.UserID != "" && !p.accountAllowed(perm.UserID):
			add(sharedCheck, fmt.Sprintf("%s is shared with account %s, which is not in allowed_account_ids", noun, perm.UserID))
		case perm.OrganizationARN != "" && !p.orgAllowed(perm.OrganizationARN):
			add(sharedCheck, fmt.Sprintf("%s is shared with organization %s, which is not allowed", noun, perm.OrganizationARN))
		case perm.OrganizationalUnitARN != "" && !p.orgAllowed(perm.OrganizationalUnitARN):
			add(sharedCheck, fmt.Sprintf("%s is shared with organizational unit %s, which is not allowed", noun, perm.OrganizationalUnitARN))
		}
	}
	return out
}
