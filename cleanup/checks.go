package cleanup

// checks is the catalogue of residue checks, in the order they run and are documented.
var checks = []Check{
	checkSSHHostKeys,
	checkAuthorizedKeys,
	checkPackerKey,
	checkPasswordHashes,
	checkSSHDConfig,
	checkShellHistory,
	checkPrivateKeys,
	checkCloudCredentials,
	checkSecrets,
	checkPackerLeftovers,
	checkTmpFiles,
	checkLogfiles,
	checkCloudInit,
	checkMachineID,
	checkPasswdBackups,
	checkPackageCache,
	checkBuildUser,

	checkWinPSReadLine,
	checkWinOpenSSHKeys,
	checkWinCloudCredentials,
	checkWinUnattend,
	checkWinEC2Launch,
	checkWinPackerLeftovers,
	checkWinTmpFiles,
	checkWinSysprepState,
	checkWinEventLogs,
}
