package cleanup

var opCloudCredentials = Operation{
	ID:      "cloud-credentials",
	OS:      Linux,
	Default: true,
	Summary: "Shred cloud and tool credentials of every account: ~/.aws, ~/.aliyun, ~/.config/gcloud, .git-credentials, .docker/config.json, .netrc",
	Script:  "cloud-credentials.sh",
	Checks:  []string{"cloud-credentials"},
}
