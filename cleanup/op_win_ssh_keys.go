package cleanup

var opWinSSHKeys = Operation{
	ID:      "ssh-keys",
	OS:      Windows,
	Default: true,
	Summary: "Empty C:\\ProgramData\\ssh\\administrators_authorized_keys (its ACL kept), shred the OpenSSH host keys (ssh_host_*_key*; sshd makes new ones when it starts without them), empty authorized_keys and shred private keys in every profile's .ssh",
	Script:  "ssh-keys.ps1",
	Checks:  []string{"openssh-keys"},
}
