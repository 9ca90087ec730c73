package provisioner

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"unicode"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// applyOSDefaults fills execute_command and remote_folder for a guest OS ("" is Linux
// until a WinRM connection says otherwise), leaving what the user set alone.
func (c *Config) applyOSDefaults(osType cleanup.OS) {
	command, folder := DefaultExecuteCommand, DefaultRemoteFolder
	if osType == cleanup.Windows {
		command, folder = DefaultWindowsExecuteCommand, DefaultWindowsRemoteFolder
	}
	if c.defaultedCommand {
		c.ExecuteCommand = command
	}
	if c.defaultedFolder {
		c.RemoteFolder = folder
	}
}

// validateSelections checks operations and checks against the guest OS's catalogue. When
// guest_os_type is not set the OS is known only at run time (WinRM means Windows): a
// selection is accepted when either catalogue knows it, and resolved again then.
func (c *Config) validateSelections() []error {
	oses := []cleanup.OS{cleanup.OS(c.GuestOSType)}
	if c.GuestOSType == "" {
		oses = []cleanup.OS{cleanup.Linux, cleanup.Windows}
	}
	var errs []error
	for _, sel := range []struct {
		name    string
		resolve func(cleanup.OS) error
	}{
		{"operations", func(o cleanup.OS) error { _, err := cleanup.SelectOperations(o, c.Operations); return err }},
		{"checks", func(o cleanup.OS) error { _, err := cleanup.SelectChecks(o, c.Checks); return err }},
	} {
		var first error
		for _, o := range oses {
			err := sel.resolve(o)
			if err == nil {
				first = nil
				break
			}
			if first == nil {
				first = err
			}
		}
		if first != nil {
			if len(oses) > 1 {
				first = fmt.Errorf("%w (for a Windows guest over SSH, set guest_os_type = \"windows\")", first)
			}
			errs = append(errs, fmt.Errorf("%s: %w", sel.name, first))
		}
	}
	return errs
}

// prepareWindows validates the Windows options and reads sysprep_unattend.
func (c *Config) prepareWindows() []error {
	var errs []error
	if !slices.Contains(sysprepModes, c.SysprepMode) {
		errs = append(errs, fmt.Errorf("sysprep_mode: %q is not one of %s", c.SysprepMode, strings.Join(sysprepModes, ", ")))
	}
	for _, name := range c.RemoveLocalAccounts {
		if strings.TrimSpace(name) == "" || strings.IndexFunc(name, unicode.IsControl) >= 0 || strings.ContainsAny(name, `"/\[]:;|=,+*?<>@`) {
			errs = append(errs, fmt.Errorf("remove_local_accounts: %q is not a local account name", name))
		}
	}
	if c.SysprepUnattend == "" {
		return errs
	}
	if c.SysprepMode != "generic" {
		errs = append(errs, fmt.Errorf("sysprep_unattend: needs sysprep_mode = \"generic\" (the EC2 agents bring their own answer file), not %q", c.SysprepMode))
	}
	data, err := os.ReadFile(c.SysprepUnattend)
	if err != nil {
		return append(errs, fmt.Errorf("sysprep_unattend: %w", err))
	}
	hidden, err := hideUnattendPasswords(data)
	if err != nil {
		return append(errs, fmt.Errorf("sysprep_unattend %s: %w", c.SysprepUnattend, err))
	}
	c.unattend = hidden
	return errs
}

// absoluteRemotePath accepts "/tmp", "C:/Windows/Temp" and `C:\Windows\Temp`.
func absoluteRemotePath(p string) bool {
	if strings.HasPrefix(p, "/") {
		return true
	}
	return len(p) >= 3 && unicode.IsLetter(rune(p[0])) && p[1] == ':' && (p[2] == '/' || p[2] == '\\')
}
