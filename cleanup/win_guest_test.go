package cleanup

import (
	"testing"
	"testing/fstest"
)

// cleanWindowsGuest is a small Windows system drive that every Windows check passes,
// with the case NTFS gives names (which the checks must ignore).
func cleanWindowsGuest(t *testing.T) fstest.MapFS {
	_, pubLine, _ := newKey(t, "host")
	return fstest.MapFS{
		"Users/Administrator/NTUSER.DAT": file("regf"),
		"Users/Administrator/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt": file(""),
		"Users/Administrator/.ssh/known_hosts":    file("github.com " + pubLine + "\n"),
		"Users/Administrator/.ssh/id_ed25519.pub": file(pubLine + "\n"),
		"Users/Administrator/.aws/config":         file("[default]\nregion = eu-west-1\n"),
		"Users/Administrator/AppData/Local/Temp":  dir(),
		"Users/Default/NTUSER.DAT":                file("regf"),
		"Users/Public/Desktop/desktop.ini":        file("[.ShellClassInfo]\n"),
		"Users/All Users":                         link("/ProgramData"),
		"Users/Default User":                      link("/Users/Default"),
		"Windows/System32/config/systemprofile/AppData/Local/Microsoft/Credentials/DFBE70A7E5CC19A398EBF1B96859CE5D": file("dpapi"),
		"Windows/ServiceProfiles/NetworkService/NTUSER.DAT":                                                          file("regf"),
		"Windows/Temp":                 dir(),
		"Windows/Panther/setupact.log": file("setup log\n"),
		"Windows/Panther/unattend.xml": file(`<?xml version="1.0" encoding="utf-8"?>
<unattend xmlns="urn:schemas-microsoft-com:unattend">
  <settings pass="oobeSystem">
    <component name="Microsoft-Windows-Shell-Setup">
      <UserAccounts>
        <AdministratorPassword><Value>*SENSITIVE*DATA*DELETED*</Value><PlainText>true</PlainText></AdministratorPassword>
        <LocalAccounts><LocalAccount><Password><Value></Value><PlainText>true</PlainText></Password><Name>ops</Name></LocalAccount></LocalAccounts>
      </UserAccounts>
      <AutoLogon><Password><Value>UABhAHMAcwB3AG8AcgBkAA==</Value><PlainText>false</PlainText></Password><Enabled>false</Enabled></AutoLogon>
    </component>
  </settings>
</unattend>
`),
		"Windows/Setup/State/State.ini":                  file("[State]\r\nImageState=IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE\r\n"),
		"ProgramData/ssh/sshd_config":                    file("Match Group administrators\n  AuthorizedKeysFile __PROGRAMDATA__/ssh/administrators_authorized_keys\n"),
		"ProgramData/ssh/administrators_authorized_keys": file(""),
		"ProgramData/ssh/ssh_host_ed25519_key.pub":       file(pubLine + "\n"),
		"ProgramData/ssh/logs/sshd.log":                  file("sshd started\n"),
		"ProgramData/Amazon/EC2Launch/config/agent-config.yml": file(`version: 1.0
config:
  - stage: preReady
    tasks:
      - task: setAdminAccount
        inputs:
          name: Administrator
          password:
            type: random
`),
		"ProgramData/Amazon/EC2-Windows/Launch/Config/LaunchConfig.json":  file(`{"setComputerName": false, "adminPasswordType": "Random", "adminPassword": ""}`),
		"Windows/System32/Tasks/Microsoft/Windows/Defrag/ScheduledDefrag": file("<Task/>"),
	}
}

// runWinCheck runs one registered Windows check on the target.
func runWinCheck(t *testing.T, id string, target *Target) ([]Finding, error) {
	t.Helper()
	c, ok := LookupCheck(Windows, id)
	if !ok {
		t.Fatalf("Windows check %s is not registered", id)
	}
	return c.Run(target)
}
