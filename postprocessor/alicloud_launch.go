package postprocessor

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"golang.org/x/crypto/ssh"

	"github.com/goldenimage/packer-plugin-sanitize/archivefs"
	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/ecsimage"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/launch"
	"github.com/goldenimage/packer-plugin-sanitize/provisioner"
)

// bootRecreated are the checks whose evidence the first boot of an instance recreates
// (host keys, machine-id, cloud-init's instance data, logs): on a running instance they
// would judge the boot, not the image, so launch mode does not run them and says so.
var bootRecreated = []string{"ssh-host-keys", "machine-id", "cloud-init", "logfiles"}

// launchChecks splits the selected Linux checks into those launch mode runs and those
// it cannot (image-only ones and bootRecreated). Launch mode reaches Linux instances
// over SSH only.
func launchChecks(checks []cleanup.Check) (run []cleanup.Check, notChecked []string) {
	for _, c := range checks {
		if c.OS != cleanup.Linux {
			continue
		}
		if c.ImageOnly || slices.Contains(bootRecreated, c.ID) {
			notChecked = append(notChecked, c.ID)
			continue
		}
		run = append(run, c)
	}
	return run, notChecked
}

// launchAndVerify runs a temporary instance of the image, gathers over SSH the files
// the checks read (the provisioner's gather script) and checks them. The instance and
// its key pair are deleted before it returns, whatever happened.
func (p *PostProcessor) launchAndVerify(ctx context.Context, ui packersdk.Ui, c *alicloud.Clients, img *ecsimage.ImageReport,
	res *AlicloudImageResult, rep *Report, checks []cleanup.Check) {
	cfg := &p.config.Alicloud
	run, notChecked := launchChecks(checks)
	src := SourceResult{Path: alicloudSource(img.Ref), Format: alicloudFormat(img) + ", on a temporary instance", Status: statusNotVerified}
	defer func() { rep.Sources = append(rep.Sources, src) }()
	res.NotChecked = notChecked

	var result cleanup.Result
	script, err := provisioner.GatherScript(run, "", 0)
	var inst launch.Instance
	if err == nil {
		spec := launch.Spec{Region: img.Ref.Region, ImageID: img.Ref.ImageID, InstanceType: cfg.InstanceType, VSwitchID: cfg.VSwitchID,
			SecurityGroupID: cfg.SecurityGroupID, PublicIP: cfg.AssociatePublicIP, SSHUser: cfg.SSHUsername, SSHPort: cfg.SSHPort,
			Timeout: cfg.LaunchTimeout, Poll: cfg.poll}
		inst, err = launch.Run(ctx, c.ECS, spec, ui.Message, func(ctx context.Context, inst launch.Instance, client *ssh.Client) error {
			out, err := launch.RunScript(client, cfg.SSHUsername, script)
			if err != nil {
				return fmt.Errorf("running the gather script on %s: %w", inst.ID, err)
			}
			archive, err := provisioner.ParseGathered(out)
			if err != nil {
				return fmt.Errorf("%s: %w", inst.ID, err)
			}
			fsys, err := archivefs.Read(bytes.NewReader(archive), archivefs.DefaultLimits)
			if err != nil {
				return fmt.Errorf("reading the files fetched from %s: %w", inst.ID, err)
			}
			result = cleanup.RunChecks(&cleanup.Target{FS: fsys, PackerPublicKey: p.config.PackerPublicKey, KeepPasswords: p.config.KeepPasswords}, run)
			return nil
		})
	}
	res.Instance = inst.ID
	if err != nil {
		err = fmt.Errorf("launch mode: %w", err)
		src.Reason, res.Status, res.Reason = err.Error(), statusNotVerified, err.Error()
		res.Content = "not verified (launch mode failed): " + err.Error()
		rep.NotVerified = append(rep.NotVerified, NotVerified{Source: src.Path, Error: err.Error()})
		ui.Error(fmt.Sprintf("%s: NOT VERIFIED: %v", img.Ref, err))
		return
	}
	own := 0
	for _, f := range result.Findings {
		// cloud-init put the temporary key pair's public key there: the launch's, not residue.
		if f.Check == "authorized-keys" && inst.KeyFingerprint != "" && strings.Contains(f.Message, inst.KeyFingerprint) {
			own++
			continue
		}
		rep.Findings = append(rep.Findings, Finding{Check: f.Check, Severity: f.Severity, Path: f.Path, Source: src.Path, Message: f.Message})
	}
	for _, nv := range result.NotVerified {
		rep.NotVerified = append(rep.NotVerified, NotVerified{Source: src.Path, Check: nv.Check, Error: nv.Error})
	}
	src.Status, res.Status = statusVerified, statusVerified
	res.Content = contentVerifiedLaunch
	if len(notChecked) > 0 {
		res.Content += "; not checked on a running instance (its first boot recreates what they look for): " + strings.Join(notChecked, ", ")
	}
	ui.Message(fmt.Sprintf("%s: %d check(s) ran on %s: %d finding(s) (%d line(s) of the temporary key pair ignored), %d not verified",
		img.Ref, len(run), inst.ID, len(result.Findings)-own, own, len(result.NotVerified)))
}
