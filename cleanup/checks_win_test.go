package cleanup

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func TestCleanWindowsGuestPassesEveryCheck(t *testing.T) {
	target := &Target{FS: cleanWindowsGuest(t)}
	for _, c := range Checks(Windows) {
		found, err := c.Run(target)
		if err != nil || len(found) > 0 {
			t.Errorf("%s on a clean Windows guest: err=%v\n%s", c.ID, err, messages(found))
		}
	}
}

// winDirtyCase plants residue in the clean Windows guest; the check must find it (the
// clean twin is TestCleanWindowsGuestPassesEveryCheck).
type winDirtyCase struct {
	name     string
	check    string
	files    func(t *testing.T) (map[string]*fstest.MapFile, []string) // planted files, secrets
	want     []string                                                  // "Path Message" substrings
	severity Severity                                                  // of the first finding, when not the check's
}

func TestDirtyWindowsGuest(t *testing.T) {
	for _, tc := range winDirtyCases {
		t.Run(tc.check+"/"+tc.name, func(t *testing.T) {
			planted, secrets := tc.files(t)
			found, err := runWinCheck(t, tc.check, &Target{FS: with(cleanWindowsGuest(t), planted)})
			if err != nil {
				t.Fatalf("unexpected error: %v\n%s", err, messages(found))
			}
			got := pathMessages(found)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("no finding with %q in:\n%s", w, got)
				}
			}
			c, _ := LookupCheck(Windows, tc.check)
			sev := c.Severity
			if tc.severity != 0 {
				sev = tc.severity
			}
			if len(found) == 0 || found[0].Severity != sev {
				t.Errorf("want the first finding at %s, got:\n%s", sev, messages(found))
			}
			assertNoLeak(t, found, secrets...)
		})
	}
}

func files(kv ...string) map[string]*fstest.MapFile {
	m := map[string]*fstest.MapFile{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = file(kv[i+1])
	}
	return m
}

