package cleanup

var opWinTmpFiles = Operation{
	ID:      "tmp-files",
	OS:      Windows,
	Default: true,
	Summary: "Shred Packer's leftovers in Windows\\Temp (packer-ps-env-vars-*.ps1, script-*.ps1, elevated wrappers), unregister its elevated tasks, then empty Windows\\Temp and every profile's AppData\\Local\\Temp (files in use are left)",
	Script:  "tmp-files.ps1",
	Checks:  []string{"tmp-files", "packer-leftovers"},
}
