package postprocessor

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

func TestReportGate(t *testing.T) {
	high := Finding{Check: "ssh-host-keys", Severity: cleanup.High, Path: "/etc/ssh/ssh_host_ed25519_key", Source: "d.raw"}
	low := Finding{Check: "logfiles", Severity: cleanup.Low, Path: "/var/log/syslog", Source: "d.raw"}
	tests := []struct {
		name        string
		failOn      cleanup.Severity
		findings    []Finding
		notVerified []NotVerified
		allow       []AllowRule
		wantPassed  bool
		want        Summary
	}{
		{"nothing found", cleanup.Medium, nil, nil, nil, true, Summary{}},
		{"high fails medium", cleanup.Medium, []Finding{high, low}, nil, nil, false, Summary{Findings: 2, Failing: 1}},
		{"low passes medium", cleanup.Medium, []Finding{low}, nil, nil, true, Summary{Findings: 1}},
		{"low fails low", cleanup.Low, []Finding{low}, nil, nil, false, Summary{Findings: 1, Failing: 1}},
		{"allowed by path", cleanup.Medium, []Finding{high}, nil,
			[]AllowRule{{Path: "/etc/ssh/*", Reason: "regenerated at boot"}}, true, Summary{Findings: 1, Allowed: 1}},
		{"allowed by check", cleanup.Low, []Finding{high, low}, nil,
			[]AllowRule{{Check: "logfiles", Reason: "r"}}, false, Summary{Findings: 2, Failing: 1, Allowed: 1}},
		{"not verified always fails", cleanup.Critical, nil, []NotVerified{{Source: "d.raw partition 2", Error: "xfs is not supported yet"}},
			[]AllowRule{{Path: "/*", Reason: "r"}}, false, Summary{NotVerified: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newReport(tc.failOn, nil, false)
			r.Findings = append(r.Findings, tc.findings...)
			r.NotVerified = append(r.NotVerified, tc.notVerified...)
			r.finish(tc.allow)
			if r.Passed != tc.wantPassed || r.Summary != tc.want {
				t.Fatalf("passed %t %+v, want %t %+v", r.Passed, r.Summary, tc.wantPassed, tc.want)
			}
			for _, f := range r.Findings {
				if f.Allowed && f.Reason == "" {
					t.Errorf("allowed finding without its reason: %+v", f)
				}
			}
		})
	}
}

func TestReportFormats(t *testing.T) {
	checks, _ := cleanup.SelectChecks(cleanup.Linux, nil)
	r := newReport(cleanup.Medium, checks, true)
	r.Findings = []Finding{
		{Check: "password-hashes", Severity: cleanup.High, Path: "/etc/shadow", Source: "d.raw partition 1 (GPT)", Message: "root has a usable sha512crypt password hash (line 1)"},
		{Check: "logfiles", Severity: cleanup.Low, Path: "/var/log/x", Source: "d.raw partition 1 (GPT)", Message: "m"},
	}
	r.NotVerified = []NotVerified{{Source: "d.raw partition 2 (GPT)", Error: "not verified: xfs is not supported yet"}}
	r.finish([]AllowRule{{Check: "logfiles", Reason: "kept on purpose"}})
	dir := t.TempDir()

	jsonPath := filepath.Join(dir, "sub", "report.json")
	if err := r.write(jsonPath, "json", checks); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	readJSON(t, jsonPath, &got)
	if got["passed"] != false || got["fail_on"] != "medium" {
		t.Errorf("top level: passed=%v fail_on=%v", got["passed"], got["fail_on"])
	}
	first := got["findings"].([]any)[0].(map[string]any)
	for _, k := range []string{"check", "severity", "path", "source", "message"} {
		if first[k] == nil || first[k] == "" {
			t.Errorf("finding lacks %q: %v", k, first)
		}
	}
	allowed := got["findings"].([]any)[1].(map[string]any)
	if allowed["allowed"] != true || allowed["reason"] != "kept on purpose" {
		t.Errorf("allowed finding: %v", allowed)
	}
	if nv := got["not_verified"].([]any); len(nv) != 1 {
		t.Errorf("not_verified: %v", nv)
	}

	sarifPath := filepath.Join(dir, "report.sarif")
	if err := r.write(sarifPath, "sarif", checks); err != nil {
		t.Fatal(err)
	}
	var s sarifLog
	readJSON(t, sarifPath, &s)
	run := s.Runs[0]
	if s.Version != "2.1.0" || len(run.Results) != 2 || run.Results[0].Level != "error" || run.Results[0].RuleID != "password-hashes" {
		t.Fatalf("sarif: %+v", s)
	}
	if run.Results[0].Locations[0].Physical.Artifact.URI != "etc/shadow" || len(run.Results[1].Suppressions) != 1 {
		t.Errorf("sarif results: %+v", run.Results)
	}
	if run.Invocations[0].ExecutionSuccessful || !strings.Contains(run.Invocations[0].Notifications[0].Message.Text, "xfs") {
		t.Errorf("sarif invocation: %+v", run.Invocations)
	}
	if len(run.Tool.Driver.Rules) != len(checks)+1 {
		t.Errorf("%d rules, want one per check plus the content scan", len(run.Tool.Driver.Rules))
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v\n%s", path, err, b)
	}
}
