package postprocessor

import (
	"context"
	"errors"
	"fmt"

	cloudaws "github.com/goldenimage/packer-plugin-sanitize/cloud/aws"
	"github.com/goldenimage/packer-plugin-sanitize/cloud/aws/ami"
	"github.com/goldenimage/packer-plugin-sanitize/image"
)

// volumeParallelism bounds the volumes of one snapshot checked at once: a root disk has
// a handful of partitions, and each snapshot's block fetches are bounded by read_workers.
const volumeParallelism = 4

// inspected is an AMI that was described, so the gate can tag it and its snapshots.
type inspected struct {
	clients *cloudaws.Clients
	image   *ami.ImageReport
}

// amiVerifier reads the AMIs of one artifact into one report.
type amiVerifier struct {
	cfg  *AWSConfig
	sess *cloudaws.Session
	v    *verifier
	rep  *Report
}

// verifyAMI runs the caller guard, the image-level checks and every snapshot's checks
// for one AMI. What cannot be looked at goes to not_verified; only root credentials (a
// refusal, not a failure to read) and a cancelled build are returned as errors.
func (a *amiVerifier) verifyAMI(ctx context.Context, ref ami.Ref) (*inspected, error) {
	res := AMIResult{AMI: ref.String(), Status: statusNotVerified}
	defer func() { a.rep.AWSImages = append(a.rep.AWSImages, res) }()
	fail := func(err error) (*inspected, error) {
		res.Reason = err.Error()
		a.rep.NotVerified = append(a.rep.NotVerified, NotVerified{Source: amiSource(ref), Error: err.Error()})
		a.v.say(fmt.Sprintf("%s: NOT VERIFIED: %v", ref, err))
		return nil, ctx.Err()
	}
	c, err := a.sess.Clients(ctx, ref.Region)
	if err != nil {
		return fail(err)
	}
	id, err := c.CheckCaller(ctx, a.cfg.AllowRootCredentials)
	res.CallerARN = id.ARN
	if errors.Is(err, cloudaws.ErrRootCredentials) {
		return nil, err
	}
	if err != nil {
		return fail(err)
	}
	img, err := c.Inspect(ctx, ref, a.cfg.policy())
	if err != nil {
		return fail(err)
	}
	addImageFindings(a.rep, img)
	shown := *img
	shown.Findings = nil // they are in the report's findings
	res.Image = &shown
	a.v.say(fmt.Sprintf("%s %q (owner %s, as %s): %d snapshot(s), %d sharing/encryption finding(s)",
		ref, img.Name, img.OwnerID, id.ARN, len(img.Snapshots), len(img.Findings)))

	res.Status = statusVerified
	for _, s := range img.Snapshots {
		src := a.verifySnapshot(ctx, c, ref, s)
		if src.Status == statusNotVerified {
			res.Status, res.Reason = statusNotVerified, "a snapshot could not be verified"
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return &inspected{clients: c, image: img}, nil
}

// verifySnapshot reads one EBS snapshot as a disk and checks every volume on it.
func (a *amiVerifier) verifySnapshot(ctx context.Context, c *cloudaws.Clients, ref ami.Ref, s ami.SnapshotInfo) SourceResult {
	name := snapshotSource(ref, s.SnapshotID)
	src := SourceResult{Path: name, Format: snapshotFormat(s)}
	defer func() { a.rep.Sources = append(a.rep.Sources, src) }()
	notVerified := func(err error) SourceResult {
		src.Status, src.Reason = statusNotVerified, err.Error()
		a.rep.NotVerified = append(a.rep.NotVerified, NotVerified{Source: name, Error: err.Error()})
		a.v.say(fmt.Sprintf("%s: NOT VERIFIED: %v", name, err))
		return src
	}
	snap, err := c.OpenSnapshot(ctx, s.SnapshotID, a.cfg.readOptions())
	if err != nil {
		return notVerified(err)
	}
	defer snap.Close()
	if snap.BlocksPresent() == 0 {
		// EBS lists every block ever written: none means the volume is all zeros.
		src.Status, src.Reason = statusSkipped, "the snapshot holds no data block: the volume is all zeros"
		a.v.say(fmt.Sprintf("%s: skipped (%s)", name, src.Reason))
		return src
	}
	im, err := image.OpenReaderAt(snap, snap.Size(), name)
	if err != nil {
		return notVerified(err)
	}
	src.PartitionTable, src.Status = im.Table, statusVerified
	a.v.say(fmt.Sprintf("%s: %s, %d GiB, %d blocks of %d KiB present, partition table: %s, %d volume(s)",
		name, src.Format, snap.Size()>>30, snap.BlocksPresent(), snap.BlockSize()>>10, im.Table, len(im.Volumes)))
	src.Volumes = a.v.verifyVolumes(im.Volumes, a.rep, volumeParallelism)
	for _, vr := range src.Volumes {
		if vr.Status == statusNotVerified {
			src.Status = statusNotVerified
		}
	}
	st := snap.Stats()
	a.v.say(fmt.Sprintf("%s: fetched %d block(s) (%d MiB) in %d request(s), %d retried",
		name, st.BlocksFetched, st.BytesFetched>>20, st.Requests, st.Retries))
	return src
}

// snapshotFormat says what the snapshot is, its encryption included.
func snapshotFormat(s ami.SnapshotInfo) string {
	enc := "not encrypted"
	if s.Encrypted {
		enc = "encrypted"
		if s.KMSKeyID != "" {
			enc += " with " + s.KMSKeyID
		}
	}
	return fmt.Sprintf("EBS snapshot (%s, %s)", s.DeviceName, enc)
}
