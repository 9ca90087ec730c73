package cleanup

var opWinLogfiles = Operation{
	ID:      "logfiles",
	OS:      Windows,
	Default: true,
	Summary: "Clear every event log (wevtutil el, wevtutil cl each); enabled analytic and debug channels cannot be cleared and are listed",
	Script:  "logfiles.ps1",
	Checks:  []string{"event-logs"},
}
