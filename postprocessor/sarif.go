package postprocessor

import (
	"slices"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	"github.com/goldenimage/packer-plugin-sanitize/version"
)

// A minimal SARIF 2.1.0 log: one run, one rule per check, one result per finding.
// Allowed findings carry an external suppression with the allow rule's reason; what could
// not be verified is a tool execution notification and makes the run unsuccessful.

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	ShortDescription sarifMessage `json:"shortDescription"`
	DefaultConfig    sarifConfig  `json:"defaultConfiguration"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level   string       `json:"level"`
	Message sarifMessage `json:"message"`
}

type sarifResult struct {
	RuleID       string             `json:"ruleId"`
	Level        string             `json:"level"`
	Message      sarifMessage       `json:"message"`
	Locations    []sarifLocation    `json:"locations"`
	Suppressions []sarifSuppression `json:"suppressions,omitempty"`
	Properties   map[string]string  `json:"properties"`
}

type sarifLocation struct {
	Physical sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	Artifact sarifArtifact `json:"artifactLocation"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId"`
}

type sarifSuppression struct {
	Kind          string `json:"kind"`
	Justification string `json:"justification"`
}

func sarifLevel(s cleanup.Severity) string {
	switch {
	case s >= cleanup.High:
		return "error"
	case s == cleanup.Medium:
		return "warning"
	}
	return "note"
}

func (r *Report) sarif(checks []cleanup.Check) sarifLog {
	driver := sarifDriver{Name: "sanitize-verify", Version: version.PluginVersion.FormattedVersion(),
		InformationURI: "https://github.com/goldenimage/packer-plugin-sanitize"}
	for _, c := range checks {
		if slices.ContainsFunc(driver.Rules, func(r sarifRule) bool { return r.ID == c.ID }) {
			continue // one rule per ID: tmp-files is a Linux and a Windows check
		}
		driver.Rules = append(driver.Rules, sarifRule{ID: c.ID, ShortDescription: sarifMessage{c.Summary}, DefaultConfig: sarifConfig{sarifLevel(c.Severity)}})
	}
	if r.ContentScan {
		driver.Rules = append(driver.Rules, sarifRule{ID: contentScanCheck,
			ShortDescription: sarifMessage{"No credential or private key in the files where secrets are left"},
			DefaultConfig:    sarifConfig{"error"}})
	}
	inv := sarifInvocation{ExecutionSuccessful: len(r.NotVerified) == 0}
	for _, nv := range r.NotVerified {
		text := nv.Source + ": " + nv.Error
		if nv.Check != "" {
			text = nv.Source + ": check " + nv.Check + ": " + nv.Error
		}
		inv.Notifications = append(inv.Notifications, sarifNotification{Level: "error", Message: sarifMessage{"not verified: " + text}})
	}
	for _, src := range r.Sources {
		if src.Status == statusNotRead { // said, never implied: the content was not looked at
			inv.Notifications = append(inv.Notifications, sarifNotification{Level: "warning", Message: sarifMessage{src.Path + ": " + src.Reason}})
		}
	}
	run := sarifRun{Tool: sarifTool{driver}, Invocations: []sarifInvocation{inv}, Results: []sarifResult{}}
	for _, f := range r.Findings {
		res := sarifResult{
			RuleID:  f.Check,
			Level:   sarifLevel(f.Severity),
			Message: sarifMessage{f.Path + ": " + f.Message},
			Locations: []sarifLocation{{sarifPhysical{sarifArtifact{
				URI: strings.TrimPrefix(f.Path, "/"), URIBaseID: "IMAGEROOT"}}}},
			Properties: map[string]string{"source": f.Source, "severity": f.Severity.String()},
		}
		if f.Allowed {
			res.Suppressions = []sarifSuppression{{Kind: "external", Justification: f.Reason}}
		}
		run.Results = append(run.Results, res)
	}
	return sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
}
