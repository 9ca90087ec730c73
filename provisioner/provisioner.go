// Package provisioner is the Packer provisioner `sanitize`: it runs the selected cleanup
// operations on the guest as ONE uploaded script, shows each operation's result, then
// verifies the live guest with the catalogue's checks on the files the same script sent
// back, and fails the build when residue is left.
package provisioner

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2/hcldec"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"
	"github.com/hashicorp/packer-plugin-sdk/uuid"

	"github.com/goldenimage/packer-plugin-sanitize/archivefs"
	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

type Provisioner struct {
	config Config
}

func (p *Provisioner) ConfigSpec() hcldec.ObjectSpec { return p.config.FlatMapstructure().HCL2Spec() }

func (p *Provisioner) Prepare(raws ...interface{}) error { return p.config.prepare(raws...) }

func (p *Provisioner) Provision(ctx context.Context, ui packersdk.Ui, comm packersdk.Communicator, generatedData map[string]interface{}) error {
	connType, _ := generatedData["ConnType"].(string)
	if comm == nil || connType == "none" {
		return fmt.Errorf("sanitize: the build has no communicator (communicator = \"none\"); the cleanup must run on the guest over SSH or WinRM")
	}
	osType := cleanup.OS(p.config.GuestOSType)
	if osType == "" {
		osType = cleanup.Linux
		if connType == "winrm" {
			osType = cleanup.Windows
			p.config.applyOSDefaults(osType)
		}
	}
	ops, checks, imageOnly, err := p.selection(osType)
	if err != nil {
		return err
	}
	packerKey, _ := generatedData["SSHPublicKey"].(string)
	buildUser, _ := generatedData["User"].(string)

	var remote, script string
	if osType == cleanup.Windows {
		remote = path.Join(strings.ReplaceAll(p.config.RemoteFolder, `\`, "/"), "sanitize-"+uuid.TimeOrderedUUID()+".ps1")
		script, err = windowsScript(ops, checks, p.windowsSettings(remote))
	} else {
		remote = path.Join(p.config.RemoteFolder, "sanitize-"+uuid.TimeOrderedUUID()+".sh")
		script, err = linuxScript(ops, checks, scriptSettings{
			Self:            remote,
			PackerPublicKey: packerKey,
			KeepPasswords:   p.config.KeepPasswords,
			BuildUser:       buildUser,
			SSHDUseDNSNo:    p.config.SSHDUseDNSNo,
			Gather:          *p.config.Verify,
			FetchMaxBytes:   p.config.FetchMaxBytes,
		})
	}
	if err != nil {
		return fmt.Errorf("sanitize: assembling the script: %w", err)
	}

	ui.Say(fmt.Sprintf("Sanitizing the %s guest: %d operations in one script", osType, len(ops)))
	if len(imageOnly) > 0 && *p.config.Verify {
		ui.Message("Checked on the captured image only (sanitize-verify), not on the live guest: " + strings.Join(imageOnly, ", "))
	}
	start := time.Now()
	var out string
	if osType == cleanup.Windows {
		out, err = p.runWindowsScript(ctx, ui, comm, remote, script)
	} else {
		out, err = p.runScript(ctx, ui, comm, remote, script)
	}
	if err != nil {
		return err
	}
	ids := make([]string, len(ops))
	for i, o := range ops {
		ids[i] = o.ID
	}
	parsed, perr := parseOutput(out, ids, *p.config.Verify)
	if parsed != nil {
		showOperations(ui, parsed.Ops)
	}
	if perr != nil {
		return fmt.Errorf("sanitize: %w", perr)
	}
	failed := 0
	for _, o := range parsed.Ops {
		if o.Status == "failed" {
			failed++
		}
	}
	if failed > 0 {
		msg := fmt.Sprintf("sanitize: %d of %d operations failed on the guest", failed, len(ops))
		if p.config.OnOperationError == "fail" {
			return fmt.Errorf("%s", msg)
		}
		ui.Error(msg + " (on_operation_error = \"warn\": going on)")
	}
	ui.Say(fmt.Sprintf("Cleanup finished in %s", time.Since(start).Round(time.Millisecond)))
	if !*p.config.Verify {
		ui.Say("Live verification skipped (verify = false)")
		return nil
	}
	return p.verify(ui, parsed.Archive, checks, packerKey, buildUser, ops)
}

// runScript uploads the script once and runs it once; stdout is kept for parsing (it holds
// the archive), stderr is shown only when the run fails.
func (p *Provisioner) runScript(ctx context.Context, ui packersdk.Ui, comm packersdk.Communicator, remote, script string) (string, error) {
	if err := comm.Upload(remote, strings.NewReader(script), nil); err != nil {
		return "", fmt.Errorf("sanitize: uploading the script to %s: %w", remote, err)
	}
	p.config.ctx.Data = &struct{ Path string }{Path: remote}
	command, err := interpolate.Render(p.config.ExecuteCommand, &p.config.ctx)
	if err != nil {
		return "", fmt.Errorf("sanitize: execute_command: %w", err)
	}
	var stdout, stderr bytes.Buffer
	cmd := &packersdk.RemoteCmd{Command: command, Stdout: &stdout, Stderr: &stderr}
	if err := comm.Start(ctx, cmd); err != nil {
		return "", fmt.Errorf("sanitize: starting the script: %w", err)
	}
	status := cmd.Wait()
	if status != 0 {
		detail := lastLines(stderr.String(), 10)
		if f := fatalLine(stdout.String()); f != "" {
			detail = f
		}
		return "", fmt.Errorf("sanitize: the cleanup script exited with status %d: %s", status, detail)
	}
	return stdout.String(), nil
}

func showOperations(ui packersdk.Ui, ops []OpStatus) {
	for _, o := range ops {
		switch o.Status {
		case "done":
			ui.Say(fmt.Sprintf("  %-18s done (%d changes)", o.ID, len(o.Notes)))
			for _, n := range o.Notes {
				ui.Message("    " + n)
			}
		case "noop":
			ui.Say(fmt.Sprintf("  %-18s nothing to do", o.ID))
		case "failed":
			ui.Error(fmt.Sprintf("  %-18s FAILED (exit %d)", o.ID, o.Exit))
			for _, l := range o.Log {
				ui.Error("    " + l)
			}
		}
		if o.Status != "failed" {
			for _, l := range o.Log {
				ui.Message("    " + l)
			}
		}
	}
}

func (p *Provisioner) verify(ui packersdk.Ui, archive []byte, checks []cleanup.Check, packerKey, buildUser string, ops []cleanup.Operation) error {
	fsys, err := archivefs.Read(bytes.NewReader(archive), archivefs.DefaultLimits)
	if err != nil {
		return fmt.Errorf("sanitize: reading the files fetched for verification: %w", err)
	}
	target := &cleanup.Target{FS: fsys, PackerPublicKey: packerKey, KeepPasswords: p.config.KeepPasswords}
	for _, o := range ops {
		if o.ID == "remove-build-user" {
			target.BuildUser = buildUser
		}
	}
	res := cleanup.RunChecks(target, checks)
	failOn, _ := cleanup.ParseSeverity(p.config.FailOn)
	if p.config.ReportPath != "" {
		if err := writeReport(p.config.ReportPath, res, failOn, checks); err != nil {
			return fmt.Errorf("sanitize: report_path: %w", err)
		}
		ui.Say("Verification report written to " + p.config.ReportPath)
	}
	ui.Say(fmt.Sprintf("Verified the live guest: %d checks, %d findings, %d not verified", len(checks), len(res.Findings), len(res.NotVerified)))
	for _, f := range res.Findings {
		line := fmt.Sprintf("  %-8s %-18s %s: %s", f.Severity, f.Check, f.Path, f.Message)
		if f.Severity >= failOn {
			ui.Error(line)
		} else {
			ui.Message(line)
		}
	}
	for _, nv := range res.NotVerified {
		ui.Error(fmt.Sprintf("  NOT VERIFIED %-18s %s", nv.Check, nv.Error))
	}
	if !res.Failed(failOn) {
		ui.Say("No residue at or above " + failOn.String())
		return nil
	}
	msg := fmt.Sprintf("sanitize: residue left on the guest (%d findings at or above %s, %d checks not verified)",
		countAtLeast(res.Findings, failOn), failOn, len(res.NotVerified))
	if p.config.OnResidue == "warn" {
		ui.Error(msg + " (on_residue = \"warn\": going on)")
		return nil
	}
	return fmt.Errorf("%s", msg)
}

type liveReport struct {
	Passed      bool                  `json:"passed"`
	FailOn      cleanup.Severity      `json:"fail_on"`
	Source      string                `json:"source"`
	Checks      []string              `json:"checks"`
	Findings    []cleanup.Finding     `json:"findings"`
	NotVerified []cleanup.NotVerified `json:"not_verified"`
	Time        time.Time             `json:"time"`
}

func writeReport(path string, res cleanup.Result, failOn cleanup.Severity, checks []cleanup.Check) error {
	rep := liveReport{Passed: !res.Failed(failOn), FailOn: failOn, Source: "live guest", Findings: res.Findings,
		NotVerified: res.NotVerified, Time: time.Now().UTC()}
	if rep.Findings == nil {
		rep.Findings = []cleanup.Finding{}
	}
	if rep.NotVerified == nil {
		rep.NotVerified = []cleanup.NotVerified{}
	}
	for _, c := range checks {
		rep.Checks = append(rep.Checks, c.ID)
	}
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o600)
}

func countAtLeast(fs []cleanup.Finding, s cleanup.Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity >= s {
			n++
		}
	}
	return n
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

func fatalLine(out string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, "@@sanitize-fatal ") {
			return strings.TrimPrefix(l, "@@sanitize-fatal ")
		}
	}
	return ""
}
