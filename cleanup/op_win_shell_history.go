package cleanup

var opWinShellHistory = Operation{
	ID:      "shell-history",
	OS:      Windows,
	Default: true,
	Summary: "Clear-History and shred the PSReadLine history (ConsoleHost_history.txt and every other host's) of every profile under C:\\Users, LocalSystem's and the service profiles",
	Script:  "shell-history.ps1",
	Checks:  []string{"psreadline-history"},
}