var winDirtyCases = []winDirtyCase{
	{name: "console history, other case", check: "psreadline-history",
		files: func(t *testing.T) (map[string]*fstest.MapFile, []string) {
			return files("Users/packer/appdata/roaming/microsoft/windows/powershell/psreadline/ConsoleHost_history.txt", "$env:AWS_SECRET=x\n"), nil
		},
		want: []string{"/Users/packer/appdata/roaming/microsoft/windows/powershell/psreadline/ConsoleHost_history.txt PowerShell history of profile packer, 18 bytes"}},
	{name: "LocalSystem's VS Code host", check: "psreadline-history",
		files: func(t *testing.T) (map[string]*fstest.MapFile, []string) {
			return files("Windows/System32/config/systemprofile/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/Visual Studio Code Host_history.txt", "ls\n"), nil
		},
		want: []string{"Visual Studio Code Host_history.txt PowerShell history of profile /Windows/System32/config/systemprofile"}},
	{name: "administrators_authorized_keys", check: "openssh-keys",
		files: func(t *testing.T) (map[string]*fstest.MapFile, []string) {
			_, line, _ := newKey(t, "builder@ci")
			return files("ProgramData/ssh/administrators_authorized_keys", line+"\r\n"), nil
		},
		want: []string{`/ProgramData/ssh/administrators_authorized_keys line 1 authorizes ssh-ed25519 key SHA256:`, `"builder@ci" for every administrator`}},
	{name: "host key and a profile's keys", check: "openssh-keys",
		files: func(t *testing.T) (map[string]*fstest.MapFile, []string) {
			priv, line, _ := newKey(t, "host")
			upriv, _, _ := newKey(t, "deploy")
			return files("ProgramData/ssh/ssh_host_ed25519_key", string(priv),
				"ProgramData/ssh/ssh_host_rsa_key", "not parseable",
				"Users/Default/.ssh/deploy", string(upriv),
				"Users/packer/.SSH/Authorized_Keys", line+"\nnot a key\n"), []string{string(priv), string(upriv)}
		},
		want: []string{"/ProgramData/ssh/ssh_host_ed25519_key private ssh-ed25519 key SHA256:", "/ProgramData/ssh/ssh_host_rsa_key unparseable host key file",
			"/Users/Default/.ssh/deploy private ssh-ed25519 key", "/Users/packer/.SSH/Authorized_Keys line 1 authorizes ssh-ed25519", "for profile packer",
			"Authorized_Keys line 2 is not a valid key"}},
	{name: "aws, docker and _netrc", check: "cloud-credentials",
		files: func(t *testing.T) (map[string]*fstest.MapFile, []string) {
			id, secret := fakeAWSKeyID(t), fakeAWSSecret(t)
			pw := randomString(t, alnum, 16)
			return files("Users/packer/.aws/credentials", "[default]\r\naws_access_key_id = "+id+"\r\naws_secret_access_key = "+secret+"\r\n",
				"Users/packer/_netrc", "machine git.internal login bot password "+pw+"\n",
				"Windows/ServiceProfiles/LocalService/.docker/config.json", `{"auths":{"registry.internal":{"auth":"Ym90OnB3cGFzc3dvcmQ="}}}`), []string{id, secret, pw}
		},
		want: []string{"/Users/packer/.aws/credentials aws_secret_access_key in profile [default] (line 3)", "/Users/packer/_netrc password for machine git.internal",
			"/Windows/ServiceProfiles/LocalService/.docker/config.json Docker credential for registry registry.internal"}},
	{name: "Credential Manager of a user", check: "cloud-credentials", severity: High,
		files: func(t *testing.T) (map[string]*fstest.MapFile, []string) {
			return files("Users/packer/AppData/Roaming/Microsoft/Credentials/0A1B2C", "dpapi blob"), nil
		},
		want: []string{"/Users/packer/AppData/Roaming/Microsoft/Credentials/0A1B2C Credential Manager credential of profile packer"}},
	{name: "clear-text administrator password", check: "unattend-passwords",
		files: func(t *testing.T) (map[string]*fstest.MapFile, []string) {
			return files("Windows/System32/Sysprep/Unattend.xml", unattendWith("<AdministratorPassword><Value>Hunter2-Admin</Value><PlainText>true</PlainText></AdministratorPassword>"),
				"autounattend.xml", unattendWith("<AutoLogon><Password><Value>Hunter2-Auto</Value></Password></AutoLogon>")), []string{"Hunter2"}
		},
		want: []string{"/Windows/System32/Sysprep/Unattend.xml line 6: AdministratorPassword in clear text", "/autounattend.xml line 6: AutoLogon/Password in clear text"}},
	{name: "hidden form and domain join", check: "unattend-passwords",
		files: func(t *testing.T) (map[string]*fstest.MapFile, []string) {
			hidden := HideUnattendPassword("Hunter2-Local", "Password")
			return files("Windows/Panther/Unattend/unattend.xml", unattendWith(
				"<Identification><Credentials><Domain>corp</Domain><Password>Hunter2-Join</Password></Credentials></Identification>\n"+
					"<LocalAccounts><LocalAccount><Password><Value>"+hidden+"</Value><PlainText>false</PlainText></Password></LocalAccount></LocalAccounts>")), []string{"Hunter2", hidden}
		},
		want: []string{"/Windows/Panther/Unattend/unattend.xml line 7: LocalAccount/Password in the hidden (base64, reversible) form", "line 6: Credentials/Password in clear text"}},
	{name: "static EC2Launch v2 password", check: "ec2launch-agent-config",
		files: func(t *testing.T) (map[string]*fstest.MapFile, []string) {
			return files("ProgramData/Amazon/EC2Launch/config/agent-config.yml", "config:\n  - stage: preReady\n    tasks:\n      - task: setAdminAccount\n        inputs:\n          password:\n            type: static\n            data: Hunter2-Ec2\n"), []string{"Hunter2"}
		},
		want: []string{"/ProgramData/Amazon/EC2Launch/config/agent-config.yml line 8: static administrator password"}},
	{name: "EC2Launch v1 adminPassword", check: "ec2launch-agent-config",
		files: func(t *testing.T) (map[string]*fstest.MapFile, []string) {
			return files("ProgramData/Amazon/EC2-Windows/Launch/Config/LaunchConfig.json", `{"adminPasswordType": "Specify", "adminPassword": "Hunter2-V1"}`), []string{"Hunter2"}
		},
		want: []string{`LaunchConfig.json adminPassword set (adminPasswordType "Specify")`}},
	{name: "env vars and elevated wrapper", check: "packer-leftovers", severity: Critical,
		files: func(t *testing.T) (map[string]*fstest.MapFile, []string) {
			return files("Windows/Temp/packer-ps-env-vars-5f3a.ps1", "$env:X='y'",
				"Windows/Temp/packer-elevated-shell-5f3a.ps1", "$password = 'Hunter2'",
				"Windows/Temp/script-5f3a.ps1", "Write-Host hi",
				"Windows/System32/Tasks/packer-5f3a", "<Task/>",
				"Users/packer/AppData/Local/Temp/winrmcp-0b1c.tmp", "V3JpdGU="), []string{"Hunter2"}
		},
		want: []string{"/Windows/Temp/packer-elevated-shell-5f3a.ps1 Packer's elevated wrapper", "/Windows/Temp/packer-ps-env-vars-5f3a.ps1 left by a Packer provisioner",
			"/Windows/Temp/script-5f3a.ps1 left", "/Windows/System32/Tasks/packer-5f3a left", "winrmcp-0b1c.tmp WinRM upload left by Packer in the temp folder of profile packer"}},
	{name: "temp files", check: "tmp-files",
		files: func(t *testing.T) (map[string]*fstest.MapFile, []string) {
			return files("Windows/Temp/vminst.log", "x", "Users/Administrator/AppData/Local/Temp/1/setup.exe", "MZ"), nil
		},
		want: []string{"/Windows/Temp/vminst.log temporary file", "/Users/Administrator/AppData/Local/Temp/1/setup.exe temporary file"}},
	{name: "not generalized", check: "sysprep-state",
		files: func(t *testing.T) (map[string]*fstest.MapFile, []string) {
			return files("Windows/Setup/State/State.ini", "\xff\xfe"+utf16le("[State]\r\nImageState=IMAGE_STATE_COMPLETE\r\n")), nil
		},
		want: []string{"/Windows/Setup/State/State.ini ImageState is IMAGE_STATE_COMPLETE, not IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE"}},
}

