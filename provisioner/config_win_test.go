package provisioner

import (
	"strings"
	"testing"
)

func TestPrepareWindows(t *testing.T) {
	var p Provisioner
	if err := p.Prepare(map[string]interface{}{"guest_os_type": "windows", "operations": []string{"defaults", "+disk-cleanup", "-sysprep"}}); err != nil {
		t.Fatal(err)
	}
	if p.config.ExecuteCommand != DefaultWindowsExecuteCommand || p.config.RemoteFolder != DefaultWindowsRemoteFolder || p.config.SysprepMode != "auto" {
		t.Fatalf("Windows defaults not applied: %q %q %q", p.config.ExecuteCommand, p.config.RemoteFolder, p.config.SysprepMode)
	}
	// without guest_os_type the OS is known at run time: a Windows-only selection is accepted
	var q Provisioner
	if err := q.Prepare(map[string]interface{}{"operations": []string{"defaults", "disk-cleanup"}, "remote_folder": `D:\Temp`}); err != nil {
		t.Fatal(err)
	}
	q.config.applyOSDefaults("windows")
	if q.config.ExecuteCommand != DefaultWindowsExecuteCommand || q.config.RemoteFolder != `D:\Temp` {
		t.Fatalf("a WinRM connection must switch the defaults only: %q %q", q.config.ExecuteCommand, q.config.RemoteFolder)
	}

	for name, tc := range map[string]struct {
		raw  map[string]interface{}
		want []string
	}{
		"unknown everywhere": {map[string]interface{}{"operations": []string{"nope"}}, []string{`unknown linux operation "nope"`, `guest_os_type = "windows"`}},
		"linux op on windows": {map[string]interface{}{"guest_os_type": "windows", "operations": []string{"root-lock"}},
			[]string{`unknown windows operation "root-lock"`}},
		"bad mode":         {map[string]interface{}{"sysprep_mode": "ec2launch"}, []string{"sysprep_mode", "ec2launch-v2"}},
		"unattend no mode": {map[string]interface{}{"sysprep_unattend": "testdata/unattend.xml"}, []string{`sysprep_unattend: needs sysprep_mode = "generic"`}},
		"unattend missing": {map[string]interface{}{"sysprep_mode": "generic", "sysprep_unattend": "testdata/nope.xml"}, []string{"sysprep_unattend", "no such file"}},
		"bad account":      {map[string]interface{}{"remove_local_accounts": []string{"a\\b", ""}}, []string{`remove_local_accounts: "a\\b"`, `remove_local_accounts: ""`}},
		"relative folder":  {map[string]interface{}{"remote_folder": "Windows/Temp"}, []string{"remote_folder"}},
	} {
		var p Provisioner
		err := p.Prepare(tc.raw)
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q lacks %q", name, err, w)
			}
		}
	}
}
