package provisioner

import (
	"encoding/base64"
	"strings"
	"testing"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

func TestGatherScript(t *testing.T) {
	checks, err := cleanup.SelectChecks(cleanup.Linux, []string{"defaults"})
	if err != nil {
		t.Fatal(err)
	}
	script, err := GatherScript(checks, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\ngather\n", "SANITIZE_FETCH_MAX='4194304'", "/etc/passwd"} {
		if !strings.Contains(script, want) {
			t.Errorf("script lacks %q", want)
		}
	}
	if strings.Contains(script, "\nrun_op ") {
		t.Error("the gather script runs an operation")
	}
}

func TestParseGathered(t *testing.T) {
	archive := base64.StdEncoding.EncodeToString([]byte("tar.gz bytes"))
	for _, tc := range []struct {
		name, out, wantErr string
	}{
		{"complete", "@@sanitize-ops-end\n@@sanitize-archive-begin\n" + archive + "\n@@sanitize-archive-end\n@@sanitize-end\n", ""},
		{"cut short", "@@sanitize-ops-end\n@@sanitize-archive-begin\n" + archive + "\n", "cut short"},
		{"no archive", "@@sanitize-ops-end\n@@sanitize-end\n", "no archive"},
		{"not root", "@@sanitize-fatal the script runs as uid 1000, not root\n", "uid 1000"},
	} {
		got, err := ParseGathered(tc.out)
		if tc.wantErr == "" {
			if err != nil || string(got) != "tar.gz bytes" {
				t.Errorf("%s: %q, %v", tc.name, got, err)
			}
		} else if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.wantErr)
		}
	}
}
