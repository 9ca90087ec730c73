package postprocessor

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"

	packersdk "github.com/hashicorp/packer-plugin-sdk/packer"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/alicloud/ecsimage"
)

// alicloudImage is a custom image that was described, so the gate can tag it.
type alicloudImage struct {
	clients *alicloud.Clients
	image   *ecsimage.ImageReport
}

// postProcessAlicloud is PostProcess for an artifact of Alibaba Cloud custom images:
// check the caller, judge every image's sharing, verify the content in launch mode,
// write the report, then the gate. In metadata mode an image that passes is approved
// only with approve_metadata_only: its filesystem was not read.
func (p *PostProcessor) postProcessAlicloud(ctx context.Context, ui packersdk.Ui, artifact packersdk.Artifact,
	refs []ecsimage.Ref, checks []cleanup.Check, failOn cleanup.Severity) (packersdk.Artifact, bool, bool, error) {
	cfg, mode := &p.config.Alicloud, p.config.AlicloudVerifyMode
	var errs []error
	errs = append(errs, validateAlicloudTags("approve_tags", p.config.ApproveTags)...)
	errs = append(errs, validateAlicloudTags("quarantine_tags", p.config.QuarantineTags)...)
	if err := errors.Join(errs...); err != nil {
		return nil, false, false, fmt.Errorf("sanitize-verify: %w; nothing was looked at or tagged", err)
	}
	var rep *Report
	if mode == AlicloudVerifyLaunch {
		ui.Say(fmt.Sprintf("Verifying %d Alibaba Cloud image(s) of %s (launch mode: a temporary instance each) with %d checks, failing on %s",
			len(refs), builderID(artifact), len(checks), failOn))
		run, _ := launchChecks(checks)
		rep = newReport(failOn, run, false)
	} else {
		ui.Say(fmt.Sprintf("Verifying %d Alibaba Cloud image(s) of %s in metadata mode: caller, sharing and tags only, "+
			"the filesystem is NOT read (alicloud_verify_mode = \"launch\" reads it), failing on %s", len(refs), builderID(artifact), failOn))
		rep = newReport(failOn, nil, false)
	}
	for _, c := range ecsimage.Checks {
		rep.Checks = append(rep.Checks, c.ID)
	}
	sess := alicloud.NewSession(cfg.settings())
	var images []*alicloudImage
	for _, ref := range refs {
		img, err := p.verifyAlicloudImage(ctx, ui, sess, ref, rep, checks)
		if err != nil {
			return nil, false, false, fmt.Errorf("sanitize-verify: %s: %w; nothing was tagged", ref, err)
		}
		if img != nil {
			images = append(images, img)
		}
	}
	rep.finish(p.config.Allow)
	approve := rep.Passed && (mode == AlicloudVerifyLaunch || cfg.ApproveMetadataOnly)
	for i := range rep.AlicloudImages {
		if rep.AlicloudImages[i].Details != nil { // described, so the gate tags it
			rep.AlicloudImages[i].Gate = gateDecision(rep.Passed, approve, p.config.OnResidue)
		}
	}

	showFindings(ui, rep)
	if err := rep.write(p.config.ReportPath, p.config.ReportFormat, checks); err != nil {
		return nil, false, false, fmt.Errorf("sanitize-verify: report_path: %w", err)
	}
	where, _ := filepath.Abs(p.config.ReportPath)
	ui.Say("Report written to " + where)

	approveKeys := slices.Collect(maps.Keys(p.config.ApproveTags))
	if approve {
		digest, err := fileDigest(p.config.ReportPath)
		for _, img := range images {
			if err != nil {
				break
			}
			err = img.clients.Approve(ctx, img.image, p.config.ApproveTags, digest, mode == AlicloudVerifyMetadata)
			if err == nil {
				ui.Message(fmt.Sprintf("%s and %d snapshot(s) approved (%s = %s …)", img.image.Ref, len(img.image.Snapshots), ecsimage.VerifiedTag, digest))
			}
		}
		if err != nil {
			return nil, false, false, fmt.Errorf("sanitize-verify: the image(s) passed but could not be approved: %w", err)
		}
		ui.Say(fmt.Sprintf("Passed: no residue at or above %s; approved with %s", failOn, tagList(p.config.ApproveTags, ecsimage.VerifiedTag)))
		return artifact, true, true, nil
	}
	if rep.Passed { // metadata mode without approve_metadata_only
		if err := unapproveAlicloud(ctx, ui, images, nil, approveKeys); err != nil {
			return nil, false, false, fmt.Errorf("sanitize-verify: removing the approval tags of an image whose content was not read: %w", err)
		}
		ui.Say(fmt.Sprintf("Passed the image-level checks (no finding at or above %s). NOT approved: the filesystem was not read "+
			"(metadata mode); approval tags removed. Use alicloud_verify_mode = \"launch\" to verify the content.", failOn))
		return artifact, true, true, nil
	}

	quarantine := p.config.OnResidue == "quarantine"
	var qtags map[string]string
	if quarantine {
		qtags = p.config.QuarantineTags
	}
	gateErr := unapproveAlicloud(ctx, ui, images, qtags, approveKeys)
	msg := fmt.Sprintf("sanitize-verify: the Alibaba Cloud image(s) did not pass: %d finding(s) at or above %s, %d item(s) not verified (report: %s)",
		rep.Summary.Failing, failOn, rep.Summary.NotVerified, where)
	if gateErr != nil {
		msg += "; " + gateErr.Error()
	}
	if p.config.OnResidue == "warn" {
		ui.Error(msg + ` (on_residue = "warn": passing the artifact on, not approved)`)
		return artifact, true, true, nil
	}
	ui.Error("Failing the build: Packer now deletes the custom image(s), unless another post-processor chain of this build keeps the artifact")
	return nil, false, false, errors.New(msg)
}

