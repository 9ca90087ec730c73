package postprocessor

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// Report is what sanitize-verify writes to report_path (as JSON, or converted to SARIF).
type Report struct {
	// Passed is false when a finding that is not allowed reaches fail_on, or when any
	// source, volume or check could not be verified.
	Passed      bool             `json:"passed"`
	FailOn      cleanup.Severity `json:"fail_on"`
	Findings    []Finding        `json:"findings"`
	NotVerified []NotVerified    `json:"not_verified"`
	Sources     []SourceResult   `json:"sources"`
	Checks      []string         `json:"checks"`
	ContentScan bool             `json:"content_scan"`
	Summary     Summary          `json:"summary"`
	Time        time.Time        `json:"time"`

	// AWSImages describes the AMIs of an amazon builder's artifact (see report_aws.go).
	AWSImages []AMIResult `json:"aws_images,omitempty"`
	// AlicloudImages describes the custom images of an alicloud-ecs artifact, with what
	// of each was verified (see report_alicloud.go).
	AlicloudImages []AlicloudImageResult `json:"alicloud_images,omitempty"`
}

// Finding is one piece of residue found in an image. Messages never hold a secret.
type Finding struct {
	Check    string           `json:"check"`
	Severity cleanup.Severity `json:"severity"`
	// Path is /-rooted, inside the image.
	Path string `json:"path"`
	// Source names the image file and the partition.
	Source  string `json:"source"`
	Message string `json:"message"`
	Allowed bool   `json:"allowed,omitempty"`
	Reason  string `json:"reason,omitempty"`
}

// NotVerified is something that could not be looked at: an image, a volume, or one check
// on one volume. Each one fails the build.
type NotVerified struct {
	Source string `json:"source"`
	Check  string `json:"check,omitempty"`
	Error  string `json:"error"`
}

// SourceResult describes one image file.
type SourceResult struct {
	Path           string         `json:"path"`
	Format         string         `json:"format,omitempty"`
	PartitionTable string         `json:"partition_table,omitempty"`
	Status         string         `json:"status"`
	Reason         string         `json:"reason,omitempty"`
	Volumes        []VolumeResult `json:"volumes,omitempty"`
}

// VolumeResult describes one filesystem (or partition) of an image.
type VolumeResult struct {
	Source     string `json:"source"`
	Filesystem string `json:"filesystem,omitempty"`
	Status     string `json:"status"`
	Reason     string `json:"reason,omitempty"`
	Findings   int    `json:"findings"`
}

// Summary counts what the report holds.
type Summary struct {
	Findings    int `json:"findings"`
	Failing     int `json:"failing"`
	Allowed     int `json:"allowed"`
	NotVerified int `json:"not_verified"`
}

func newReport(failOn cleanup.Severity, checks []cleanup.Check, contentScan bool) *Report {
	r := &Report{FailOn: failOn, ContentScan: contentScan, Findings: []Finding{}, NotVerified: []NotVerified{},
		Sources: []SourceResult{}, Checks: []string{}, Time: time.Now().UTC()}
	for _, c := range checks {
		if !slices.Contains(r.Checks, c.ID) { // tmp-files is a Linux and a Windows check
			r.Checks = append(r.Checks, c.ID)
		}
	}
	if contentScan {
		r.Checks = append(r.Checks, contentScanCheck)
	}
	return r
}

// finish applies the allow rules, sorts the findings (most severe first) and decides.
func (r *Report) finish(allow []AllowRule) {
	for i := range r.Findings {
		f := &r.Findings[i]
		for _, a := range allow {
			if a.matches(f.Check, f.Path) {
				f.Allowed, f.Reason = true, a.Reason
				break
			}
		}
	}
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := r.Findings[i], r.Findings[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Source != b.Source {
			return a.Source < b.Source
		}
		return a.Path < b.Path
	})
	r.Summary = Summary{Findings: len(r.Findings), NotVerified: len(r.NotVerified)}
	for _, f := range r.Findings {
		switch {
		case f.Allowed:
			r.Summary.Allowed++
		case f.Severity >= r.FailOn:
			r.Summary.Failing++
		}
	}
	r.Passed = r.Summary.Failing == 0 && r.Summary.NotVerified == 0
}

// failing tells whether a finding counts against the gate.
func (r *Report) failing(f Finding) bool { return !f.Allowed && f.Severity >= r.FailOn }

// write stores the report as JSON or SARIF, through a temporary file so that a reader
// never sees half a report.
func (r *Report) write(path, format string, checks []cleanup.Check) error {
	var v any = r
	if format == "sarif" {
		v = r.sarif(checks)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(b, '\n'), 0o600); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
