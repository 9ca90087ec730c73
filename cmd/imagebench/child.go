package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	"github.com/goldenimage/packer-plugin-sanitize/cmd/internal/benchrun"
	"github.com/goldenimage/packer-plugin-sanitize/image"
	"github.com/goldenimage/packer-plugin-sanitize/postprocessor"
)

// childReport is what a measuring child prints for the parent.
type childReport struct {
	Seconds   float64  `json:"seconds"` // from opening the image to the last result
	BytesRead int64    `json:"bytes_read"`
	Checks    int      `json:"checks"`
	Findings  int      `json:"findings"`
	Errors    int      `json:"errors"`
	PeakRSSKB int64    `json:"peak_rss_kb"` // VmHWM at the end
	Paths     []string `json:"paths"`       // of the findings, to tell the planted ones
}

// child runs one measurement in a process of its own, so that its peak RSS and the
// bytes it reads are its alone: "paths" runs the default Linux checks, "scan" the content
// scan, "deep" the deep scan (with the mapping of hits to files), on every volume of img,
// as sanitize-verify does.
func child(what, img string) error {
	t0 := time.Now()
	im, err := image.Open(img)
	if err != nil {
		return err
	}
	defer im.Close()
	checks, err := cleanup.SelectChecks(cleanup.Linux, []string{"defaults"})
	if err != nil {
		return err
	}
	var rep childReport
	for _, v := range im.Volumes {
		if v.FS == nil {
			return fmt.Errorf("%s: %v", v.Source, v.Err)
		}
		var found []cleanup.Finding
		switch what {
		case "paths":
			res := cleanup.RunChecks(&cleanup.Target{FS: v.FS}, checks)
			rep.Checks, rep.Errors, found = len(checks), len(res.NotVerified), res.Findings
		case "scan", "deep":
			scan := postprocessor.ContentScan
			if what == "deep" {
				scan = func(fs.FS) ([]cleanup.Finding, error) { return postprocessor.DeepScan(v) }
			}
			var err error
			if found, err = scan(v.FS); err != nil {
				rep.Errors++
				fmt.Fprintln(os.Stderr, err)
			}
		default:
			return fmt.Errorf("unknown measurement %q", what)
		}
		rep.Findings += len(found)
		for _, f := range found {
			rep.Paths = append(rep.Paths, f.Path)
		}
	}
	rep.Seconds = time.Since(t0).Seconds()
	rep.BytesRead = benchrun.SelfBytesRead()
	rep.PeakRSSKB = benchrun.SelfPeakRSSKB()
	return json.NewEncoder(os.Stdout).Encode(rep)
}
