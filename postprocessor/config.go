//go:generate packer-sdc mapstructure-to-hcl2 -type Config,AllowRule,AWSConfig,AlicloudConfig
//go:generate packer-sdc struct-markdown

package postprocessor

import (
	"errors"
	"fmt"
	"path"
	"strings"

	"github.com/hashicorp/packer-plugin-sdk/common"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"
	"github.com/hashicorp/packer-plugin-sdk/template/config"
	"github.com/hashicorp/packer-plugin-sdk/template/interpolate"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

// Defaults applied after decoding.
const (
	DefaultFailOn       = "medium"
	DefaultOnResidue    = "fail"
	DefaultReportFormat = "json"
	// DefaultReportPath is relative to the directory Packer runs in; ".sarif" replaces
	// ".json" when report_format is "sarif".
	DefaultReportPath = "sanitize-report.json"
)

type Config struct {
	common.PackerConfig `mapstructure:",squash"`

	// Disk images or rootfs archives to verify, instead of the artifact's files. Every one
	// must be readable: an image that cannot be opened fails the build. When unset, the
	// artifact's files are verified (qemu, virtualbox, vmware, hyperv and `file`
	// builders; a docker export tar): files that plainly are no disk image (text such as
	// a .vmx or .ovf, or anything under 64 KiB) are listed in the report as skipped, and
	// an artifact with no image at all fails the build. Formats are detected by content:
	// raw, qcow2 (zlib and zstd clusters, readable backing files), VHD and VHDX (fixed,
	// dynamic), VMDK (monolithicSparse, streamOptimized), OVA, tar and tar.gz rootfs;
	// partition tables none, MBR (with logical partitions) and GPT; LVM2 linear logical
	// volumes; filesystems ext2/3/4, xfs v5, FAT12/16/32 and NTFS. Anything else is
	// reported as not verified.
	Images []string `mapstructure:"images"`
	// The residue checks to run on every filesystem, in the provisioner's selection syntax:
	// `defaults` (every check that is not optional), `all`, `ID` or `+ID` to add one,
	// `-ID` to drop one. Default: `["defaults"]`. IDs of the Linux and the Windows checks
	// mix: a Linux root gets the selected Linux checks, a Windows system drive the
	// selected Windows ones, and an ID both have (`tmp-files`) selects both. An unknown ID
	// is an error that lists the valid ones.
	Checks []string `mapstructure:"checks"`
	// Also scan the content of the files where secrets are usually left (every home
	// directory, /root, /etc, /opt, /srv, /usr/local, /var/lib/cloud, /var/spool/cron,
	// /var/www, /tmp, /var/tmp) for credentials and private keys: files up to 1 MiB, at
	// most 1 GiB and 200,000 files per filesystem (beyond that the scan is reported as not
	// verified). Findings name the rule, line and a redacted preview, never the secret.
	// A volume that is not a root filesystem (no /etc: an EFI System Partition, a separate
	// /boot) gets no path checks, which assume a root's layout: every file of it is
	// scanned instead (with `content_scan = false` it is reported as skipped).
	// Default: `true`.
	ContentScan *bool `mapstructure:"content_scan"`
	// The lowest finding severity that fails the build: `low`, `medium`, `high` or
	// `critical`. Default: `medium`. A filesystem or check that could not be verified
	// always fails it.
	FailOn string `mapstructure:"fail_on"`
	// Accepted findings, each with the reason recorded in the report. A finding matching
	// a rule stays in the report, marked allowed with the reason, and does not fail the
	// build. A rule names a `path` inside the image (a glob: `/etc/ssl/private/*`), a
	// `check` ID, or both (then both must match), and must give a `reason`.
	Allow []AllowRule `mapstructure:"allow"`
	// Accounts whose usable password hash is intended (for example a console account).
	KeepPasswords []string `mapstructure:"keep_passwords"`
	// Packer's temporary SSH public key, so that the packer-key check can name it if it
	// is left in an authorized_keys file: in HCL2, `packer_public_key = build.SSHPublicKey`.
	// (Any authorized key is a finding of the authorized-keys check anyway.)
	PackerPublicKey string `mapstructure:"packer_public_key"`
	// What to do when residue at or above `fail_on` (or anything not verified) is found:
	// `fail` (default) returns an error, and Packer then destroys the builder's artifact
	// (deletes the image file, deregisters an AMI and deletes its snapshots) unless another
	// post-processor chain of the build keeps it; `quarantine` (cloud images) removes the
	// approval tags, puts `quarantine_tags` on the image and its snapshots, then fails the
	// build as `fail` does (on a disk image it is `fail`); `warn` shows the findings, writes
	// the report, removes a cloud image's approval tags and passes the artifact on.
	OnResidue string `mapstructure:"on_residue"`
	// Where to write the report, relative to the directory Packer runs in. Default:
	// `sanitize-report.json` (`sanitize-report.sarif` with `report_format = "sarif"`).
	ReportPath string `mapstructure:"report_path"`
	// `json` (default) or `sarif` (SARIF 2.1.0, for code-scanning dashboards).
	ReportFormat string `mapstructure:"report_format"`
	// Also read every byte of every volume — free space, the journal and slack included —
	// for private keys and credentials (check `deep-scan`). `shred` and `rm` leave copies on
	// journaling filesystems; a hit in a live file names it, a remnant (High) gives its
	// volume offset and whether it lies in unallocated space, the journal, a file's slack or
	// metadata. Hits are mapped to the files owning their blocks on ext2/3/4, xfs, NTFS and
	// FAT (free space from the block bitmaps, the xfs free-space btrees, NTFS's `$Bitmap` or
	// the FAT; a small NTFS file's data in its MFT record); elsewhere the owner is unknown.
	// On NTFS the `$MFT` is read a second time with its records' update sequences undone, so
	// that a small key straddling a sector's end in its record is found too. It reads every
	// byte sequentially (see the README's benchmark for its speed against `dd`), so it costs
	// the image's size in I/O, less what the image stores as holes (zeros it knows without
	// storing: a sparse raw file's holes, qcow2 clusters never written, which hold no secret
	// and are not read); on ext2/3/4 and xfs the hits are then looked up in an index
	// of every in-use inode's blocks, read from the inode tables the scan has just read.
	// Default: `false`.
	DeepScan bool `mapstructure:"deep_scan"`
	// Tags put on a cloud image and its snapshots when it passes, with
	// `sanitize:verified` = the report's SHA256 digest and the time. An IAM or SCP condition
	// on them (`ec2:ResourceTag/…`) then lets only verified images be launched. An image that
	// does not pass never keeps them: they are removed.
	ApproveTags map[string]string `mapstructure:"approve_tags"`
	// Tags put on a cloud image and its snapshots by `on_residue = "quarantine"`.
	QuarantineTags map[string]string `mapstructure:"quarantine_tags"`
	// How AMIs are read and judged (artifacts of the amazon builders): see below.
	AWS AWSConfig `mapstructure:"aws"`
	// How Alibaba Cloud custom images (artifacts of the alicloud-ecs builder) are judged:
	// see below.
	Alicloud AlicloudConfig `mapstructure:"alicloud"`
	// What is verified of an Alibaba Cloud custom image, for which no API reads a
	// snapshot's blocks: `metadata` (default) checks the caller, the image's sharing and
	// tags, and says in the report that the filesystem was NOT read; `launch` also runs a
	// temporary instance from the image (new key pair, `PasswordInherit = false`), runs the
	// residue checks on it over SSH and deletes the instance and the key pair, also on
	// failure or interruption.
	AlicloudVerifyMode string `mapstructure:"alicloud_verify_mode"`

	ctx interpolate.Context
}

// AllowRule accepts findings. See `allow`.
type AllowRule struct {
	// A path inside the image, `/`-rooted; glob patterns as in Go's path.Match.
	Path string `mapstructure:"path"`
	// A check ID (`ssh-host-keys`, `content-scan`, `ami-shared`, ...).
	Check string `mapstructure:"check"`
	// Why the finding is acceptable; it lands in the report. Required.
	Reason string `mapstructure:"reason"`
}

// matches tells whether the rule accepts a finding.
func (a AllowRule) matches(check, p string) bool {
	if a.Check != "" && a.Check != check {
		return false
	}
	if a.Path != "" {
		if ok, _ := path.Match(a.Path, p); !ok && a.Path != p {
			return false
		}
	}
	return a.Check != "" || a.Path != ""
}

func (c *Config) prepare(raws ...interface{}) error {
	err := config.Decode(c, &config.DecodeOpts{
		PluginType:         "sanitize-verify",
		Interpolate:        true,
		InterpolateContext: &c.ctx,
	}, raws...)
	if err != nil {
		return err
	}
	if c.FailOn == "" {
		c.FailOn = DefaultFailOn
	}
	if c.OnResidue == "" {
		c.OnResidue = DefaultOnResidue
	}
	if c.ReportFormat == "" {
		c.ReportFormat = DefaultReportFormat
	}
	if c.ReportPath == "" {
		c.ReportPath = DefaultReportPath
		if c.ReportFormat == "sarif" {
			c.ReportPath = strings.TrimSuffix(DefaultReportPath, ".json") + ".sarif"
		}
	}
	if c.AlicloudVerifyMode == "" {
		c.AlicloudVerifyMode = AlicloudVerifyMetadata
	}
	if c.ContentScan == nil {
		yes := true
		c.ContentScan = &yes
	}

	var errs *packersdk.MultiError
	if _, err := selectChecks(c.Checks); err != nil {
		errs = packersdk.MultiErrorAppend(errs, fmt.Errorf("checks: %w", err))
	}
	if _, err := cleanup.ParseSeverity(c.FailOn); err != nil || c.FailOn == "info" {
		errs = packersdk.MultiErrorAppend(errs, fmt.Errorf("fail_on: %q is not one of low, medium, high, critical", c.FailOn))
	}
	if c.OnResidue != "fail" && c.OnResidue != "quarantine" && c.OnResidue != "warn" {
		errs = packersdk.MultiErrorAppend(errs, fmt.Errorf("on_residue: %q is not one of fail, quarantine, warn", c.OnResidue))
	}
	for _, err := range c.prepareCloud() {
		errs = packersdk.MultiErrorAppend(errs, err)
	}
	if c.ReportFormat != "json" && c.ReportFormat != "sarif" {
		errs = packersdk.MultiErrorAppend(errs, fmt.Errorf("report_format: %q is not one of json, sarif", c.ReportFormat))
	}
	for i, img := range c.Images {
		if strings.TrimSpace(img) == "" {
			errs = packersdk.MultiErrorAppend(errs, fmt.Errorf("images[%d]: empty path", i))
		}
	}
	for i, a := range c.Allow {
		for _, err := range a.validate() {
			errs = packersdk.MultiErrorAppend(errs, fmt.Errorf("allow[%d]: %w", i, err))
		}
	}
	if errs != nil && len(errs.Errors) > 0 {
		return errs
	}
	return nil
}

func (a AllowRule) validate() []error {
	var errs []error
	if a.Path == "" && a.Check == "" {
		errs = append(errs, errors.New("needs a path or a check"))
	}
	if strings.TrimSpace(a.Reason) == "" {
		errs = append(errs, errors.New("needs a reason (it is recorded in the report)"))
	}
	if a.Path != "" {
		if !strings.HasPrefix(a.Path, "/") {
			errs = append(errs, fmt.Errorf("path %q must be /-rooted (a path inside the image)", a.Path))
		}
		if _, err := path.Match(a.Path, "/"); err != nil {
			errs = append(errs, fmt.Errorf("path %q: %w", a.Path, err))
		}
	}
	if a.Check != "" && a.Check != contentScanCheck && a.Check != deepScanCheck && !isImageCheck(a.Check) && !isAlicloudCheck(a.Check) {
		if _, ok := cleanup.LookupCheck(cleanup.Linux, a.Check); !ok {
			errs = append(errs, fmt.Errorf("unknown check %q", a.Check))
		}
	}
	return errs
}
