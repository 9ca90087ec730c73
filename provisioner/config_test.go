package provisioner

import (
	"context"
	"strings"
	"testing"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
)

func TestPrepare(t *testing.T) {
	tests := []struct {
		name    string
		raw     map[string]interface{}
		wantErr []string
	}{
		{name: "defaults", raw: map[string]interface{}{}},
		{name: "selection", raw: map[string]interface{}{"operations": []string{"defaults", "-logfiles", "+zero-free-space"}}},
		{name: "unknown operation names the valid ones", raw: map[string]interface{}{"operations": []string{"defaults", "-logfile"}},
			wantErr: []string{`unknown linux operation "-logfile"`, "valid: defaults, all,", "logfiles", "ssh-hostkeys"}},
		{name: "unknown check", raw: map[string]interface{}{"checks": []string{"nope"}}, wantErr: []string{`unknown linux check "nope"`}},
		{name: "every error at once", raw: map[string]interface{}{
			"fail_on": "severe", "on_residue": "ignore", "guest_os_type": "beos", "execute_command": "sh x", "remote_folder": "tmp"},
			wantErr: []string{"fail_on", "on_residue", "guest_os_type", "execute_command", "remote_folder"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var p Provisioner
			err := p.Prepare(tc.raw)
			if len(tc.wantErr) == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if !*p.config.Verify || p.config.FailOn != "medium" || p.config.RemoteFolder != "/tmp" || p.config.ExecuteCommand != DefaultExecuteCommand {
					t.Fatalf("defaults not applied: %+v", p.config)
				}
				return
			}
			if err == nil {
				t.Fatal("Prepare accepted a bad config")
			}
			for _, w := range tc.wantErr {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestProvisionRefusesNoneCommunicator(t *testing.T) {
	var p Provisioner
	if err := p.Prepare(map[string]interface{}{}); err != nil {
		t.Fatal(err)
	}
	ui := packersdk.TestUi(t)
	err := p.Provision(context.Background(), ui, new(packersdk.MockCommunicator), map[string]interface{}{"ConnType": "none"})
	if err == nil || !strings.Contains(err.Error(), `communicator = "none"`) {
		t.Fatalf("err = %v, want a refusal naming communicator none", err)
	}
}
