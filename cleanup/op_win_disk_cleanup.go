package cleanup

var opWinDiskCleanup = Operation{
	ID:      "disk-cleanup",
	OS:      Windows,
	Default: false,
	Summary: "Run Disk Cleanup (cleanmgr /sagerun) with every handler ticked in a prepared sageset; needs cleanmgr.exe (Desktop Experience)",
	Script:  "disk-cleanup.ps1",
	Checks:  nil,
}
