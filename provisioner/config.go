//go:generate packer-sdc mapstructure-to-hcl2 -type Config
//go:generate packer-sdc struct-markdown

package provisioner

import (
	"fmt"
	"strings"

	"github.com/hashicorp/packer-plugin-sdk/common"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/config"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// DefaultExecuteCommand runs the script as root: directly when the communicator logs in as
// root, else through `sudo -n`, which fails at once instead of waiting for a password.
const DefaultExecuteCommand = `sh -c 'if [ "$(id -u)" = 0 ]; then exec sh "$1"; else exec sudo -n sh "$1"; fi' sanitize '{{.Path}}'`

// DefaultWindowsExecuteCommand runs the script as Packer's powershell provisioner does. The
// sessions of administrators over WinRM and OpenSSH are already elevated.
const DefaultWindowsExecuteCommand = `powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -File "{{.Path}}"`

// Default upload folders per guest OS.
const (
	DefaultRemoteFolder        = "/tmp"
	DefaultWindowsRemoteFolder = "C:/Windows/Temp"
)

// sysprepModes are the values of sysprep_mode.
var sysprepModes = []string{"auto", "ec2launch-v2", "ec2launch-v1", "ec2config", "generic", "none"}

type Config struct {
	common.PackerConfig `mapstructure:",squash"`

	// The cleanup operations to run, virt-sysprep style, resolved left to right:
	// `defaults` (every default operation), `all`, `ID` or `+ID` to add one, `-ID` to drop
	// one. Default: `["defaults"]`. An unknown ID is an error that lists the valid ones.
	Operations []string `mapstructure:"operations"`
	// The residue checks run on the live guest after the cleanup, in the same syntax
	// (`defaults` is every check that is not optional). The checks that prove the selected
	// operations are always added. Default: `["defaults"]`.
	Checks []string `mapstructure:"checks"`
	// `linux` or `windows`. Default: `windows` for a WinRM connection, else `linux`.
	GuestOSType string `mapstructure:"guest_os_type"`
	// The command that runs the uploaded script; `{{.Path}}` is its path on the guest. It
	// must run the script as root (Linux) or elevated (Windows). Default on Linux: run it
	// with `sh`, through `sudo -n` unless the communicator is already root. Default on
	// Windows: `powershell -NoProfile -NonInteractive -ExecutionPolicy Bypass -File
	// "{{.Path}}"`.
	ExecuteCommand string `mapstructure:"execute_command"`
	// Where the script is uploaded. Default: `/tmp` on Linux, `C:/Windows/Temp` on Windows.
	RemoteFolder string `mapstructure:"remote_folder"`
	// Verify the live guest after the cleanup and fail the build when residue is left.
	// Default: `true`.
	Verify *bool `mapstructure:"verify"`
	// The lowest finding severity that fails the build: `low`, `medium`, `high` or
	// `critical`. Default: `medium`. A check that cannot look always fails it.
	FailOn string `mapstructure:"fail_on"`
	// What to do when the verification finds residue at or above `fail_on`: `fail` (default)
	// or `warn` (show the findings and go on).
	OnResidue string `mapstructure:"on_residue"`
	// What to do when an operation fails on the guest: `fail` (default) or `warn`.
	OnOperationError string `mapstructure:"on_operation_error"`
	// Accounts whose password hash is intended (for example a console account): the
	// password-lock operation and the password-hashes check leave them alone.
	KeepPasswords []string `mapstructure:"keep_passwords"`
	// Also put `UseDNS no` in sshd_config (sshd-harden). Default: `false`.
	SSHDUseDNSNo bool `mapstructure:"sshd_use_dns_no"`
	// Files above this size are listed but not fetched for the live verification; a check
	// that needs one reports it as not verified. Default: `4194304` (4 MiB).
	FetchMaxBytes int64 `mapstructure:"fetch_max_bytes"`
	// Write the live verification's findings as JSON to this path on the machine running
	// Packer. Default: no report file.
	ReportPath string `mapstructure:"report_path"`
	// Windows: how the `sysprep` operation generalizes the image and shuts it down, after
	// the live verification: `ec2launch-v2` (`ec2launch.exe sysprep --clean --shutdown`),
	// `ec2launch-v1` (`InitializeInstance.ps1 -Schedule`, then `SysprepInstance.ps1`),
	// `ec2config` (`ec2config.exe -sysprep`), `generic` (`sysprep.exe /generalize /oobe
	// /shutdown /quiet`), `none` (no Sysprep: same as dropping the `sysprep` operation), or
	// `auto` (default): the first of the EC2 agents installed, else `generic`.
	SysprepMode string `mapstructure:"sysprep_mode"`
	// Windows, `sysprep_mode = "generic"`: an answer file on the machine running Packer that
	// Sysprep uses (`/unattend:`). Its clear-text passwords are put in Windows' hidden form
	// before the upload; Windows Setup replaces them with `*SENSITIVE*DATA*DELETED*` once
	// used, and a line added to `SetupComplete.cmd` deletes the file after the first boot.
	// A password Windows only reads in clear text (such as a domain join's
	// `Credentials/Password`) is refused.
	SysprepUnattend string `mapstructure:"sysprep_unattend"`
	// Windows: local accounts that the `local-accounts` operation removes, with their
	// profiles. The account the build runs as cannot be one of them.
	RemoveLocalAccounts []string `mapstructure:"remove_local_accounts"`

	ctx interpolate.Context
	// the answer file of sysprep_unattend, passwords hidden
	unattend []byte
	// execute_command and remote_folder were not set: the Windows defaults replace the Linux
	// ones when a WinRM connection makes the guest a Windows one
	defaultedCommand, defaultedFolder bool
}

func (c *Config) prepare(raws ...interface{}) error {
	err := config.Decode(c, &config.DecodeOpts{
		PluginType:         "sanitize",
		Interpolate:        true,
		InterpolateContext: &c.ctx,
		InterpolateFilter: &interpolate.RenderFilter{
			Exclude: []string{"execute_command"},
		},
	}, raws...)
	if err != nil {
		return err
	}

	c.defaultedCommand, c.defaultedFolder = c.ExecuteCommand == "", c.RemoteFolder == ""
	c.applyOSDefaults(cleanup.OS(c.GuestOSType))
	if c.SysprepMode == "" {
		c.SysprepMode = "auto"
	}
	if c.Verify == nil {
		t := true
		c.Verify = &t
	}
	if c.FailOn == "" {
		c.FailOn = "medium"
	}
	if c.OnResidue == "" {
		c.OnResidue = "fail"
	}
	if c.OnOperationError == "" {
		c.OnOperationError = "fail"
	}
	if c.FetchMaxBytes == 0 {
		c.FetchMaxBytes = DefaultFetchMaxBytes
	}

	var errs *packersdk.MultiError
	if c.GuestOSType != "" && c.GuestOSType != string(cleanup.Linux) && c.GuestOSType != string(cleanup.Windows) {
		errs = packersdk.MultiErrorAppend(errs, fmt.Errorf("guest_os_type: %q is not one of linux, windows", c.GuestOSType))
	}
	for _, err := range c.validateSelections() {
		errs = packersdk.MultiErrorAppend(errs, err)
	}
	for _, err := range c.prepareWindows() {
		errs = packersdk.MultiErrorAppend(errs, err)
	}
	if _, err := cleanup.ParseSeverity(c.FailOn); err != nil {
		errs = packersdk.MultiErrorAppend(errs, fmt.Errorf("fail_on: %w", err))
	}
	for name, v := range map[string]string{"on_residue": c.OnResidue, "on_operation_error": c.OnOperationError} {
		if v != "fail" && v != "warn" {
			errs = packersdk.MultiErrorAppend(errs, fmt.Errorf("%s: %q is not one of fail, warn", name, v))
		}
	}
	if !strings.Contains(c.ExecuteCommand, "{{.Path}}") && !strings.Contains(c.ExecuteCommand, "{{ .Path }}") {
		errs = packersdk.MultiErrorAppend(errs, fmt.Errorf("execute_command: must contain {{.Path}}"))
	}
	if c.FetchMaxBytes < 0 {
		errs = packersdk.MultiErrorAppend(errs, fmt.Errorf("fetch_max_bytes: must be positive"))
	}
	if !absoluteRemotePath(c.RemoteFolder) {
		errs = packersdk.MultiErrorAppend(errs, fmt.Errorf("remote_folder: %q must be an absolute path", c.RemoteFolder))
	}
	if errs != nil && len(errs.Errors) > 0 {
		return errs
	}
	return nil
}
