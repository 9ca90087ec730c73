package cleanup

var opWinLocalAccounts = Operation{
	ID:      "local-accounts",
	OS:      Windows,
	Default: true,
	Summary: "Remove the local accounts listed in remove_local_accounts with their profiles, and disable the Guest account",
	Script:  "local-accounts.ps1",
	Checks:  nil,
}
