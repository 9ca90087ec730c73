package postprocessor

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	"github.com/goldenimage/packer-plugin-sanitize/deepscan"
	"github.com/goldenimage/packer-plugin-sanitize/image"
)

// deepScanCheck is the check ID of the deep scan's findings.
const deepScanCheck = "deep-scan"

// Pseudo-paths of remnants: bytes no file holds, which deleting or shredding left behind.
var remnantPaths = map[string]string{
	"free":     "(unallocated)",
	"journal":  "(journal)",
	"metadata": "(metadata)",
	"outside":  "(past the filesystem's end)",
	"swap":     "(swap)",
}

// DeepScan is the deep scan of one volume as sanitize-verify runs it, for callers outside
// the post-processor (cmd/imagebench measures it).
func DeepScan(vol image.Volume) ([]cleanup.Finding, error) {
	return deepScanVolume(vol, func(string) {})
}

// deepScanVolume reads every byte of the volume for secrets (deep_scan = true) and maps
// each hit to the file holding it or to the free space, journal or slack it lingers in.
// A volume that could not be read at all is an error: no part of it is assumed clean.
func deepScanVolume(vol image.Volume, say func(string)) ([]cleanup.Finding, error) {
	if vol.Raw == nil {
		return nil, nil // a rootfs archive: no blocks, no free space
	}
	t0 := time.Now()
	res, err := deepscan.Scan(context.Background(), vol.Source, vol.Raw, vol.Raw.Size(), deepscan.Options{})
	if err != nil {
		return nil, err
	}
	var mftErr error // NTFS: small files' bytes as their MFT records hold them
	if readsFixedMFT(vol) {
		mftErr = addFixedMFTHits(vol, res, say)
	}
	var locateErr error
	switch {
	case vol.Skipped != "": // swap: every hit is a remnant of paged-out memory
		for i := range res.Hits {
			res.Hits[i].Owner = deepscan.Owner{Kind: "swap"}
		}
	case vol.Err == nil:
		// with the filesystem reader the checks used, not a second one
		locateErr = deepscan.NewLocator(vol.Raw, vol.Raw.Size(), vol.Filesystem).Reuse(vol.Reader()).Locate(res.Hits)
	default:
		for i := range res.Hits {
			res.Hits[i].Owner = deepscan.Owner{Kind: deepscan.KindUnknown, Why: "owner unknown: the filesystem could not be read"}
		}
	}
	var out []cleanup.Finding
	for _, h := range res.Hits {
		out = append(out, hitFinding(h))
	}
	if res.Total > len(res.Hits) {
		out = append(out, cleanup.Finding{Check: deepScanCheck, Severity: cleanup.High, Path: "(volume)",
			Message: fmt.Sprintf("%d more secrets found past the first %d; not listed", res.Total-len(res.Hits), len(res.Hits))})
	}
	secs := time.Since(t0).Seconds()
	holes := ""
	if res.KnownZeros > 0 {
		holes = fmt.Sprintf(" (and %d MiB the image stores as holes, zeros not read)", res.KnownZeros>>20)
	}
	say(fmt.Sprintf("  %s: deep scan: %d MiB in %.1fs (%.0f MB/s)%s, %d hits", vol.Source, res.BytesRead>>20, secs,
		float64(res.BytesRead)/1e6/max(secs, 1e-6), holes, res.Total))
	if locateErr != nil {
		locateErr = fmt.Errorf("the hits were found but not mapped to files: %w", locateErr)
	}
	return out, errors.Join(mftErr, locateErr)
}

func hitFinding(h deepscan.Hit) cleanup.Finding {
	f := cleanup.Finding{Check: deepScanCheck, Severity: h.Severity}
	what := fmt.Sprintf("%s (%s): %s", h.Description, h.Rule, h.Preview)
	at := fmt.Sprintf("volume offset %d", h.Offset)
	switch o := h.Owner; {
	case o.Kind == "file" && o.Executable:
		f.Severity = cleanup.Low
		f.Path, f.Message = o.Path, fmt.Sprintf("%s at %s: also in file %s, an executable or library (most often a test vector)", what, at, o.Path)
	case o.Kind == "file":
		f.Path, f.Message = o.Path, fmt.Sprintf("%s at %s: also in file %s", what, at, o.Path)
	case o.Kind == deepscan.KindUnknown:
		f.Path, f.Message = "(raw volume)", fmt.Sprintf("%s at %s (%s)", what, at, o.Why)
	case o.Kind == "slack":
		f.Severity = cleanup.High
		f.Path, f.Message = o.Path, fmt.Sprintf("remnant: %s at %s, in the unused end of %s's blocks", what, at, o.Path)
	default:
		f.Severity = cleanup.High
		f.Path = remnantPaths[o.Kind]
		f.Message = fmt.Sprintf("remnant: %s at %s, in %s", what, at, f.Path)
		if o.Path != "" {
			f.Message += " of " + o.Path
		}
	}
	return f
}

// deepScanUnreadable deep-scans a volume whose filesystem could not be read, or swap,
// which has none: the raw bytes still tell whether secrets are in it. The volume keeps its
// status. It returns the number of findings.
func (v *verifier) deepScanUnreadable(vol image.Volume, rep *Report) int {
	if !v.deepScan || vol.Raw == nil {
		return 0
	}
	found, err := deepScanVolume(vol, v.say)
	for _, f := range found {
		rep.Findings = append(rep.Findings, Finding{Check: f.Check, Severity: f.Severity, Path: f.Path, Source: vol.Source, Message: f.Message})
	}
	if err != nil {
		rep.NotVerified = append(rep.NotVerified, NotVerified{Source: vol.Source, Check: deepScanCheck, Error: err.Error()})
	}
	return len(found)
}
