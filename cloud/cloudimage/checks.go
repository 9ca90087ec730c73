package cloudimage

import (
	"fmt"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// CheckInfo describes one image-level check, for the docs' tables.
type CheckInfo struct {
	ID       string
	Severity cleanup.Severity
	Summary  string
}

// SeverityOf is the severity of check in catalogue; High for a check it lacks.
func SeverityOf(catalogue []CheckInfo, check string) cleanup.Severity {
	for _, c := range catalogue {
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
	// Resource is the image or snapshot id with its region: "us-east-1:snap-0abc".
	Resource string `json:"resource"`
	Message  string `json:"message"`
}

func (f Finding) String() string {
	return fmt.Sprintf("[%s] %s: %s: %s", f.Severity, f.Check, f.Resource, f.Message)
}

// CleanupFinding puts the finding in the shape of the filesystem checks' findings, with
// the resource as the path, so one report can hold both.
func (f Finding) CleanupFinding() cleanup.Finding {
	return cleanup.Finding{Check: f.Check, Severity: f.Severity, Path: f.Resource, Message: f.Message}
}