// gateDecision says in the report what the gate does after writing it.
func gateDecision(passed, approve bool, onResidue string) string {
	switch {
	case approve:
		return "approve"
	case passed:
		return "not approved: the filesystem was not read (metadata mode); approval tags removed"
	case onResidue == "quarantine":
		return "quarantine"
	}
	return "approval tags removed"
}

// verifyAlicloudImage runs the caller guard, the image-level checks and, in launch
// mode, the content checks of one image. What cannot be looked at goes to not_verified;
// only root credentials (a refusal) and a cancelled build are returned as errors.
func (p *PostProcessor) verifyAlicloudImage(ctx context.Context, ui packersdk.Ui, sess *alicloud.Session, ref ecsimage.Ref,
	rep *Report, checks []cleanup.Check) (*alicloudImage, error) {
	mode := p.config.AlicloudVerifyMode
	res := &AlicloudImageResult{Image: ref.String(), Status: statusNotVerified, VerifyMode: mode,
		Content: "not verified: the image could not be looked at"}
	defer func() { rep.AlicloudImages = append(rep.AlicloudImages, *res) }()
	fail := func(err error) (*alicloudImage, error) {
		res.Reason = err.Error()
		rep.NotVerified = append(rep.NotVerified, NotVerified{Source: alicloudSource(ref), Error: err.Error()})
		ui.Message(fmt.Sprintf("%s: NOT VERIFIED: %v", ref, err))
		return nil, ctx.Err()
	}
	c, err := sess.Clients(ref.Region)
	if err != nil {
		return fail(err)
	}
	id, err := c.CheckCaller(p.config.Alicloud.AllowRootCredentials)
	if id.Arn != "" {
		res.Caller = &id
	}
	if errors.Is(err, alicloud.ErrRootCredentials) {
		return nil, err
	}
	if err != nil {
		return fail(err)
	}
	img, err := c.Inspect(ctx, ref, p.config.Alicloud.policy())
	if err != nil {
		return fail(err)
	}
	addAlicloudFindings(rep, img)
	shown := *img
	shown.Findings = nil // they are in the report's findings
	res.Details = &shown
	ui.Message(fmt.Sprintf("%s %q (owner %s, status %s, as %s %s): %d snapshot(s), %d sharing finding(s)",
		ref, img.Name, img.OwnerID, img.Status, id.IdentityType, id.Arn, len(img.Snapshots), len(img.Findings)))
	out := &alicloudImage{clients: c, image: img}

	if mode == AlicloudVerifyMetadata {
		res.Status, res.Content = statusNotRead, contentNotVerifiedMetadata
		rep.Sources = append(rep.Sources, SourceResult{Path: alicloudSource(ref), Format: alicloudFormat(img),
			Status: statusNotRead, Reason: "content: " + contentNotVerifiedMetadata})
		ui.Say(fmt.Sprintf("%s: content NOT VERIFIED (metadata mode): the filesystem was not read", ref))
		return out, nil
	}
	p.launchAndVerify(ctx, ui, c, img, res, rep, checks)
	return out, ctx.Err()
}

func alicloudFormat(img *ecsimage.ImageReport) string {
	return fmt.Sprintf("Alibaba Cloud custom image %q (%s, %d snapshot(s))", img.Name, img.OSName, len(img.Snapshots))
}

// unapproveAlicloud removes the approval tags (and sanitize:verified) from every image
// that was described, and puts qtags when given: an image that is not approved never
// looks approved, even if the builder's own tags said so.
func unapproveAlicloud(ctx context.Context, ui packersdk.Ui, images []*alicloudImage, qtags map[string]string, approveKeys []string) error {
	var errs []error
	for _, img := range images {
		if err := img.clients.Quarantine(ctx, img.image, qtags, approveKeys); err != nil {
			errs = append(errs, err)
			ui.Error(err.Error())
			continue
		}
		if len(qtags) > 0 {
			ui.Error(fmt.Sprintf("%s and %d snapshot(s) quarantined: approval tags removed, %s put",
				img.image.Ref, len(img.image.Snapshots), tagList(qtags)))
		}
	}
	return errors.Join(errs...)
}
