// Package postprocessor is the Packer post-processor `sanitize-verify`: it opens the
// artifact's disk images (or the `images` given) without booting them, runs the
// catalogue's residue checks and a content scan on every filesystem, writes a report and
// fails the build when residue reaches `fail_on` or anything could not be verified.
package postprocessor

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/hashicorp/hcl/v2/hcldec"
	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
)

type PostProcessor struct {
	config Config
}

func (p *PostProcessor) ConfigSpec() hcldec.ObjectSpec { return p.config.FlatMapstructure().HCL2Spec() }

func (p *PostProcessor) Configure(raws ...interface{}) error { return p.config.prepare(raws...) }

// PostProcess verifies the artifact. It returns the artifact untouched and kept on
// success (or with on_residue = "warn"); otherwise an error, after which Packer destroys
// the builder's artifact.
func (p *PostProcessor) PostProcess(ctx context.Context, ui packersdk.Ui, artifact packersdk.Artifact) (packersdk.Artifact, bool, bool, error) {
	checks, err := selectChecks(p.config.Checks)
	if err != nil {
		return nil, false, false, fmt.Errorf("sanitize-verify: checks: %w", err)
	}
	failOn, _ := cleanup.ParseSeverity(p.config.FailOn)
	if refs, err := alicloudRefs(p.config.Images, artifact); err != nil {
		return nil, false, false, err
	} else if refs != nil {
		return p.postProcessAlicloud(ctx, ui, artifact, refs, checks, failOn)
	}
	if refs, err := amiRefs(p.config.Images, artifact); err != nil {
		return nil, false, false, err
	} else if refs != nil {
		return p.postProcessAMIs(ctx, ui, artifact, refs, checks, failOn)
	}
	sources, explicit := p.config.Images, true
	if len(sources) == 0 {
		explicit = false
		if artifact != nil {
			sources = artifact.Files()
		}
		if len(sources) == 0 {
			return nil, false, false, fmt.Errorf("sanitize-verify: the artifact (%s) has no files to verify and no `images` are set: "+
				"its id %q names no AMI (region:ami-…) nor Alibaba Cloud custom image (region:m-…); the artifact was NOT verified", builderID(artifact), artifactID(artifact))
		}
	}

	ui.Say(fmt.Sprintf("Verifying %d file(s) with %d checks (content scan: %t), failing on %s",
		len(sources), len(checks), *p.config.ContentScan, failOn))
	rep := newReport(failOn, checks, *p.config.ContentScan)
	if p.config.DeepScan {
		rep.Checks = append(rep.Checks, deepScanCheck)
	}
	v := &verifier{checks: checks, contentScan: *p.config.ContentScan, deepScan: p.config.DeepScan, keepPasswords: p.config.KeepPasswords,
		packerKey: p.config.PackerPublicKey, say: ui.Message, extentOf: extentFiles(sources)}
	for _, src := range sources {
		if err := ctx.Err(); err != nil {
			return nil, false, false, fmt.Errorf("sanitize-verify: %w", err)
		}
		v.verifySource(src, explicit, rep)
	}
	if !explicit && !anyVerifiable(rep.Sources) {
		rep.NotVerified = append(rep.NotVerified, NotVerified{Source: builderID(artifact),
			Error: "none of the artifact's files is a disk image or rootfs archive"})
	}
	rep.finish(p.config.Allow)

	showFindings(ui, rep)
	if err := rep.write(p.config.ReportPath, p.config.ReportFormat, checks); err != nil {
		return nil, false, false, fmt.Errorf("sanitize-verify: report_path: %w", err)
	}
	where, _ := filepath.Abs(p.config.ReportPath)
	ui.Say("Report written to " + where)

	if rep.Passed {
		ui.Say(fmt.Sprintf("Passed: no residue at or above %s", failOn))
		return artifact, true, true, nil
	}
	msg := fmt.Sprintf("sanitize-verify: residue in the image: %d finding(s) at or above %s, %d item(s) not verified (report: %s)",
		rep.Summary.Failing, failOn, rep.Summary.NotVerified, where)
	if p.config.OnResidue == "warn" {
		ui.Error(msg + ` (on_residue = "warn": passing the artifact on)`)
		return artifact, true, true, nil
	}
	return nil, false, false, fmt.Errorf("%s", msg)
}

func builderID(a packersdk.Artifact) string {
	if a == nil {
		return "no artifact"
	}
	return "builder " + a.BuilderId()
}

func anyVerifiable(sources []SourceResult) bool {
	for _, s := range sources {
		if s.Status != statusSkipped {
			return true
		}
	}
	return false
}
