package imagetest

import (
	"strings"
	"testing"
)

// WindowsResidue is a residue planted in the dirty Windows tree: the check that must
// name it and its path on the system drive.
type WindowsResidue struct{ Check, Path string }

// WindowsPlanted are the residues of WindowsTree(t, true), each found by one check.
var WindowsPlanted = []WindowsResidue{
	{"sysprep-state", "/Windows/Setup/State/State.ini"},
	{"unattend-passwords", "/Windows/Panther/unattend.xml"},
	{"unattend-passwords", "/Windows/System32/Sysprep/unattend.xml"},
	{"ec2launch-agent-config", "/ProgramData/Amazon/EC2Launch/config/agent-config.yml"},
	{"psreadline-history", "/Users/Administrator/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt"},
	{"openssh-keys", "/ProgramData/ssh/ssh_host_ed25519_key"},
	{"openssh-keys", "/ProgramData/ssh/administrators_authorized_keys"},
	{"packer-leftovers", "/Windows/Temp/packer-ps-env-vars-6a1f.ps1"},
	{"cloud-credentials", "/Users/Administrator/.aws/credentials"},
	{"event-logs", "/Windows/System32/winevt/Logs/Microsoft-Windows-PowerShell%4Operational.evtx"},
	{"content-scan", "/scripts/deploy.ps1"},
}

// WindowsPlantedPassword is the password planted in the dirty answer files and agent
// configuration: no output may show it.
const WindowsPlantedPassword = "Hunter2-Windows-Build"

func unattend(password string) string {
	return `<?xml version="1.0" encoding="utf-8"?>
<unattend xmlns="urn:schemas-microsoft-com:unattend">
  <settings pass="oobeSystem">
    <component name="Microsoft-Windows-Shell-Setup">
      <UserAccounts>
        <AdministratorPassword><Value>` + password + `</Value><PlainText>true</PlainText></AdministratorPassword>
      </UserAccounts>
    </component>
  </settings>
</unattend>
`
}

// WindowsTree is the system drive of a Windows Server image as Sysprep leaves it: clean,
// or (dirty) with every residue of WindowsPlanted. Event logs are EVTX files built per the
// format (see EVTX); the registry hives are placeholders.
func WindowsTree(t testing.TB, dirty bool) map[string]File {
	t.Helper()
	hostPub, hostKey := newKey(t, "system@WIN-BUILD")
	adminPub, _ := newKey(t, "builder@ci")
	files := map[string]File{
		"Windows/System32/config/SOFTWARE":                     {Data: "regf"},
		"Windows/System32/config/SYSTEM":                       {Data: "regf"},
		"Windows/System32/drivers/etc/hosts":                   {Data: "127.0.0.1 localhost\r\n"},
		"Windows/System32/Sysprep/sysprep.exe":                 {Data: "MZ"},
		"Windows/Setup/State/State.ini":                        {Data: "[State]\r\nImageState=IMAGE_STATE_GENERALIZE_RESEAL_TO_OOBE\r\n"},
		"Windows/Panther/unattend.xml":                         {Data: unattend("*SENSITIVE*DATA*DELETED*")},
		"Windows/Panther/setupact.log":                         {Data: "setup log\r\n"},
		"Windows/Temp":                                         {Dir: true},
		"Windows/System32/winevt/Logs/System.evtx":             {Data: string(EVTX(0))},
		"Windows/System32/winevt/Logs/Security.evtx":           {Data: string(EVTX(0))},
		"Windows/System32/winevt/Logs/Application.evtx":        {Data: string(EVTX(0))},
		"ProgramData/ssh/sshd_config":                          {Data: "Match Group administrators\r\n  AuthorizedKeysFile __PROGRAMDATA__/ssh/administrators_authorized_keys\r\n"},
		"ProgramData/ssh/administrators_authorized_keys":       {Data: ""},
		"ProgramData/Amazon/EC2Launch/config/agent-config.yml": {Data: "version: 1.0\nconfig:\n  - stage: preReady\n    tasks:\n      - task: setAdminAccount\n        inputs:\n          name: Administrator\n          password:\n            type: random\n"},
		"Users/Administrator/NTUSER.DAT":                       {Data: "regf"},
		"Users/Administrator/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt": {Data: ""},
		"Users/Administrator/.aws/config":  {Data: "[default]\nregion = eu-west-1\n"},
		"Users/Default/NTUSER.DAT":         {Data: "regf"},
		"Users/Public/Desktop/desktop.ini": {Data: "[.ShellClassInfo]\r\n"},
		"scripts/deploy.ps1":               {Data: "Write-Host deploying\r\n"},
	}
	if !dirty {
		return files
	}
	files["Windows/Setup/State/State.ini"] = File{Data: "[State]\r\nImageState=IMAGE_STATE_COMPLETE\r\n"}
	files["Windows/Panther/unattend.xml"] = File{Data: unattend(WindowsPlantedPassword)}
	files["Windows/System32/Sysprep/unattend.xml"] = File{Data: unattend(WindowsPlantedPassword)}
	files["ProgramData/Amazon/EC2Launch/config/agent-config.yml"] = File{Data: strings.Replace(files["ProgramData/Amazon/EC2Launch/config/agent-config.yml"].Data,
		"type: random\n", "type: static\n            data: "+WindowsPlantedPassword+"\n", 1)}
	files["Users/Administrator/AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine/ConsoleHost_history.txt"] = File{Data: "Set-AWSCredential -AccessKey " + PlantedAWSKey + "\r\n"}
	files["ProgramData/ssh/ssh_host_ed25519_key"] = File{Data: hostKey}
	files["ProgramData/ssh/ssh_host_ed25519_key.pub"] = File{Data: hostPub}
	files["ProgramData/ssh/administrators_authorized_keys"] = File{Data: adminPub}
	files["Windows/Temp/packer-ps-env-vars-6a1f.ps1"] = File{Data: "$env:PACKER_BUILDER_TYPE=\"amazon-ebs\"\r\n"}
	files["Users/Administrator/.aws/credentials"] = File{Data: "[default]\naws_access_key_id = " + PlantedAWSKey + "\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEYQ\n"}
	files["Windows/System32/winevt/Logs/Microsoft-Windows-PowerShell%4Operational.evtx"] = File{Data: string(EVTX(40))}
	files["scripts/deploy.ps1"] = File{Data: "$env:AWS_ACCESS_KEY_ID = \"" + PlantedAWSKey + "\"\r\n"}
	return files
}
