package cleanup

var opWinCredentials = Operation{
	ID:      "credentials",
	OS:      Windows,
	Default: true,
	Summary: "Delete the Credential Manager entries of the build account (cmdkey /list, cmdkey /delete), the Credential Manager files of every profile in C:\\Users, and cloud credential files of every profile: .aws, .aliyun, .git-credentials, .netrc/_netrc, .docker\\config.json, gcloud",
	Script:  "credentials.ps1",
	Checks:  []string{"cloud-credentials"},
}
