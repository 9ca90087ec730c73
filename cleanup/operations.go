package cleanup

// operations is the catalogue, in run order. sshd-harden runs before the host keys are
// removed so that it can still validate the config; logfiles runs late so that it also
// clears what earlier operations logged; zero-free-space and remove-build-user come last.
// On Windows, logfiles also runs late, and sysprep is always the very last step: it runs
// after the live verification and shuts the machine down.
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

	opWinShellHistory,
	opWinSSHKeys,
	opWinCredentials,
	opWinUnattendFiles,
	opWinLocalAccounts,
	opWinTmpFiles,
	opWinDiskCleanup,
	opWinLogfiles,
	opWinSysprep,
}
