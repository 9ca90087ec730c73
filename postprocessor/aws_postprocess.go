package postprocessor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	cloudaws "github.com/goldenimage/packer-plugin-sanitize/cloud/aws"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
)

// postProcessAMIs is PostProcess for an artifact of AMIs: read and judge every AMI, write
// the report, then the gate: approve on a clean pass; otherwise remove the approval tags
// (and quarantine), then fail or warn.
func (p *PostProcessor) postProcessAMIs(ctx context.Context, ui packersdk.Ui, artifact packersdk.Artifact,
	refs []ami.Ref, checks []cleanup.Check, failOn cleanup.Severity) (packersdk.Artifact, bool, bool, error) {
	ui.Say(fmt.Sprintf("Verifying %d AMI(s) of %s with %d checks (content scan: %t), failing on %s",
		len(refs), builderID(artifact), len(checks), *p.config.ContentScan, failOn))
	rep := newReport(failOn, checks, *p.config.ContentScan)
	if p.config.DeepScan {
		// Every block of every snapshot is read: blocks never written cost nothing.
		rep.Checks = append(rep.Checks, deepScanCheck)
	}
	a := &amiVerifier{cfg: &p.config.AWS, sess: cloudaws.NewSession(p.config.AWS.settings()), rep: rep,
		v: &verifier{checks: checks, contentScan: *p.config.ContentScan, deepScan: p.config.DeepScan,
			keepPasswords: p.config.KeepPasswords, packerKey: p.config.PackerPublicKey, say: lockedSay(ui.Message)}}
	var images []*inspected
	for _, ref := range refs {
		img, err := a.verifyAMI(ctx, ref)
		if err != nil {
			return nil, false, false, fmt.Errorf("sanitize-verify: %s: %w; nothing was tagged", ref, err)
		}
		images = append(images, img)
	}
	rep.finish(p.config.Allow)

	showFindings(ui, rep)
	if err := rep.write(p.config.ReportPath, p.config.ReportFormat, checks); err != nil {
		return nil, false, false, fmt.Errorf("sanitize-verify: report_path: %w", err)
	}
	where, _ := filepath.Abs(p.config.ReportPath)
	ui.Say("Report written to " + where)

	if rep.Passed {
		digest, err := fileDigest(p.config.ReportPath)
		if err == nil {
			err = approveAll(ctx, ui, images, p.config.ApproveTags, digest)
		}
		if err != nil {
			return nil, false, false, fmt.Errorf("sanitize-verify: the AMIs passed but could not be approved: %w", err)
		}
		ui.Say(fmt.Sprintf("Passed: no residue at or above %s; approved with %s", failOn, tagList(p.config.ApproveTags, ami.VerifiedTag)))
		return artifact, true, true, nil
	}

	quarantine := p.config.OnResidue == "quarantine"
	gateErr := unapproveAll(ctx, ui, images, p.config.QuarantineTags, slices.Collect(maps.Keys(p.config.ApproveTags)), quarantine)
	msg := fmt.Sprintf("sanitize-verify: the AMI(s) did not pass: %d finding(s) at or above %s, %d item(s) not verified (report: %s)",
		rep.Summary.Failing, failOn, rep.Summary.NotVerified, where)
	if gateErr != nil {
		msg += "; " + gateErr.Error()
	}
	if p.config.OnResidue == "warn" {
		ui.Error(msg + ` (on_residue = "warn": passing the artifact on, not approved)`)
		return artifact, true, true, nil
	}
	ui.Error("Failing the build: Packer now deregisters the AMI(s) and deletes their snapshots, " +
		"unless another post-processor chain of this build keeps the artifact")
	return nil, false, false, errors.New(msg)
}

// approveAll tags every AMI and its snapshots as verified. Each AMI is tagged in its
// own region; the first failure stops.
func approveAll(ctx context.Context, ui packersdk.Ui, images []*inspected, tags map[string]string, digest string) error {
	for _, img := range images {
		if img == nil {
			return errors.New("an AMI was not described") // not reached: it is not verified, so no pass
		}
		if err := img.clients.Approve(ctx, img.image, tags, digest); err != nil {
			return err
		}
		ui.Message(fmt.Sprintf("%s and %d snapshot(s) approved (%s = %s …)", img.image.Ref, len(img.image.Snapshots), ami.VerifiedTag, digest))
	}
	return nil
}

// unapproveAll removes the approval tags (and sanitize:verified) from every AMI that
// was described, and with quarantine puts the quarantine tags: an image that did not
// pass never looks approved, even if the builder's own tags said so.
func unapproveAll(ctx context.Context, ui packersdk.Ui, images []*inspected, qtags map[string]string, approveKeys []string, quarantine bool) error {
	if !quarantine {
		qtags = nil
	}
	var errs []error
	for _, img := range images {
		if img == nil {
			continue
		}
		if err := img.clients.Quarantine(ctx, img.image, qtags, approveKeys); err != nil {
			errs = append(errs, err)
			ui.Error(err.Error())
			continue
		}
		if quarantine {
			ui.Error(fmt.Sprintf("%s and %d snapshot(s) quarantined: approval tags removed, %s put",
				img.image.Ref, len(img.image.Snapshots), tagList(qtags)))
		}
	}
	return errors.Join(errs...)
}

// tagList shows tags as "k=v, k=v" (sorted), plus extra keys.
func tagList(tags map[string]string, extra ...string) string {
	var parts []string
	for k, v := range tags {
		parts = append(parts, k+"="+v)
	}
	sort.Strings(parts)
	return strings.Join(append(parts, extra...), ", ")
}
