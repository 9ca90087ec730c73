package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/goldenimage/packer-plugin-sanitize/cleanup"
	"github.com/goldenimage/packer-plugin-sanitize/image"
	"github.com/goldenimage/packer-plugin-sanitize/postprocessor"
)

// childReport is what a measuring child prints for the parent.
type childReport struct {
	Seconds   float64 `json:"seconds"` // from opening the image to the last result
	BytesRead int64   `json:"bytes_read"`
	Checks    int     `json:"checks"`
	Findings  int     `json:"findings"`
	Errors    int     `json:"errors"`
	PeakRSSKB int64   `json:"peak_rss_kb"` // VmHWM at the end
}

// child runs one measurement in a process of its own, so that its peak RSS and the
// bytes it reads are its alone: "paths" runs the default Linux checks, "scan" the content
// scan, on every volume of img, as sanitize-verify does.
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
		switch what {
		case "paths":
			res := cleanup.RunChecks(&cleanup.Target{FS: v.FS}, checks)
			rep.Checks, rep.Findings, rep.Errors = len(checks), len(res.Findings), len(res.NotVerified)
		case "scan":
			found, err := postprocessor.ContentScan(v.FS)
			rep.Findings = len(found)
			if err != nil {
				rep.Errors++
				fmt.Fprintln(os.Stderr, err)
			}
		default:
			return fmt.Errorf("unknown measurement %q", what)
		}
	}
	rep.Seconds = time.Since(t0).Seconds()
	rep.BytesRead = bytesRead()
	rep.PeakRSSKB = vmHWM("/proc/self/status")
	return json.NewEncoder(os.Stdout).Encode(rep)
}

// bytesRead is what this process asked read(2) and pread(2) for, from /proc/self/io.
func bytesRead() int64 {
	f, err := os.Open("/proc/self/io")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "rchar: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	return -1
}
