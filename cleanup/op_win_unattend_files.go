package cleanup

var opWinUnattendFiles = Operation{
	ID:      "unattend-files",
	OS:      Windows,
	Default: true,
	Summary: "Shred the answer files the installation left (unattend.xml and autounattend.xml in C:\\ and Windows\\Panther): Setup has used them, and they may hold the administrator password",
	Script:  "unattend-files.ps1",
	Checks:  []string{"unattend-passwords"},
}
