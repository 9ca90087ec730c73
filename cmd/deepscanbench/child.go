package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cmd/internal/benchrun"
	"github.com/goldenimage/packer-plugin-sanitize/deepscan"
	"github.com/goldenimage/packer-plugin-sanitize/image"
)

// scanReport is what the scan child prints for the parent.
type scanReport struct {
	BytesRead     int64    `json:"bytes_read"`
	KnownZeros    int64    `json:"known_zeros"` // holes of the image, not read
	Total         int      `json:"total"`
	OpenSeconds   float64  `json:"open_seconds"`
	ScanSeconds   float64  `json:"scan_seconds"`
	LocateSeconds float64  `json:"locate_seconds"`
	Hits          []string `json:"hits"`
	PeakRSSKB     int64    `json:"peak_rss_kb"` // VmHWM at the end
}

// childScan deep-scans every volume of img, as sanitize-verify's deep_scan does (the
// hits then looked up in an owner index), in a process of its own so that
// its peak RSS is measured alone. Without owners, the hits are not mapped to files.
func childScan(img string, owners bool) error {
	start := time.Now()
	im, err := image.Open(img)
	if err != nil {
		return err
	}
	defer im.Close()
	rep := scanReport{OpenSeconds: time.Since(start).Seconds()}
	for _, v := range im.Volumes {
		if v.Raw == nil {
			continue
		}
		t0 := time.Now()
		res, err := deepscan.Scan(context.Background(), v.Source, v.Raw, v.Raw.Size(), deepscan.Options{})
		if err != nil {
			return err
		}
		t1 := time.Now()
		if owners {
			loc := deepscan.NewLocator(v.Raw, v.Raw.Size(), v.Filesystem).Reuse(v.Reader())
			if err := loc.Locate(res.Hits); err != nil {
				return err
			}
		}
		rep.ScanSeconds += t1.Sub(t0).Seconds()
		rep.LocateSeconds += time.Since(t1).Seconds()
		rep.BytesRead += res.BytesRead
		rep.KnownZeros += res.KnownZeros
		rep.Total += res.Total
		for _, h := range res.Hits {
			rep.Hits = append(rep.Hits, fmt.Sprintf("offset %d: %s: %s %s %s", h.Offset, h.Rule, h.Owner.Kind, h.Owner.Path, h.Preview))
		}
	}
	rep.PeakRSSKB = benchrun.SelfPeakRSSKB()
	return json.NewEncoder(os.Stdout).Encode(rep)
}
