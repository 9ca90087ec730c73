package cleanup

import (
	"path"
	"strings"
)

// winPackerLeftovers are what Packer writes on a Windows guest: the powershell
// provisioner's script-<uuid>.ps1 and packer-ps-env-vars-<uuid>.ps1, the elevated
// wrapper packer-elevated-shell-<uuid>.ps1 (which holds elevated_password in clear) and
// its task output, the windows-shell provisioner's script.bat, the elevated scheduled task
// when it was not deleted, and this plugin's own script.
var winPackerLeftovers = []string{
	"/Windows/Temp/packer-*",
	"/Windows/Temp/script-*.ps1",
	"/Windows/Temp/script.bat",
	"/Windows/Temp/sanitize-*",
	"/Windows/System32/Tasks/packer-*",
}

// winrmcpLeftover is the temp file Packer's WinRM upload assembles a file in.
const winrmcpLeftover = "AppData/Local/Temp/winrmcp-*.tmp"

var checkWinPackerLeftovers = Check{
	ID:       "packer-leftovers",
	OS:       Windows,
	Severity: Medium,
	Summary:  "No script, env-var file, elevated wrapper (critical: it holds elevated_password) or scheduled task left by Packer's Windows provisioners in Windows\\Temp, and no WinRM upload left in a profile's Temp",
	Needs:    append(append([]string{"~/" + winrmcpLeftover}, winPackerLeftovers...), winProfileNeeds...),
	Run:      runWinPackerLeftovers,
}

func runWinPackerLeftovers(t *Target) ([]Finding, error) {
	r := newReport("packer-leftovers", Medium)
	for _, pattern := range winPackerLeftovers {
		names, err := winGlob(t.FS, pattern)
		r.fail(err)
		for _, p := range names {
			if strings.HasPrefix(strings.ToLower(path.Base(p)), "packer-elevated-shell-") {
				r.addSeverity(Critical, p, "Packer's elevated wrapper, which holds the elevated user's password")
				continue
			}
			r.add(p, "left by a Packer provisioner (matches %s)", pattern)
		}
	}
	profiles, err := winProfiles(t.FS)
	r.fail(err)
	for _, prof := range profiles {
		names, err := winGlob(t.FS, path.Join("/", prof, winrmcpLeftover))
		r.fail(err)
		for _, p := range names {
			r.add(p, "WinRM upload left by Packer in the temp folder of %s", winProfileName(prof))
		}
	}
	return r.result()
}
