package cleanup

var opWinSysprep = Operation{
	ID:      "sysprep",
	OS:      Windows,
	Default: true,
	Summary: "Last, after the live verification: generalize and shut down with the tool sysprep_mode names (auto: EC2Launch v2, EC2Launch v1, EC2Config, else sysprep.exe /generalize /oobe /shutdown with the optional sysprep_unattend); the shutdown is success",
	Script:  "sysprep.ps1",
	Checks:  []string{"sysprep-state"},
}
