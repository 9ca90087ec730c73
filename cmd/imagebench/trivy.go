package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/goldenimage/packer-plugin-sanitize/cmd/internal/benchrun"
)

// trivyArgs run Trivy's VM secret scan without the network: secret scanning needs none of
// its databases, and every download, update and report home is switched off.
func trivyArgs(cacheDir, report, img string) []string {
	return []string{"vm", "--scanners", "secret", "--offline-scan", "--skip-db-update",
		"--skip-java-db-update", "--skip-version-check", "--disable-telemetry",
		"--no-progress", "--quiet", "--cache-dir", cacheDir, "--timeout", "60m",
		"--format", "json", "--output", report, img}
}

// trivyReport is the part of Trivy's JSON report the bench reads.
type trivyReport struct {
	Results []struct {
		Target  string
		Secrets []struct{ RuleID string }
	}
}

// runTrivy runs trivy on img once, cold or warm as asked, and returns its measure; a run
// that fails is returned with its error (Trivy cannot read the image).
func runTrivy(trivy, img string, cold bool) (measure, error) {
	work, err := os.MkdirTemp("", "imagebench-trivy-")
	if err != nil {
		return measure{}, err
	}
	defer os.RemoveAll(work)
	report := filepath.Join(work, "report.json")
	r, err := benchrun.Best(1, img, cold, func() *exec.Cmd {
		c := exec.Command(trivy, trivyArgs(filepath.Join(work, "cache"), report, img)...)
		c.Env = append(os.Environ(), "TRIVY_NO_PROGRESS=true")
		return c
	})
	m := measure{wall: r.Wall, rssKB: r.PeakRSSKB}
	if err != nil {
		return m, err
	}
	data, err := os.ReadFile(report)
	if err != nil {
		return m, err
	}
	var rep trivyReport
	if err := json.Unmarshal(data, &rep); err != nil {
		return m, fmt.Errorf("trivy report: %w", err)
	}
	m.rep.BytesRead = -1 // not reported by Trivy
	for _, res := range rep.Results {
		for range res.Secrets {
			m.rep.Findings++
			m.rep.Paths = append(m.rep.Paths, "/"+strings.TrimPrefix(res.Target, "/"))
		}
	}
	return m, nil
}

// trivyFailure says how a Trivy run failed, short enough for a table cell; its own
// message went to stderr.
func trivyFailure(err error) string {
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.String() + " (its FATAL line is on stderr)"
	}
	return err.Error()
}

// plantedFound counts the planted files among the findings' paths.
func plantedFound(paths []string) int {
	n := 0
	for p := range planted {
		for _, q := range paths {
			if q == "/"+p {
				n++
				break
			}
		}
	}
	return n
}
