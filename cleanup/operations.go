package cleanup

// operations is the catalogue, in run order. sshd-harden runs before the host keys are
// removed so that it can still validate the config; logfiles runs late so that it also
// clears what earlier operations logged; zero-free-space and remove-build-user come last.
var operations = []Operation{
	opSSHDHarden,
	opSSHHostKeys,
	opAuthorizedKeys,
	opPackerKey,
	opSSHUserKeys,
	opRootLock,
	opPasswordLock,
	opPasswdBackups,
	opCloudCredentials,
	opShellHistory,
	opCloudInit,
	opMachineID,
	opPackageCache,
	opTmpFiles,
	opLogfiles,
	opRemoveBuildUser,
	opZeroFreeSpace,
}