func unattendWith(inner string) string {
	return `<?xml version="1.0" encoding="utf-8"?>
<unattend xmlns="urn:schemas-microsoft-com:unattend">
  <settings pass="oobeSystem">
    <component name="Microsoft-Windows-Shell-Setup">
      <UserAccounts>
` + inner + `
      </UserAccounts>
    </component>
  </settings>
</unattend>
`
}

func utf16le(s string) string {
	var b strings.Builder
	for _, r := range s {
		b.WriteByte(byte(r))
		b.WriteByte(0)
	}
	return b.String()
}

// TestWindowsCheckDoesNotPassASymlink: an answer file that is a symlink (to a loop, to
// anywhere) is not verified: the checks follow no link, and "no such file" would pass it.
func TestWindowsCheckDoesNotPassASymlink(t *testing.T) {
	fsys := cleanWindowsGuest(t)
	fsys["Windows/Panther/unattend.xml"] = &fstest.MapFile{Data: []byte("unattend-loop.xml"), Mode: fs.ModeSymlink}
	fsys["Windows/Panther/unattend-loop.xml"] = &fstest.MapFile{Data: []byte("unattend.xml"), Mode: fs.ModeSymlink}
	_, err := checkWinUnattend.Run(&Target{FS: fsys})
	if err == nil || !strings.Contains(err.Error(), "/Windows/Panther/unattend.xml: a symbolic link, not followed") {
		t.Fatalf("err = %v; want the symlinked answer file not verified", err)
	}
}
