package postprocessor

import (
	"strings"
	"testing"
)

func TestConfigure(t *testing.T) {
	tests := []struct {
		name    string
		raw     map[string]interface{}
		check   func(t *testing.T, c *Config)
		wantErr []string
	}{
		{name: "defaults", raw: map[string]interface{}{}, check: func(t *testing.T, c *Config) {
			if c.FailOn != "medium" || c.OnResidue != "fail" || c.ReportFormat != "json" ||
				c.ReportPath != "sanitize-report.json" || !*c.ContentScan {
				t.Errorf("defaults not applied: %+v", c)
			}
		}},
		{name: "sarif changes the default report name", raw: map[string]interface{}{"report_format": "sarif"},
			check: func(t *testing.T, c *Config) {
				if c.ReportPath != "sanitize-report.sarif" {
					t.Errorf("report_path = %q", c.ReportPath)
				}
			}},
		{name: "everything set", raw: map[string]interface{}{
			"images": []string{"a.qcow2"}, "checks": []string{"defaults", "-logfiles"}, "fail_on": "high",
			"on_residue": "warn", "report_path": "out/r.json", "content_scan": false,
			"allow": []map[string]interface{}{
				{"path": "/etc/ssl/private/*", "reason": "snakeoil key, regenerated at first boot"},
				{"check": "machine-id", "reason": "systemd-firstboot resets it"},
			}},
			check: func(t *testing.T, c *Config) {
				if *c.ContentScan || c.FailOn != "high" || len(c.Allow) != 2 || c.Allow[1].Check != "machine-id" {
					t.Errorf("config not decoded: %+v", c)
				}
			}},
		{name: "unknown check names the valid ones", raw: map[string]interface{}{"checks": []string{"nope"}},
			wantErr: []string{`unknown check "nope"`, "valid: defaults, all,", "ssh-host-keys", "sysprep-state"}},
		{name: "every error at once", raw: map[string]interface{}{
			"fail_on": "severe", "on_residue": "ignore", "report_format": "xml", "images": []string{" "},
			"allow": []map[string]interface{}{
				{"reason": "no path, no check"},
				{"path": "etc/shadow"},
				{"check": "no-such-check", "reason": "x"},
				{"path": "/[", "reason": "bad glob"},
			}},
			wantErr: []string{"fail_on", "on_residue", "report_format", "images[0]",
				"allow[0]: needs a path or a check", "allow[1]: needs a reason", "allow[1]: path \"etc/shadow\" must be /-rooted",
				`allow[2]: unknown check "no-such-check"`, `allow[3]: path "/["`}},
		{name: "info is no gate", raw: map[string]interface{}{"fail_on": "info"}, wantErr: []string{"fail_on"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p PostProcessor
			err := p.Configure(tc.raw)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				tc.check(t, &p.config)
				return
			}
			if err == nil {
				t.Fatal("Configure accepted a bad config")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestAllowRuleMatches(t *testing.T) {
	tests := []struct {
		rule        AllowRule
		check, path string
		want        bool
	}{
		{AllowRule{Path: "/etc/ssl/private/*"}, "content-scan", "/etc/ssl/private/snakeoil.key", true},
		{AllowRule{Path: "/etc/ssl/private/*"}, "content-scan", "/etc/ssl/private/sub/x.key", false},
		{AllowRule{Check: "machine-id"}, "machine-id", "/etc/machine-id", true},
		{AllowRule{Check: "machine-id"}, "logfiles", "/etc/machine-id", false},
		{AllowRule{Check: "logfiles", Path: "/var/log/dpkg.log"}, "logfiles", "/var/log/dpkg.log", true},
		{AllowRule{Check: "logfiles", Path: "/var/log/dpkg.log"}, "tmp-files", "/var/log/dpkg.log", false},
		{AllowRule{Path: "/etc/[x"}, "c", "/etc/[x", true}, // a bad glob still matches itself
		{AllowRule{}, "c", "/p", false},
	}
	for _, tc := range tests {
		if got := tc.rule.matches(tc.check, tc.path); got != tc.want {
			t.Errorf("%+v matches(%s, %s) = %t, want %t", tc.rule, tc.check, tc.path, got, tc.want)
		}
	}
}
