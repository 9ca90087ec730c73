package provisioner

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestParseOutput(t *testing.T) {
	archive := base64.StdEncoding.EncodeToString([]byte("tar bytes"))
	full := strings.Join([]string{
		"banner line that is not ours",
		"@@sanitize-note ssh-hostkeys removed /etc/ssh/ssh_host_ed25519_key",
		"@@sanitize-op ssh-hostkeys done 0",
		"@@sanitize-log root-lock passwd: permission denied",
		"@@sanitize-op root-lock failed 1",
		"@@sanitize-op logfiles noop 0",
		"@@sanitize-ops-end",
		"@@sanitize-archive-begin",
		archive[:4],
		archive[4:],
		"@@sanitize-archive-end",
		"@@sanitize-end",
	}, "\n")
	ids := []string{"ssh-hostkeys", "root-lock", "logfiles"}

	tests := []struct {
		name    string
		out     string
		ids     []string
		gather  bool
		wantErr string
	}{
		{name: "complete", out: full, ids: ids, gather: true},
		{name: "no end marker", out: strings.TrimSuffix(full, "@@sanitize-end"), ids: ids, gather: true, wantErr: "cut short"},
		{name: "unknown operation", out: strings.Replace(full, "logfiles noop", "bogus noop", 1), ids: ids, gather: true, wantErr: `unknown operation "bogus"`},
		{name: "missing operation", out: full, ids: append(ids, "machine-id"), gather: true, wantErr: "no result for operation machine-id"},
		{name: "bad status", out: strings.Replace(full, "logfiles noop", "logfiles maybe", 1), ids: ids, wantErr: "unknown status"},
		{name: "malformed result", out: strings.Replace(full, "logfiles noop 0", "logfiles noop", 1), ids: ids, wantErr: "malformed"},
		{name: "repeated operation", out: strings.Replace(full, "logfiles noop", "root-lock noop", 1), ids: ids, wantErr: "repeats"},
		{name: "archive expected but absent", out: "@@sanitize-op logfiles noop 0\n@@sanitize-ops-end\n@@sanitize-end\n", ids: []string{"logfiles"}, gather: true, wantErr: "no archive"},
		{name: "archive not base64", out: strings.Replace(full, archive[4:], "!!!", 1), ids: ids, gather: true, wantErr: "decoding"},
		{name: "fatal", out: "@@sanitize-fatal not root\n", ids: ids, wantErr: "not root"},
		{name: "empty", out: "", ids: ids, wantErr: "cut short"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, err := parseOutput(tc.out, tc.ids, tc.gather)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Ops) != 3 || res.Ops[0].Status != "done" || res.Ops[1].Status != "failed" || res.Ops[2].Status != "noop" {
				t.Fatalf("ops = %+v", res.Ops)
			}
			if res.Ops[0].Notes[0] != "removed /etc/ssh/ssh_host_ed25519_key" || res.Ops[1].Exit != 1 || res.Ops[1].Log[0] != "passwd: permission denied" {
				t.Fatalf("details = %+v", res.Ops)
			}
			if string(res.Archive) != "tar bytes" {
				t.Fatalf("archive = %q", res.Archive)
			}
		})
	}
}

func FuzzParseOutput(f *testing.F) {
	f.Add("@@sanitize-op a done 0\n@@sanitize-ops-end\n@@sanitize-archive-begin\nAAAA\n@@sanitize-archive-end\n@@sanitize-end\n")
	f.Add("@@sanitize-note a x\n@@sanitize-log a y\n@@sanitize-fatal z\n")
	f.Fuzz(func(t *testing.T, out string) {
		_, _ = parseOutput(out, []string{"a", "b"}, true)
	})
}
